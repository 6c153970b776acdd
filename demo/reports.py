"""Demo reports on actions, through the real services: the collectivité's agent enters the counts
and hands the report in, the State agent accepts it. Used before the balance of each closed PTAI
and programming year (the balance waits for the accepted final report), and by `demo.steering`
for reports on time, late and sent back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from reporting.enums import Period, ReportState, ReportTransitionName
from reporting.models import Report
from reporting.services import apply_transition, save_report


def counts(planned_bpi: int, planned_newcomers: int, share: float = 0.9) -> dict[str, int]:
    """Aggregate counts consistent with the form's checks (sex and age bands add up)."""
    bpi = int((planned_bpi or 0) * share)
    others = int((planned_newcomers or 0) * share)
    total = bpi + others
    women = total // 2
    under_18, young = total // 10, total // 4
    middle = total // 2
    return {
        "bpi_reached": bpi,
        "newcomers_reached": others,
        "women": women,
        "men": total - women,
        "age_under_18": under_18,
        "age_18_25": young,
        "age_26_45": middle,
        "age_46_plus": total - under_18 - young - middle,
        "hours": total * 24,
        "exits_housing": total // 6,
        "exits_employment": total // 5,
        "language_progress": total // 3,
    }


NARRATIVE = (
    "L'action s'est déroulée comme prévu : ateliers hebdomadaires, accompagnement individuel vers le "
    "logement et l'emploi, partenariat avec France Travail et les bailleurs. Les chiffres sont des "
    "totaux, sans aucune donnée nominative."
)


def file_report(
    *,
    target: models.Model,
    period: str,
    agent: Any,
    reviewer: Any | None,
    values: dict[str, int],
    spent: Decimal | None,
) -> Report:
    """Enter and hand in the report of `period` (already expected), accepted by `reviewer` if given."""
    report = Report.objects.for_target(target).get(period=period)
    if report.state == ReportState.EXPECTED:
        report = save_report(report=report, user=agent, values=values, narrative=NARRATIVE, spent_amount=spent)
        report = apply_transition(report=report, name=ReportTransitionName.SUBMIT, user=agent)
    if reviewer is not None and report.state == ReportState.SUBMITTED:
        report = apply_transition(report=report, name=ReportTransitionName.ACCEPT, user=reviewer)
    return report


def accept_final_report(*, target: Any, agent: Any, reviewer: Any, spent: Decimal | None) -> Report:
    """The final report of a PTAI or a CTAI action, entered by `agent`, accepted by `reviewer`."""
    from contracts.models import Action
    from steering.schedule import ensure_action_reports, ensure_project_reports

    if isinstance(target, Action):
        ensure_action_reports(target)
    else:
        ensure_project_reports(target)
    values = counts(target.planned_bpi or 0, target.planned_newcomers or 0)
    return file_report(target=target, period=Period.FINAL, agent=agent, reviewer=reviewer, values=values, spent=spent)
