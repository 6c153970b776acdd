"""Qualitative evaluations (F23): the actions a steering committee retains (a contract's own
committee, `contracts.SteeringCommittee.evaluated_actions`, or a national or départemental one), and
any the Diair picks, get an evaluation — evaluator, questions, method, findings, recommendations,
the attached report, the date and a summary shown on the action, the contract and in the national
figures. Recorded by the Diair (or the Ministère)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from accounts.enums import Role
from accounts.permissions import holds
from audit.services import record_event
from contracts.models import Action
from projects.models import Project
from steering.committees import timeline_target
from steering.models import Committee, Evaluation


def may_evaluate(user: Any) -> bool:
    return holds(user, Role.DIAIR, Role.MINISTRY)


@transaction.atomic
def record_evaluation(
    *,
    user: Any,
    target: Action | Project,
    evaluator: str,
    questions: str,
    method: str,
    findings: str = "",
    recommendations: str = "",
    summary: str = "",
    completed_on: date | None = None,
    committee: Committee | None = None,
) -> Evaluation:
    if not may_evaluate(user):
        raise PermissionDenied("La Diair enregistre les évaluations qualitatives.")
    errors: dict[str, list[str]] = {}
    for name, value, message in (
        ("evaluator", evaluator, "Indiquez l'évaluateur."),
        ("questions", questions, "Indiquez les questions évaluatives."),
        ("method", method, "Indiquez la méthode."),
    ):
        if not value.strip():
            errors[name] = [message]
    if completed_on is not None and not summary.strip():
        errors["summary"] = ["Une évaluation rendue a sa synthèse."]
    if errors:
        raise ValidationError(errors)
    if isinstance(target, Action):
        contract = target.programming.contract
        department, authority = contract.department, contract.authority
    else:
        contract, department, authority = None, target.department, target.lead_authority
    evaluation, _ = Evaluation.objects.update_or_create(
        target_type_id=_type_id(target),
        target_id=target.pk,
        defaults={
            "title": target.title,
            "department": department,
            "authority": authority,
            "contract": contract,
            "committee": committee,
            "evaluator": evaluator.strip(),
            "questions": questions.strip(),
            "method": method.strip(),
            "findings": findings.strip(),
            "recommendations": recommendations.strip(),
            "summary": summary.strip(),
            "completed_on": completed_on,
            "created_by": user,
        },
    )
    details = {"action": target.title, "évaluateur": evaluation.evaluator}
    if completed_on:
        details["rendue le"] = f"{completed_on:%d/%m/%Y}"
    record_event(actor=user, verb="steering.evaluation_recorded", target=timeline_target(target), details=details)
    return evaluation


def _type_id(target: Any) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(target).pk


def evaluations_of_contract(contract: Any) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(contract=contract).order_by("-completed_on", "pk")


def evaluation_of(target: Any) -> Evaluation | None:
    return Evaluation.objects.filter(target_type_id=_type_id(target), target_id=target.pk).first()
