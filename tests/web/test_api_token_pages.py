"""« Mes jetons d'accès »: a user creates a token (shown once, stored hashed), sees it listed with its
use, revokes it; the API then refuses it in French. Nobody sees or revokes another's token."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from audit.models import Event
from identity.sessions import AUTH_AT

pytestmark = pytest.mark.django_db

PAGE = "/compte/jetons/"


def create(client: Client, name: str = "Export SIG", days: int = 30) -> tuple[ApiToken, str]:
    expires_on = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = client.post(f"{PAGE}nouveau/", {"name": name, "expires_on": expires_on})
    assert response.status_code == 200, response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(name=name)
    key = response.context["key"]
    return token, key


def test_an_agent_creates_a_token_sees_it_once_and_uses_it(agent_grenoble):
    token, key = create(agent_grenoble)
    assert key.startswith("ti_") and len(key) > 40
    assert token.user == agent_grenoble.user
    # Stored hashed: the clear key is nowhere in the table.
    assert token.key_hash == ApiToken.hash_key(key)
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert Event.objects.filter(verb="accounts.api_token_created").exists()
    assert key not in str(Event.objects.values_list("details", flat=True))
    # Shown once: the page afterwards shows its start only.
    listing = agent_grenoble.get(PAGE).content.decode()
    assert "Export SIG" in listing and token.key_start in listing and key not in listing
    assert "jamais" in listing
    # The API opens, and the last use is recorded.
    api = Client(headers={"Authorization": f"Token {key}"})
    assert api.get("/api/v1/me/").json()["email"] == agent_grenoble.user.email
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused_in_french(agent_grenoble):
    token, key = create(agent_grenoble)
    response = agent_grenoble.post(f"{PAGE}{token.pk}/revoquer/", follow=True)
    assert "est révoqué" in response.content.decode()
    refused = Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Ce jeton d'accès a été révoqué."
    assert refused.json()["code"] == "authentication_failed"


def test_an_expired_token_is_refused_in_french(agent_grenoble):
    token, key = create(agent_grenoble)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    refused = Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("Ce jeton d'accès a expiré le ")


def test_nobody_revokes_or_sees_another_users_token(agent_grenoble, agent_lyon):
    token, _ = create(agent_grenoble)
    assert agent_lyon.post(f"{PAGE}{token.pk}/revoquer/").status_code == 404
    assert "Export SIG" not in agent_lyon.get(PAGE).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "expires_on": "2099-01-01"}, "name", "Ce champ est obligatoire."),
        ({"name": "Trop loin", "expires_on": "2099-01-01"}, "expires_on", "au plus un an"),
        ({"name": "Passé", "expires_on": "2020-01-01"}, "expires_on", "dans le futur"),
        ({"name": "Pas une date", "expires_on": "demain"}, "expires_on", "Saisissez une date valide."),
    ],
)
def test_a_bad_token_form_answers_in_french(agent_grenoble, data, field, message):
    response = agent_grenoble.post(f"{PAGE}nouveau/", data)
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not ApiToken.objects.exists()


def test_a_prefect_confirms_his_identity_before_creating_a_token(prefect_isere):
    """A State role creates a token after a recent log-in only, as for every sensitive action."""
    session = prefect_isere.session
    session[AUTH_AT] = int(time.time()) - 16 * 60
    session.save()
    response = prefect_isere.post(f"{PAGE}nouveau/", {"name": "Script", "expires_on": "2099-01-01"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    assert not ApiToken.objects.exists()


def test_anonymous_is_sent_to_log_in(anonymous):
    response = anonymous.get(PAGE)
    assert response.status_code == 302 and "/connexion/" in response["Location"]
