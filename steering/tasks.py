"""Scheduled jobs of the steering (django.tasks). `remind_reports`: daily at 07:00 Europe/Paris
(cron `0 7 * * *`), wired by the runtime's scheduler; idempotent (see `steering.reminders`)."""

from __future__ import annotations

from django.tasks import task

from steering.reminders import remind_reports as run_reminders


@task
def remind_reports() -> dict[str, int]:
    run = run_reminders()
    return {"created": run.created, "before": run.before, "after": run.after}
