"""The Démarches Simplifiées tasks.

- `sync_demarches`: the scheduled sync (`manage.py crontask` enqueues it every ten minutes).
  Idempotent: a run with nothing new on DS changes nothing but the timeline's « synchronisation »
  event.
- `sync_demarche_now`: one démarche, at once (the button « Synchroniser maintenant » of its page).
- `write_back_decision`: a decision on a PTAI written back to its dossier (`imports.ds.decisions`),
  enqueued once the transition is committed; a refusal of DS fails the task, which
  `jobs.tasks.recover_tasks` runs again with backoff. Idempotent (a decision is written once).
"""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from imports.ds.client import DsError
from imports.ds.decisions import write_back
from imports.ds.sync import SyncResult, sync_all, sync_demarche
from imports.models import Demarche


@cron("*/10 * * * *")  # type: ignore[untyped-decorator]
@task
def sync_demarches() -> dict[str, object]:
    results = sync_all()
    return {str(number): (r.details() if isinstance(r, SyncResult) else r) for number, r in results.items()}


@task
def sync_demarche_now(demarche_id: int) -> dict[str, int] | str:
    demarche = Demarche.objects.filter(pk=demarche_id).first()
    if demarche is None or not demarche.mapping:
        return "démarche absente ou sans correspondance"
    try:
        return sync_demarche(demarche=demarche).details()
    except DsError as error:  # recorded as the task's result; the next scheduled sync tries again
        return str(error)


@task
def write_back_decision(transition_id: int) -> str:
    return write_back(transition_id)
