"""`manage.py purge_expired`: what has outlived its RGPD retention (jobs.retention), dry run unless --apply."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jobs import retention


class Command(BaseCommand):
    help = "Purge les données arrivées à échéance (RGPD). Sans --apply : compte seulement, ne supprime rien."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="supprime vraiment (sinon : simulation)")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = retention.purge() if options["apply"] else retention.expired()
        verb = "purgés" if options["apply"] else "à purger (simulation, rien n'est supprimé ; --apply pour purger)"
        self.stdout.write(f"Données arrivées à échéance, {verb} :")
        for label, count in counts.items():
            self.stdout.write(f"  {label} : {count}")
