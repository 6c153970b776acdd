"""Importing the contracts kept in spreadsheets (the Diair's CTAIR and CTAI since 2019), and the past
PTAI they list (`imports.ptai`).

`import_contracts(*, content, file_name, user, dry_run, partial)` is the one way, for the command
`manage.py import_contracts` and the upload page alike. Each data row (counted from 1) ends as:

- `created`: the contract is written — kind, campaign of `annee_signature` and its rules, the
  collectivité, state `signed` (or `ended` when `date_fin` is past), the annual amount as the
  figure of its programming for that year, and an audit event « Contrat importé d'un tableur »
  naming the file, the row and who imported it (the contract's timeline shows it); a PTAI row of a
  past campaign is written as a historical PTAI (`imports.ptai`);
- `present`: the collectivité already has a contract of that kind for that year, or that PTAI (a
  second import of the same file creates nothing);
- `ambiguous`: several collectivités answer to the name (the candidates are listed);
- `rejected`: nothing found, or a value that cannot be read (the reason says which).

The whole file is one transaction: with one row ambiguous or rejected, nothing is written unless
`partial` (then each good row is written, each bad one left out). `dry_run` writes nothing and
reports what a real run would do.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record_event
from contracts.enums import ContractKind, ContractState
from contracts.models import Contract, Programming
from contracts.services import department_for
from core.formats import format_euros
from core.text import search_key
from imports import ptai
from imports.matching import AMBIGUOUS, FOUND, TYPE_HINTS, Candidate, Matcher
from imports.reading import read_sheet
from imports.rows import (
    CREATED,
    PRESENT,
    REJECTED,
    ImportOutcome,
    RowError,
    RowReport,
    amount,
    day,
    format_date,
    text,
    year,
    year_number,
)
from programme.models import Campaign
from referential.models import Authority

REQUIRED = ("collectivite", "dispositif", "annee_signature")
COLUMNS = (
    "collectivite",
    "departement",
    "type_collectivite",
    "dispositif",
    "annee_signature",
    "montant_annuel_etat",
    "date_fin",
    "source",
    "intitule",
)
KINDS = {"CTAIR": ContractKind.CTAIR, "CTAI": ContractKind.CTAI}
PTAI = "PTAI"


def import_contracts(
    *, content: bytes, file_name: str, user: Any, dry_run: bool = False, partial: bool = False
) -> ImportOutcome:
    """Read the file and import its rows (see the module). Raises `imports.reading.FileError` when
    the file itself cannot be read (nothing is looked up then)."""
    sheet = read_sheet(content, file_name, required=REQUIRED)
    matcher = Matcher()
    campaigns = {c.year: c for c in Campaign.objects.all()}
    current = Campaign.objects.current_year()
    reports: list[RowReport] = []
    with transaction.atomic():
        for number, row in enumerate(sheet.rows, start=1):
            try:
                with transaction.atomic():  # one savepoint per row: a refused row leaves nothing
                    report = _import_row(
                        number, row, matcher, campaigns, current=current, user=user, file_name=file_name
                    )
            except RowError as error:
                report = RowReport(row=number, status=REJECTED, reason=str(error), name=text(row.get("collectivite")))
            reports.append(report)
        outcome = ImportOutcome(rows=reports, written=False, dry_run=dry_run, partial=partial)
        outcome.written = not dry_run and (partial or not outcome.failed) and outcome.count(CREATED) > 0
        if outcome.written:
            record_event(
                actor=user,
                verb="imports.contract_import_run",
                target=None,
                details={
                    "fichier": file_name,
                    "créés": outcome.count(CREATED),
                    "déjà présents": outcome.count(PRESENT),
                    "ambigus": outcome.count(AMBIGUOUS),
                    "refusés": outcome.count(REJECTED),
                    "partiel": partial,
                },
            )
        else:
            transaction.set_rollback(True)
    return outcome


def _import_row(
    number: int,
    row: dict[str, Any],
    matcher: Matcher,
    campaigns: dict[int, Campaign],
    *,
    current: int,
    user: Any,
    file_name: str,
) -> RowReport:
    name = text(row.get("collectivite"))
    scheme = text(row.get("dispositif")).upper()
    if scheme not in (*KINDS, PTAI):
        raise RowError(f"dispositif « {scheme} » : indiquez CTAIR, CTAI ou PTAI.")
    if scheme == PTAI:
        ptai.check_year(year_number(row.get("annee_signature")), current)
    signed_year = year(row.get("annee_signature"))
    type_hint = search_key(text(row.get("type_collectivite"))).replace(" ", "_")
    if type_hint and type_hint not in TYPE_HINTS:
        raise RowError(
            f"type_collectivite « {text(row.get('type_collectivite'))} » : indiquez {', '.join(TYPE_HINTS)}."
        )
    department = None
    if text(row.get("departement")):
        department = matcher.department(text(row.get("departement")))
        if department is None:
            raise RowError(f"departement « {text(row.get('departement'))} » : ce n'est pas un code de département.")
    annual = amount(row.get("montant_annuel_etat"))
    ends_on = day(row.get("date_fin"), "date_fin")
    source = text(row.get("source"))
    if scheme == PTAI:
        ptai.check_values(signed_year, annual, ends_on)
        signed_on = None
    else:
        signed_on = day(row.get("date_signature"), "date_signature")

    resolution = matcher.resolve(name, department=department, type_hint=type_hint)
    if resolution.status != FOUND or resolution.authority is None:
        return RowReport(
            row=number, status=resolution.status, candidates=resolution.candidates, reason=resolution.reason, name=name
        )
    found = resolution.authority
    if scheme == PTAI:
        assert annual is not None  # checked by ptai.check_values
        return ptai.import_row(
            ptai.PtaiRow(
                number=number,
                name=name,
                authority=found,
                year=signed_year,
                amount=annual,
                ends_on=ends_on,
                source=source,
                title=text(row.get("intitule")),
            ),
            campaigns,
            user=user,
            file_name=file_name,
        )
    return _import_contract(
        number,
        name,
        found,
        scheme,
        signed_year,
        annual,
        ends_on,
        signed_on,
        source,
        campaigns,
        user=user,
        file_name=file_name,
    )


def _import_contract(
    number: int,
    name: str,
    found: Candidate,
    scheme: str,
    year: int,
    amount: Decimal | None,
    ends_on: date | None,
    signed_on: date | None,
    source: str,
    campaigns: dict[int, Campaign],
    *,
    user: Any,
    file_name: str,
) -> RowReport:
    report = RowReport(row=number, status=REJECTED, authority=found, name=name)
    kind = KINDS[scheme]
    existing = Contract.objects.filter(authority_id=found.pk, kind=kind, campaign__year=year).order_by("pk").first()
    if existing is not None:
        report.status, report.contract_id = PRESENT, existing.pk
        report.reason = f"{found.name} a déjà un {scheme} de {year} (contrat n° {existing.pk}) : rien n'est créé."
        return report
    campaign = campaigns.get(year)
    if campaign is None:
        raise RowError(
            f"Aucune campagne {year} sur la plateforme : un administrateur la crée avant d'importer les contrats "
            f"signés en {year}."
        )
    signed_on = signed_on or date(year, 1, 1)
    if signed_on.year != year:
        raise RowError(f"date_signature {format_date(signed_on)} : elle n'est pas de l'année {year}.")
    if ends_on is not None and ends_on < signed_on:
        raise RowError(f"date_fin {format_date(ends_on)} : elle précède la signature ({format_date(signed_on)}).")
    state = ContractState.ENDED if ends_on is not None and ends_on < timezone.localdate() else ContractState.SIGNED
    if state == ContractState.SIGNED:
        in_force = Contract.objects.filter(authority_id=found.pk, state=ContractState.SIGNED).first()
        if in_force is not None:
            raise RowError(
                f"{found.name} a déjà un contrat en vigueur ({in_force}, n° {in_force.pk}) : indiquez la fin "
                "(date_fin) de l'un des deux ; un seul contrat en vigueur par collectivité."
            )
    authority = Authority.objects.get(pk=found.pk)
    contract = Contract(
        kind=kind,
        campaign=campaign,
        authority=authority,
        department=department_for(authority),
        title=f"{scheme} {year} — {authority.name}",
        state=state,
        signed_on=signed_on,
        effective_from=signed_on,
        effective_to=ends_on,
        rules=campaign.rules(),
        closed_reason=f"Terminé le {format_date(ends_on)} (import)" if state == ContractState.ENDED and ends_on else "",
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    contract._history_user = contract.created_by  # type: ignore[attr-defined]
    contract._change_reason = f"Importé du fichier {file_name}, ligne {number}"  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        raise RowError(f"{authority.name} a déjà un contrat en vigueur : un seul par collectivité.") from None
    details: dict[str, Any] = {
        "fichier": file_name,
        "ligne": number,
        "nom dans le fichier": name,
        "état": ContractState(state).label,
        "signé le": format_date(signed_on),
    }
    if ends_on:
        details["fin"] = format_date(ends_on)
    if source:
        details["source"] = source
    if amount is not None:
        programming = Programming.objects.create(
            contract=contract, campaign=campaign, base_amount=amount, rules=campaign.rules()
        )
        details["montant annuel de l'État"] = format_euros(amount)
        details["programmation"] = f"n° {programming.pk} ({year})"
    record_event(actor=user, verb="imports.contract_imported", target=contract, details=details)
    report.status, report.contract_id = CREATED, contract.pk
    report.reason = f"{ContractKind(kind).label.split(' ')[0]} {year} {ContractState(state).label.lower()}"
    if amount is not None:
        report.reason += f", {format_euros(amount)} par an"
    return report
