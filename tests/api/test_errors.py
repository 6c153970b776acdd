"""The error body for each kind of exception (api.errors), called directly. The same errors
through real requests: test_transitions.py, test_auth.py, test_endpoints.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions

from api.errors import INVALID, exception_handler
from finance.services import FinanceError
from programme.enums import Severity
from programme.rules import Finding

CONTEXT: dict[str, Any] = {"request": None, "view": None}


def handle(exc: Exception) -> tuple[int, dict[str, Any]]:
    response = exception_handler(exc, CONTEXT)
    assert response is not None
    return response.status_code, response.data


def test_finance_error() -> None:
    status, body = handle(FinanceError("Le montant doit être supérieur à zéro.", code="amount_positive"))
    assert status == 400
    assert body == {
        "detail": "Le montant doit être supérieur à zéro.",
        "code": "amount_positive",
        "errors": {"non_field_errors": ["Le montant doit être supérieur à zéro."]},
        "rule_ids": [],
    }


def test_django_validation_error_by_field() -> None:
    status, body = handle(
        ValidationError(
            {
                "title": [ValidationError("Indiquez un titre.", code="required")],
                "__all__": [ValidationError("La date de fin précède la date de début.", code="dates")],
            }
        )
    )
    assert status == 400
    assert body == {
        "detail": INVALID,
        "code": "invalid",
        "errors": {
            "title": ["Indiquez un titre."],
            "non_field_errors": ["La date de fin précède la date de début."],
        },
        "rule_ids": [],
    }


def test_a_list_error_keeps_its_code_and_rule_ids() -> None:
    """The shape of projects.errors.TransitionError: messages, a code, `rule_ids`."""

    class TransitionError(ValidationError):
        def __init__(self, messages: list[str], *, code: str, rule_ids: list[str]) -> None:
            super().__init__(messages, code=code)
            self.code = code
            self.rule_ids = rule_ids

    status, body = handle(
        TransitionError(["Ajoutez un domaine d'intervention."], code="rules", rule_ids=["ptai_min_domains"])
    )
    assert status == 400
    assert body["detail"] == "Ajoutez un domaine d'intervention."
    assert body["code"] == "rules"
    assert body["rule_ids"] == ["ptai_min_domains"]


def test_findings_give_rule_ids_and_field_messages() -> None:
    findings = [
        Finding("ptai_min_domains", Severity.BLOCKING, "Ajoutez un domaine.", "domains"),
        Finding("ptai_engagement_required", Severity.BLOCKING, "Décrivez l'engagement.", "engagement"),
        Finding("ptai_diagnostic_advised", Severity.WARNING, "Un diagnostic est conseillé.", "diagnostic"),
    ]
    error = ValidationError([ValidationError(f.message, code="rules") for f in findings[:2]])
    error.findings = findings  # type: ignore[attr-defined]
    status, body = handle(error)
    assert status == 400
    assert body == {
        "detail": INVALID,
        "code": "invalid",
        "errors": {"domains": ["Ajoutez un domaine."], "engagement": ["Décrivez l'engagement."]},
        "rule_ids": ["ptai_min_domains", "ptai_engagement_required"],
    }


def test_nested_drf_errors_are_dotted() -> None:
    status, body = handle(exceptions.ValidationError({"budget": [{}, {"amount": ["Montant invalide."]}]}))
    assert status == 400
    assert body["errors"] == {"budget.1.amount": ["Montant invalide."]}
    assert body["detail"] == "Montant invalide."


def test_not_found_and_permission_denied() -> None:
    assert handle(Http404("Project matching query does not exist.")) == (
        404,
        {"detail": "Introuvable.", "code": "not_found", "errors": {}, "rule_ids": []},
    )
    status, body = handle(PermissionDenied())
    assert status == 403
    assert body["detail"] == "Vous n'avez pas la permission d'effectuer cette action."
    status, body = handle(PermissionDenied("Seul le Ministère délègue les crédits."))
    assert (status, body["detail"], body["code"]) == (
        403,
        "Seul le Ministère délègue les crédits.",
        "permission_denied",
    )


def test_drf_messages_are_french() -> None:
    assert handle(exceptions.MethodNotAllowed("POST"))[1]["detail"] == "Méthode «\u00a0POST\u00a0» non autorisée."
    assert handle(exceptions.NotAuthenticated())[1]["detail"] == "Informations d'authentification non fournies."
