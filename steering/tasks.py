"""Scheduled jobs of the steering (django.tasks). `remind_reports`: daily at 07:00 Europe/Paris
(cron `0 7 * * *`, enqueued by `manage.py crontask`); idempotent (see `steering.reminders`)."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from steering.reminders import remind_reports as run_reminders


@cron("0 7 * * *")  # type: ignore[untyped-decorator]
@task
def remind_reports() -> dict[str, int]:
    run = run_reminders()
    return {"created": run.created, "before": run.before, "after": run.after}
