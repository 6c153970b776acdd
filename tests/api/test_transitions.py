"""The transitions endpoints (api.transitions), exercised on the stand-in workflow of
`tests/api/dummy_workflow.py` — and, through it, the French JSON errors of api.errors for each
kind of domain refusal."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.api.conftest import API, ApiClient
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.dummy_workflow")]


def url(account: User, suffix: str = "") -> str:
    return f"{API}/test-accounts/{account.pk}/transitions/{suffix}"


@pytest.fixture
def account(db: None) -> User:
    """An account without roles: nothing stops its deactivation."""
    return UserFactory()


def reload(account: User) -> User:
    return User.objects.get(pk=account.pk)


def test_available_transitions_for_the_caller(api_admin: ApiClient, account: User) -> None:
    assert api_admin.get_json(url(account)) == [
        {
            "name": "deactivate",
            "label": "Désactiver le compte",
            "target": "inactive",
            "target_label": "Inactif",
            "fields": ["reason", "amount"],
        }
    ]


def test_nothing_available_to_a_role_without_the_right(api_instructor_isere: ApiClient) -> None:
    assert api_instructor_isere.user is not None
    assert api_instructor_isere.get_json(url(api_instructor_isere.user)) == []


def test_outside_the_scope_is_not_found(api_instructor_isere: ApiClient, account: User) -> None:
    assert api_instructor_isere.get_json(url(account), expected=404)["detail"] == "Introuvable."
    response = api_instructor_isere.post_json(url(account, "deactivate/"), {"reason": "départ"})
    assert response.status_code == 404
    assert reload(account).is_active


def test_apply_answers_the_new_representation(api_admin: ApiClient, account: User) -> None:
    response = api_admin.post_json(url(account, "deactivate/"), {"reason": "Départ à la retraite"})
    assert response.status_code == 200
    assert response.json() == {"id": account.pk, "email": account.email, "is_active": False}
    assert not reload(account).is_active
    assert api_admin.get_json(url(account)) == [
        {"name": "activate", "label": "Réactiver le compte", "target": None, "target_label": None, "fields": []}
    ]


def test_a_double_click_applies_once(api_admin: ApiClient, account: User) -> None:
    first = api_admin.post_json(url(account, "deactivate/"), {"reason": "Départ"})
    second = api_admin.post_json(url(account, "deactivate/"), {"reason": "Départ"})
    assert first.status_code == 200
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "transition_unavailable"
    assert body["detail"].startswith("La transition « deactivate » n'est pas possible")


def test_an_unknown_transition_is_not_found(api_admin: ApiClient, account: User) -> None:
    body = api_admin.post_json(url(account, "fly/")).json()
    assert body == {
        "detail": "Transition inconnue : « fly ».",
        "code": "transition_unknown",
        "errors": {},
        "rule_ids": [],
    }


def test_missing_field_is_a_french_field_error(api_admin: ApiClient, account: User) -> None:
    response = api_admin.post_json(url(account, "deactivate/"), {})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Indiquez le motif de la désactivation.",
        "code": "required",
        "errors": {"reason": ["Indiquez le motif de la désactivation."]},
        "rule_ids": [],
    }


def test_a_finance_error_is_a_400_with_its_message(api_admin: ApiClient, account: User) -> None:
    response = api_admin.post_json(url(account, "deactivate/"), {"reason": "Départ", "amount": "12,345"})
    assert response.status_code == 400
    message = (
        "Le montant a au plus deux décimales (les centimes) : par exemple 40 000 ou 12 345,67. "
        "Pour les milliers, mettez une espace : 40 000."
    )
    assert response.json() == {
        "detail": message,
        "code": "amount_cents",
        "errors": {"non_field_errors": [message]},
        "rule_ids": [],
    }


def test_a_rules_refusal_gives_the_rule_ids_and_writes_nothing(api_admin: ApiClient) -> None:
    assert api_admin.user is not None
    holder = ApiClient(UserFactory()).user
    assert holder is not None
    from tests.factories import MembershipFactory

    MembershipFactory(user=holder, instructor_isere=True)
    response = api_admin.post_json(url(holder, "deactivate/"), {"reason": "Départ"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Retirez d'abord les rôles de ce compte.",
        "code": "rules",
        "errors": {"roles": ["Retirez d'abord les rôles de ce compte."]},
        "rule_ids": ["account_holds_roles"],  # the warning is not a reason for the refusal
    }
    assert reload(holder).is_active  # the write made before the refusal was rolled back


def test_permission_denied_is_a_403_with_its_message(api_admin: ApiClient) -> None:
    assert api_admin.user is not None
    response = api_admin.post_json(url(api_admin.user, "deactivate/"), {"reason": "Moi"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Vous ne pouvez pas désactiver votre propre compte."
    assert response.json()["code"] == "permission_denied"


def test_bodies_that_are_not_json_objects(api_admin: ApiClient, account: User) -> None:
    not_an_object = api_admin.post_json(url(account, "deactivate/"), ["Départ"])
    assert not_an_object.status_code == 400
    assert not_an_object.json()["detail"] == "Le corps de la requête doit être un objet JSON."
    malformed = api_admin.post(url(account, "deactivate/"), "{reason", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "parse_error"
    assert malformed.json()["detail"].startswith("Le corps de la requête n'est pas du JSON valide")
    form = api_admin.post(url(account, "deactivate/"), {"reason": "Départ"})
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_media_type"
    assert reload(account).is_active


def test_a_bug_is_a_json_500_and_is_not_swallowed(api_admin: ApiClient, account: User) -> None:
    with pytest.raises(RuntimeError, match="a bug"):
        api_admin.post_json(url(account, "deactivate/"), {"boom": True})
    api_admin.raise_request_exception = False
    response = api_admin.post_json(url(account, "deactivate/"), {"boom": True})
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert reload(account).is_active


def test_session_writes_need_csrf(account: User, api_admin: ApiClient) -> None:
    assert api_admin.user is not None
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(api_admin.user)
    response = browser.post(url(account, "deactivate/"), json.dumps({"reason": "x"}), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    program = ApiClient(api_admin.user, enforce_csrf_checks=True)
    assert program.post_json(url(account, "deactivate/"), {"reason": "x"}).status_code == 200


def test_the_schema_documents_the_transitions_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(out),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    paths = json.loads(out.read_text())["paths"]
    assert set(paths[f"{API}/test-accounts/{{id}}/transitions/"]) == {"get"}
    assert set(paths[f"{API}/test-accounts/{{id}}/transitions/{{name}}/"]) == {"post"}
