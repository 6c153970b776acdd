"""Scheduled jobs of the steering (django.tasks). `remind_reports`: daily at 07:00 Europe/Paris
(cron `0 7 * * *`, enqueued by `manage.py crontask`); idempotent (see `steering.reminders`).
`refresh_summaries`: every 15 minutes, so that the national dashboards' summaries never wait long
behind a day of writes (the first national visit after the writes would do it otherwise)."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from steering.reminders import remind_reports as run_reminders


@cron("0 7 * * *")  # type: ignore[untyped-decorator]
@task
def remind_reports() -> dict[str, int]:
    run = run_reminders()
    return {"created": run.created, "before": run.before, "after": run.after}


@cron("*/15 * * * *")  # type: ignore[untyped-decorator]
@task
def refresh_summaries() -> int:
    from steering.models import SummaryChange
    from steering.summaries import refresh

    waiting = SummaryChange.objects.count()
    refresh()
    return waiting


@task
def build_annual_report(campaign_id: int, user_id: int, requested_at: str) -> int:
    """Generate the annual programme report the Diair asked for at `requested_at` (ISO). Idempotent:
    a run again after a success (`jobs.tasks.recover_tasks`) returns the version already made."""
    from datetime import datetime

    from accounts.models import User
    from programme.models import Campaign
    from steering.annual import generate_annual_report, reports_of

    campaign = Campaign.objects.get(pk=campaign_id)
    done = reports_of(campaign).filter(created_at__gte=datetime.fromisoformat(requested_at)).first()
    if done is not None:
        return done.pk
    return generate_annual_report(user=User.objects.get(pk=user_id), campaign=campaign).pk
