from typing import Any

from django.core.management.base import BaseCommand

from steering.reminders import remind_reports


class Command(BaseCommand):
    help = "Crée les bilans dus et envoie les rappels avant et après leur échéance (idempotent, quotidien)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = remind_reports()
        self.stdout.write(
            f"{run.created} bilan(s) créé(s), {run.before} rappel(s) avant échéance, {run.after} relance(s) de retard."
        )
