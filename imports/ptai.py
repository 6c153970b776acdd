"""The PTAI rows of a spreadsheet: past PTAI, written as historical records (docs/adr/0004-historical-ptai.md).

A row with `dispositif` PTAI goes through the same reading, name resolution, report, dry run and
all-or-nothing as the contracts (`imports.contracts.import_contracts`), then here:

- its year must be a **past campaign** (before the campaign open now, `Campaign.current_year()`):
  a PTAI of the current or a future year is filed on the platform, so the row is `rejected`;
- `montant_annuel_etat` is required (the amount the State granted) and the PTAI must be over
  (`date_fin` past, or absent: a past campaign's project is taken as ended);
- `present` when the collectivité already has a PTAI of that year for that amount — with the same
  title when the row has an `intitule` —; a row whose amount matches a PTAI filed on the platform
  under another title is `rejected` (perhaps the same project: never guessed);
- else the PTAI is written by `projects.historical.record_historical` (closed, no avis, no decision,
  no commitment, no ledger entry) and an audit event « PTAI passé repris d'un tableur » names the
  file, the row, the name in the file and who imported it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.services import record_event
from core.formats import format_euros
from core.text import search_key
from imports.matching import Candidate
from imports.rows import CREATED, PRESENT, REJECTED, RowError, RowReport, format_date
from programme.models import Campaign
from projects.errors import TransitionError
from projects.historical import record_historical
from projects.models import Project
from referential.models import Authority


@dataclass(frozen=True)
class PtaiRow:
    number: int
    name: str  # as written in the file
    authority: Candidate
    year: int
    amount: Decimal
    ends_on: date | None
    source: str
    title: str  # the `intitule` column, may be empty


def check_year(year: int, current: int) -> None:
    """Only past campaigns: a PTAI of the campaign open now (or a later one) is filed on the platform."""
    if year >= current:
        raise RowError(
            f"dispositif PTAI, année {year} : un PTAI de l'année en cours ({current}) ou à venir se dépose sur "
            f"la plateforme ; seuls les PTAI des campagnes passées (jusqu'à {current - 1}) se reprennent d'un "
            "tableau."
        )


def check_values(year: int, amount: Decimal | None, ends_on: date | None) -> None:
    if amount is None or amount <= 0:
        raise RowError(
            "montant_annuel_etat : indiquez le montant accordé par l'État à ce PTAI ; un PTAI repris d'un tableau "
            "porte son montant historique."
        )
    if ends_on is None:
        return
    if ends_on < date(year, 1, 1):
        raise RowError(f"date_fin {format_date(ends_on)} : elle précède l'année du PTAI ({year}).")
    if ends_on >= timezone.localdate():
        raise RowError(
            f"date_fin {format_date(ends_on)} : ce PTAI n'est pas terminé. Seuls les PTAI achevés se reprennent "
            "d'un tableau : les versements d'un projet en cours passent par le registre des écritures de la "
            "plateforme, qu'un dossier repris ne porte pas."
        )


def default_title(year: int, authority_name: str) -> str:
    return f"PTAI {year} — {authority_name} (repris)"


def _same(row: PtaiRow, title: str) -> tuple[Project | None, Project | None]:
    """(the PTAI this row already is, a platform PTAI it may be): same collectivité, year and amount;
    with an `intitule`, the same title too."""
    candidates = Project.objects.filter(
        lead_authority_id=row.authority.pk, campaign__year=row.year, granted_amount=row.amount
    ).order_by("pk")
    key = search_key(title)
    doubtful = None
    for project in candidates:
        if not row.title or search_key(project.title) == key:
            return project, None
        if not project.historical and doubtful is None:
            doubtful = project
    return None, doubtful


def import_row(row: PtaiRow, campaigns: dict[int, Campaign], *, user: Any, file_name: str) -> RowReport:
    found = row.authority
    report = RowReport(row=row.number, status=REJECTED, authority=found, name=row.name)
    title = row.title or default_title(row.year, found.name)
    existing, doubtful = _same(row, title)
    if existing is not None:
        report.status, report.project_id = PRESENT, existing.pk
        report.reason = (
            f"{found.name} a déjà ce PTAI de {row.year} ({existing.reference}, {format_euros(row.amount)}) : "
            "rien n'est créé."
        )
        return report
    if doubtful is not None:
        raise RowError(
            f"{found.name} a déjà un PTAI {row.year} de {format_euros(row.amount)} déposé sur la plateforme "
            f"({doubtful.reference}, « {doubtful.title} ») : s'il s'agit du même projet, retirez la ligne ; "
            "sinon, donnez-lui un intitulé qui l'en distingue et vérifiez-le."
        )
    campaign = campaigns.get(row.year)
    if campaign is None:
        raise RowError(
            f"Aucune campagne {row.year} sur la plateforme : un administrateur la crée avant d'importer les PTAI "
            f"de {row.year}."
        )
    try:
        project = record_historical(
            user=user,
            campaign=campaign,
            lead=Authority.objects.get(pk=found.pk),
            amount=row.amount,
            title=title,
            file_name=file_name,
            ends_on=row.ends_on,
            change_reason=f"Repris du fichier {file_name}, ligne {row.number}",
        )
    except TransitionError as error:
        raise RowError(" ".join(error.messages)) from None
    except PermissionDenied as error:
        raise RowError(str(error)) from None
    details: dict[str, Any] = {
        "fichier": file_name,
        "ligne": row.number,
        "nom dans le fichier": row.name,
        "état": "Soldé (dossier repris, hors registre des écritures)",
        "montant accordé": format_euros(row.amount),
    }
    if row.ends_on:
        details["fin"] = format_date(row.ends_on)
    if row.source:
        details["source"] = row.source
    record_event(actor=user, verb="imports.ptai_imported", target=project, details=details)
    report.status, report.project_id = CREATED, project.pk
    report.reason = f"PTAI {row.year} soldé, repris ({project.reference}), {format_euros(row.amount)} accordés"
    return report
