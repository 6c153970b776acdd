"""A final report already accepted, for the tests of what follows it (the balance of a PTAI or of a
programming year). The report's own life is tested through its services in tests/reporting."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from reporting.enums import Period, ReportState
from reporting.models import Report
from steering.schedule import ensure_action_reports, ensure_project_reports


def accepted_final_report(target: Any) -> Report:
    """The final report of a funded PTAI or of an accepted action, handed in and accepted."""
    from contracts.models import Action

    if isinstance(target, Action):
        ensure_action_reports(target)
    else:
        ensure_project_reports(target)
    report = Report.objects.for_target(target).get(period=Period.FINAL)
    Report.objects.filter(pk=report.pk).update(
        state=ReportState.ACCEPTED,
        values={"bpi_reached": 12, "newcomers_reached": 18},
        narrative="Action menée comme prévu.",
        submitted_at=timezone.now(),
        reviewed_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


def accept_programming_reports(programming: Any) -> None:
    from contracts.enums import ActionReview

    for action in programming.actions.filter(review=ActionReview.ACCEPTED):
        accepted_final_report(action)
