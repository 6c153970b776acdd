"""ProConnect log-in (OpenID Connect) against a local OpenID provider started by the test
(oidc-provider-mock): accounts matched by e-mail to a membership or an invitation, never created
with rights of their own; the siret and usual_name claims recorded."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from accounts.enums import Role
from accounts.models import Invitation, Membership, User
from accounts.services import invite
from audit.models import Event
from identity.models import ProConnectIdentity
from identity.sessions import AUTH_METHOD, PROCONNECT
from tests.factories import grenoble_metropole, isere, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def proconnect(provider: str, settings: Any) -> str:
    settings.OIDC_RP_CLIENT_ID = "territoires-integration"
    settings.OIDC_RP_CLIENT_SECRET = "secret-de-test"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/jwks"
    return provider


def log_in_with_proconnect(client: Client, provider: str, *, sub: str, claims: dict[str, str]) -> Any:
    """The whole dance: our start page, the provider's consent (as the person), our callback."""
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start["Location"].startswith(f"{provider}/oauth2/authorize?")
    consent = requests.post(start["Location"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    return client.get(f"{back.path}?{back.query}")


def test_a_prefecture_agent_invited_beforehand_logs_in_and_lands_on_the_instructeurs_home(
    client: Client, proconnect: str
) -> None:
    prefect = make_user(Role.PREFECT, department=isere())
    invite(actor=prefect, email="Claire.Martin@isere.gouv.fr", role=Role.INSTRUCTOR, department=isere())
    response = log_in_with_proconnect(
        client,
        proconnect,
        sub="proconnect-claire",
        claims={"email": "claire.martin@isere.gouv.fr", "siret": "17380001900013", "usual_name": "Martin"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:dashboard")
    user = User.objects.get(email__iexact="claire.martin@isere.gouv.fr")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[AUTH_METHOD] == PROCONNECT
    assert not user.has_usable_password()
    assert list(Membership.objects.filter(user=user).values_list("role", "department__code")) == [
        (Role.INSTRUCTOR, "38")
    ]
    assert Invitation.objects.get(email__iexact=user.email).accepted_at is not None
    identity = ProConnectIdentity.objects.get(user=user)
    assert (identity.sub, identity.siret, identity.usual_name) == ("proconnect-claire", "17380001900013", "Martin")
    assert "Instructeur" in unescape(client.get(reverse("web:dashboard")).content.decode())


def test_an_existing_member_logs_in_by_email_and_the_claims_are_updated(client: Client, proconnect: str) -> None:
    agent = make_user(Role.AGENT, authority=grenoble_metropole())
    claims = {"email": agent.email.upper(), "siret": "200040715 00012", "usual_name": "Durand"}
    log_in_with_proconnect(client, proconnect, sub="sub-agent", claims=claims)
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert ProConnectIdentity.objects.get(user=agent).siret == "20004071500012"
    client.logout()
    log_in_with_proconnect(client, proconnect, sub="sub-agent", claims={**claims, "usual_name": "Durand-Petit"})
    assert ProConnectIdentity.objects.get(user=agent).usual_name == "Durand-Petit"
    assert Event.objects.filter(verb="identity.proconnect_linked", actor=agent).count() == 1


def test_an_unknown_email_is_refused_in_french_and_no_account_is_created(client: Client, proconnect: str) -> None:
    before = User.objects.count()
    response = log_in_with_proconnect(
        client, proconnect, sub="inconnu", claims={"email": "inconnu@exemple.gouv.fr", "siret": "11000001000013"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = unescape(client.get(reverse("login")).content.decode())
    assert "Aucun compte ni invitation ne correspond à l'adresse inconnu@exemple.gouv.fr" in page
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(verb="identity.proconnect_refused").exists()


def test_an_account_without_any_role_is_not_given_one(client: Client, proconnect: str) -> None:
    nobody = make_user(None)
    log_in_with_proconnect(client, proconnect, sub="sans-role", claims={"email": nobody.email})
    assert "_auth_user_id" not in client.session
    assert not Membership.objects.filter(user=nobody).exists()


def test_a_subject_linked_to_another_account_is_refused(client: Client, proconnect: str) -> None:
    first = make_user(Role.AGENT, authority=grenoble_metropole())
    second = make_user(Role.AGENT, authority=grenoble_metropole())
    log_in_with_proconnect(client, proconnect, sub="partage", claims={"email": first.email})
    client.logout()
    log_in_with_proconnect(client, proconnect, sub="partage", claims={"email": second.email})
    assert "_auth_user_id" not in client.session


def test_proconnect_is_absent_while_not_configured(client: Client, settings: Any) -> None:
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert "ProConnect" not in client.get(reverse("login")).content.decode()


def test_the_login_page_offers_proconnect_when_configured(client: Client, proconnect: str) -> None:
    assert "fr-connect__brand" in client.get(reverse("login")).content.decode()
