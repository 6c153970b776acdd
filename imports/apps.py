from __future__ import annotations

from functools import partial
from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save


def _decision_taken(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A PTAI's transition was logged: if it is a decision on a dossier of a démarche writing its
    decisions back, the task that writes it on DS is enqueued once the transition is committed."""
    from imports.ds.decisions import concerned
    from imports.tasks import write_back_decision

    if created and not raw and concerned(instance):
        transaction.on_commit(partial(write_back_decision.enqueue, instance.pk))


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports (tableurs, Démarches Simplifiées)"

    def ready(self) -> None:
        post_save.connect(_decision_taken, sender="projects.ProjectTransition", dispatch_uid="imports.ds_write_back")
