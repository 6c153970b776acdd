"""The collectivité picker, with htmx and without JavaScript."""

import re

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from accounts.services import add_membership
from referential.models import Authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_user("admin@example.gouv.fr", "motdepasse-solide-2026")
    add_membership(actor=None, user=user, role=Role.ADMIN)
    client.force_login(user)
    return client


def test_htmx_fragment_offers_radio_buttons(admin_client):
    response = admin_client.get(
        reverse("web:authority_picker"), {"field": "authority", "authority": "clermont ferrand"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    clermont = Authority.objects.get(insee_code="63113", kind="commune")
    assert re.search(rf'name="authority_id"\s+value="{clermont.pk}"', html)
    assert "Clermont-Ferrand" in html
    assert "<html" not in html  # a fragment, not a page


def test_htmx_fragment_says_when_nothing_matches(admin_client):
    response = admin_client.get(reverse("web:authority_picker"), {"field": "authority", "authority": "xqzw"})
    assert "Aucune collectivité ne correspond." in response.content.decode()


def test_without_javascript_one_match_is_taken(admin_client):
    response = admin_client.post(
        reverse("web:invitation_create"),
        {"email": "agent@clermont.fr", "role": Role.AGENT, "authority": "216301135"},
    )
    assert response.status_code == 302
    invitation = User.objects.get(email="admin@example.gouv.fr").invitations_sent.get()
    assert invitation.authority.name == "Clermont-Ferrand"


def test_without_javascript_several_matches_are_offered_then_chosen(admin_client):
    url = reverse("web:invitation_create")
    response = admin_client.post(url, {"email": "agent@saint.fr", "role": Role.AGENT, "authority": "Saint-Denis"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "collectivités correspondent à « Saint-Denis » : choisissez-en une dans la liste." in html
    saint_denis = Authority.objects.get(insee_code="93066", kind="commune")
    assert f'value="{saint_denis.pk}"' in html
    response = admin_client.post(
        url,
        {"email": "agent@saint.fr", "role": Role.AGENT, "authority": "Saint-Denis", "authority_id": saint_denis.pk},
    )
    assert response.status_code == 302
    assert User.objects.get(email="admin@example.gouv.fr").invitations_sent.get().authority == saint_denis


def test_unknown_name_gets_a_french_error_beside_the_field(admin_client):
    response = admin_client.post(
        reverse("web:invitation_create"), {"email": "a@b.fr", "role": Role.AGENT, "authority": "Tataouine"}
    )
    assert response.status_code == 400
    assert "Aucune collectivité ne correspond à « Tataouine »" in response.content.decode()
