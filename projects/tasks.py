"""What follows a PTAI's transition once it is committed, whatever door applied it (pages, API,
demo, imports): the letters it produces and the e-mails it sends.

`services.apply_transition` enqueues `after_transition` with `transaction.on_commit`: nothing is
generated or sent for a transition that was rolled back, and a failure here never undoes it.

Idempotent, as every task (a failed task is run again, `jobs.tasks.recover_tasks`): the letters are
generated only if the transition has none yet, and the e-mails written again by a second run carry
the same keys in the outbox (`jobs.mail`), so they leave once.
"""

from __future__ import annotations

from django.tasks import task

from projects.documents import documents_for, letters_exist
from projects.models import ProjectTransition
from projects.notifications import notify_transition


@task
def after_transition(transition_id: int) -> None:
    log = ProjectTransition.objects.select_related("project", "actor").get(pk=transition_id)
    if not letters_exist(log):
        documents_for(log.project, log.transition, log.actor)
    notify_transition(transition_id)
