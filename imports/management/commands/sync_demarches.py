"""manage.py sync_demarches: poll every connected démarche of Démarches Simplifiées once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from imports.ds.sync import SyncResult, sync_all


class Command(BaseCommand):
    help = "Synchronise les dossiers des démarches connectées de Démarches Simplifiées en brouillons de PTAI."

    def handle(self, *args: Any, **options: Any) -> None:
        for number, result in sync_all().items():
            if isinstance(result, SyncResult):
                shown = ", ".join(f"{label} {count}" for label, count in result.details().items())
                self.stdout.write(f"Démarche n° {number} : {shown}.")
            else:
                self.stderr.write(f"Démarche n° {number} : {result}")
