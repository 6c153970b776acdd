"""The daily reminders of reports (idempotent): each report gets at most one reminder before its
due date (`BEFORE_DAYS` ahead) and one after it, whatever how often the job runs.

Intended schedule: once a day at 07:00 Europe/Paris (cron `0 7 * * *`), through the runtime's
scheduler, which enqueues `steering.tasks.remind_reports`; `manage.py remind_reports` runs the same
job by hand. Each report is claimed by a conditional UPDATE (`…_at IS NULL`) before its e-mail is
sent, so two workers running at once send it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from reporting.enums import ReportState
from reporting.models import Report
from reporting.notifications import send_reminder
from steering.schedule import ensure_reports

BEFORE_DAYS = 15
OPEN = (ReportState.EXPECTED, ReportState.COMPLETION_REQUESTED)


@dataclass(frozen=True)
class ReminderRun:
    created: int
    before: int
    after: int


def _claim(report_id: int, field: str) -> bool:
    """Mark the reminder sent, once: True for the one caller that set it."""
    return bool(Report.objects.filter(pk=report_id, **{f"{field}__isnull": True}).update(**{field: timezone.now()}))


def remind_reports(today: date | None = None) -> ReminderRun:
    today = today or timezone.localdate()
    created = ensure_reports()
    soon = Report.objects.filter(
        state=ReportState.EXPECTED,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=BEFORE_DAYS),
        reminded_before_at__isnull=True,
    )
    late = Report.objects.filter(state__in=OPEN, due_on__lt=today, reminded_after_at__isnull=True)
    counts = {"before": 0, "after": 0}
    for key, queryset, field in (
        ("before", soon, "reminded_before_at"),
        ("after", late, "reminded_after_at"),
    ):
        for report in queryset.select_related("department"):
            with transaction.atomic():
                if _claim(report.pk, field):
                    transaction.on_commit(partial(send_reminder, report, late=key == "after"))
                    counts[key] += 1
    return ReminderRun(created=created, before=counts["before"], after=counts["after"])
