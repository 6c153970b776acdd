"""Password reset by e-mail and password change, in French, with the French password rules."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from accounts.enums import Role
from audit.models import Event
from tests.factories import PASSWORD, grenoble_metropole, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Canal du Midi à vélo 1681"


def test_an_agent_who_forgot_the_password_gets_a_link_by_email_and_chooses_a_new_one(client, settings) -> None:
    settings.SITE_URL = "https://territoires.example.gouv.fr"
    user = make_user(Role.AGENT, authority=grenoble_metropole())
    response = client.post(reverse("password_reset"), {"email": user.email.upper()})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "choisir un nouveau mot de passe" in message.subject
    link = re.search(r"https://territoires\.example\.gouv\.fr(/mot-de-passe-oublie/\S+/)", message.body)
    assert link is not None, message.body

    form_url = client.get(link.group(1))["Location"]  # Django hides the token behind a redirect
    page = client.get(form_url)
    assert "Choisir un nouveau mot de passe" in unescape(page.content.decode())
    common = client.post(form_url, {"new_password1": "motdepasse123", "new_password2": "motdepasse123"})
    assert "Ce mot de passe est trop courant" in unescape(common.content.decode())
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Event.objects.filter(verb="identity.password_reset", actor=user).exists()
    # The link served once.
    used = client.get(link.group(1), follow=True)
    assert "Ce lien n'est plus valable" in unescape(used.content.decode())


def test_an_unknown_address_gets_the_same_answer_and_no_email(client) -> None:
    response = client.post(reverse("password_reset"), {"email": "inconnu@example.fr"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_lock_out_page_offers_the_reset_instead_of_calling_the_prefecture(client) -> None:
    user = make_user(Role.AGENT, authority=grenoble_metropole())
    for _ in range(5):
        response = client.post(reverse("login"), {"username": user.email, "password": "mauvais"})
    assert response.status_code == 429
    assert reverse("password_reset") in response.content.decode()


def test_a_logged_in_user_changes_the_password(client) -> None:
    user = make_user(Role.AGENT, authority=grenoble_metropole())
    client.force_login(user)
    url = reverse("password_change")
    wrong = client.post(url, {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "incorrect" in unescape(wrong.content.decode())
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("web:dashboard")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("web:dashboard")).status_code == 200  # still logged in


def test_the_password_change_page_needs_a_log_in(client) -> None:
    assert client.get(reverse("password_change")).status_code == 302
