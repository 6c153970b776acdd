"""What every row of a spreadsheet import shares: its report, its outcome, the reading of its values.

Used by `imports.contracts` (the file, the contracts' rows) and `imports.ptai` (the past PTAI's rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.numbers import parse_euros
from imports.matching import AMBIGUOUS, Candidate

CREATED, PRESENT, REJECTED = "created", "present", "rejected"
FIRST_YEAR = 2015
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


@dataclass
class RowReport:
    row: int
    status: str
    authority: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
    contract_id: int | None = None
    project_id: int | None = None
    name: str = ""  # the name as written in the file (shown beside the report)

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "status": self.status,
            "authority": self.authority.as_report() if self.authority else None,
            "candidates": [c.as_report() for c in self.candidates],
            "reason": self.reason,
        }


@dataclass
class ImportOutcome:
    rows: list[RowReport]
    written: bool  # something may have been created (a real run that was not refused)
    dry_run: bool
    partial: bool

    def report(self) -> dict[str, Any]:
        """The report of the issue's format: {"rows": [{"row", "status", "authority", "candidates", "reason"}]}."""
        return {"rows": [r.as_json() for r in self.rows]}

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.status in (AMBIGUOUS, REJECTED) for r in self.rows)

    def summary(self) -> str:
        counts = (
            f"{self.count(CREATED)} créé(s), {self.count(PRESENT)} déjà présent(s), "
            f"{self.count(AMBIGUOUS)} ambigu(s), {self.count(REJECTED)} refusé(s)"
        )
        if self.dry_run:
            return f"Essai sans écriture : {counts}. Rien n'a été écrit."
        if not self.written:
            return (
                f"{counts}. Rien n'a été écrit : corrigez les lignes ambiguës ou refusées, ou importez les "
                "autres lignes seules (import partiel)."
            )
        return f"Import terminé : {counts}."


class RowError(Exception):
    """A value of the row that cannot be read, or a row that cannot be imported; the message is French."""


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def year_number(value: Any) -> int:
    """The digits of `annee_signature` (bounds checked by `year`)."""
    written = text(value)
    if not written.isdigit():
        raise RowError(f"annee_signature « {written} » : indiquez une année, par exemple 2019.")
    return int(written)


def year(value: Any) -> int:
    number = year_number(value)
    if not FIRST_YEAR <= number <= timezone.localdate().year:
        raise RowError(f"annee_signature {number} : l'année doit être entre {FIRST_YEAR} et l'année en cours.")
    return number


def amount(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):  # an XLSX number cell
        value = int(value) if value.is_integer() else Decimal(repr(value))
    try:
        return parse_euros(value)
    except ValidationError as error:
        raise RowError(f"montant_annuel_etat « {text(value)} » : {' '.join(error.messages)}") from None


def day(value: Any, column: str) -> date | None:
    if isinstance(value, date):
        return value
    written = text(value)
    if not written:
        return None
    match = _FRENCH_DATE.match(written)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(written)
    except ValueError:
        raise RowError(f"{column} « {written} » : indiquez une date jj/mm/aaaa, par exemple 31/12/2021.") from None
