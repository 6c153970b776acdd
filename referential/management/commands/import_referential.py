from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from referential.importer import DEFAULT_SNAPSHOT, import_snapshot


class Command(BaseCommand):
    help = "Importe (ou met à jour) le référentiel géographique depuis l'instantané du COG livré avec le code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT, help="fichier .json.gz à importer")

    def handle(self, *args: Any, snapshot: Path, **options: Any) -> None:
        report = import_snapshot(snapshot)
        self.stdout.write(report.summary())
        counts = ", ".join(f"{key} {value}" for key, value in report.counts.items())
        self.stdout.write(f"En base : {counts}.")
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("Déjà à jour : rien n'a changé."))
