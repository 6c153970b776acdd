"""manage.py import_contracts FILE [--dry-run] [--partial] [--report FILE.json] --user EMAIL"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.contracts import import_contracts
from imports.reading import FileError

STATUS_LABELS = {"created": "créé", "present": "présent", "ambiguous": "ambigu", "rejected": "refusé"}


class Command(BaseCommand):
    help = (
        "Importe les contrats (CTAIR, CTAI) et les PTAI passés d'un tableur CSV ou XLSX aux colonnes collectivite, "
        "departement, type_collectivite, dispositif, annee_signature, montant_annuel_etat, date_fin, source, "
        "intitule."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="le fichier CSV (séparateur , ou ;, UTF-8) ou XLSX")
        parser.add_argument("--user", required=True, help="l'adresse e-mail du compte qui importe (le journal la cite)")
        parser.add_argument("--dry-run", action="store_true", help="n'écrit rien, montre ce que ferait l'import")
        parser.add_argument(
            "--partial", action="store_true", help="écrit les bonnes lignes même si d'autres sont refusées"
        )
        parser.add_argument("--report", help="écrit le compte rendu JSON dans ce fichier")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        user = get_user_model().objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif « {options['user']} ».")
        try:
            outcome = import_contracts(
                content=path.read_bytes(),
                file_name=path.name,
                user=user,
                dry_run=options["dry_run"],
                partial=options["partial"],
            )
        except FileError as error:
            raise CommandError(str(error)) from None
        if options["report"]:
            Path(options["report"]).write_text(
                json.dumps(outcome.report(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        self.stdout.write(table(outcome.report()["rows"], [r.name for r in outcome.rows]))
        self.stdout.write(outcome.summary())
        if outcome.failed and not options["dry_run"] and not options["partial"]:
            raise CommandError("Import refusé : rien n'a été écrit.")


def table(rows: list[dict[str, Any]], names: list[str]) -> str:
    """The report as a plain text table: row, status, name in the file, collectivité found, detail."""
    lines = [("ligne", "statut", "nom dans le fichier", "collectivité", "détail")]
    for row, name in zip(rows, names, strict=True):
        authority = row["authority"]
        found = f"{authority['name']} ({authority['code']})" if authority else ""
        detail = row["reason"]
        if row["candidates"]:
            detail += " Candidats : " + " ; ".join(f"{c['name']} ({c['code']})" for c in row["candidates"])
        lines.append((str(row["row"]), STATUS_LABELS[row["status"]], name, found, detail))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:4])) + "  " + line[4] for line in lines
    )
