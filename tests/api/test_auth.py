"""Who may call the API and how: a token (programs), a session (the docs page, CSRF enforced),
nobody else — and an anonymous call is a JSON 401, never the log-in page's redirect."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from api.urls import urlpatterns as api_urlpatterns
from tests.api.conftest import API, ApiClient
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PROTECTED = [
    f"{API}/me/",
    f"{API}/authorities/?q=grenoble",
    f"{API}/departements/",
    f"{API}/departements/38/",
    f"{API}/campaigns/",
    f"{API}/campaigns/2021/",
    f"{API}/envelopes/",
    f"{API}/envelopes/1/",
]


def test_token_authentication(api_instructor_isere: ApiClient) -> None:
    me = api_instructor_isere.get_json(f"{API}/me/")
    user = api_instructor_isere.user
    assert user is not None
    assert me["email"] == user.email
    assert me["name"] == user.get_full_name()
    assert me["roles"] == [
        {
            "role": "instructor",
            "label": "Instructeur",
            "scope": {"level": "department", "code": "38", "name": "Isère", "label": "Isère (38)"},
        }
    ]


def test_me_lists_every_role_with_its_scope(db: None) -> None:
    membership = MembershipFactory(agent_grenoble=True)
    MembershipFactory(user=membership.user, diair=True)
    roles = ApiClient(membership.user).get_json(f"{API}/me/")["roles"]
    assert {(r["role"], r["scope"]["level"], r["scope"]["code"]) for r in roles} == {
        ("agent", "authority", "200040715"),
        ("diair", "national", None),
    }


def test_session_authentication(db: None) -> None:
    browser = Client()
    browser.force_login(MembershipFactory(ministry=True).user)
    assert browser.get(f"{API}/me/").json()["roles"][0]["role"] == "ministry"


def test_session_writes_need_the_csrf_token_but_token_writes_do_not(db: None) -> None:
    user = MembershipFactory(admin=True).user
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    refused = browser.post(f"{API}/me/", "{}", content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["detail"]
    # Same call with a token: no CSRF check, it reaches the view (which only reads).
    program = ApiClient(user, enforce_csrf_checks=True)
    assert program.post_json(f"{API}/me/").status_code == 405


@pytest.mark.parametrize("url", PROTECTED)
def test_anonymous_gets_json_401_not_the_login_redirect(api_anonymous: ApiClient, url: str) -> None:
    response = api_anonymous.get(url)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Informations d'authentification non fournies.",
        "code": "not_authenticated",
        "errors": {},
        "rule_ids": [],
    }


def test_a_wrong_token_is_refused_in_french(db: None) -> None:
    response = Client(headers={"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"}).get(f"{API}/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'accès non valide."
    assert response.json()["code"] == "authentication_failed"


def test_an_inactive_user_token_is_refused(api_instructor_isere: ApiClient) -> None:
    assert api_instructor_isere.user is not None
    api_instructor_isere.user.is_active = False
    api_instructor_isere.user.save()
    assert api_instructor_isere.get(f"{API}/me/").status_code == 401


def test_unknown_addresses_answer_json_404(api_instructor_isere: ApiClient, api_anonymous: ApiClient) -> None:
    for client in (api_instructor_isere, api_anonymous):
        body = client.get_json(f"{API}/nothing-here/", expected=404)
        assert body == {"detail": "Introuvable.", "code": "not_found", "errors": {}, "rule_ids": []}
    hint = api_instructor_isere.get_json(f"{API}/me", expected=404)["detail"]
    assert hint == "Introuvable. Les adresses de l'API finissent par « / » : /api/v1/me/"


def _callbacks(patterns: list[URLPattern | URLResolver]) -> list[object]:
    found: list[object] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _callbacks(pattern.url_patterns)
        else:
            found.append(pattern.callback)
    return found


def test_every_api_view_is_left_to_drf_authentication() -> None:
    """LoginRequiredMiddleware would redirect to the log-in page: each API view opts out of it."""
    callbacks = _callbacks(api_urlpatterns)
    assert len(callbacks) > 10
    assert all(getattr(callback, "login_required", True) is False for callback in callbacks)
    # And the site's own pages still require a log-in.
    assert getattr(get_resolver().resolve("/tableau-de-bord/").func, "login_required", True) is True


def test_anonymous_calls_are_throttled(
    api_anonymous: ApiClient, api_instructor_isere: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On what an anonymous caller may reach (schema, docs, 404s): a protected endpoint answers
    401 before doing any work, the public ones are counted per address."""
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [api_anonymous.get(f"{API}/schema/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api_anonymous.get(f"{API}/nothing/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"].startswith("Requête ralentie.")
    assert int(response["Retry-After"]) > 0
    # A caller with a token is not counted as anonymous.
    assert api_instructor_isere.get(f"{API}/schema/").status_code == 200


def test_each_token_is_throttled_on_its_own(api_instructor_isere: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Per token (API_TOKEN_RATE): a second token of the same user has its own count."""
    from api.authentication import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    statuses = [api_instructor_isere.get(f"{API}/me/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = api_instructor_isere.get(f"{API}/me/")
    assert refused.json()["code"] == "throttled"
    assert refused.json()["detail"].startswith("Requête ralentie.")
    assert int(refused["Retry-After"]) > 0
    other = ApiClient(api_instructor_isere.user)  # a second token of the same person
    assert other.get(f"{API}/me/").status_code == 200


def test_a_malformed_authorization_header_is_refused_in_french(db: None) -> None:
    response = Client(headers={"Authorization": "Token"}).get(f"{API}/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
