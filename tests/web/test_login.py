"""Log-in by e-mail and password, throttled."""

from html import unescape

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_by_email_lands_on_the_dashboard(client):
    user = UserFactory(email="julie.moreau@isere.gouv.fr")
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")


def test_wrong_password_is_refused_in_french(client):
    UserFactory(email="julie.moreau@isere.gouv.fr")
    response = client.post(reverse("login"), {"username": "julie.moreau@isere.gouv.fr", "password": "faux"})
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in unescape(response.content.decode())


def test_five_failures_lock_the_account_for_this_address_for_15_minutes(client):
    user = UserFactory(email="cible@isere.gouv.fr")
    for _ in range(4):
        response = client.post(reverse("login"), {"username": user.email, "password": "mauvais"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": user.email, "password": "mauvais"})
    assert response.status_code == 429
    html = unescape(response.content.decode())
    assert "Connexion temporairement suspendue" in html
    assert "15 minutes" in html
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    # Another person from the same address is not locked out.
    other = UserFactory(email="autre@isere.gouv.fr")
    response = client.post(reverse("login"), {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_deactivated_account_cannot_log_in(client):
    user = UserFactory(email="parti@isere.gouv.fr", is_active=False)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
