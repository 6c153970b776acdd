"""The scheduled Démarches Simplifiées sync, as a task (`manage.py crontask` enqueues it every ten
minutes). Idempotent: a run with nothing new on DS changes nothing but the timeline's
« synchronisation » event."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from imports.ds.sync import SyncResult, sync_all


@cron("*/10 * * * *")  # type: ignore[untyped-decorator]
@task
def sync_demarches() -> dict[str, object]:
    results = sync_all()
    return {str(number): (r.details() if isinstance(r, SyncResult) else r) for number, r in results.items()}
