"""The awards the public may know of, read from the domain with public fields only.

An award (attribution) is the State's decision to fund a collectivité: a PTAI committed by the préfet
(`funded`, then `closed`; not a historical PTAI taken from a spreadsheet, docs/adr/0004), or a CTAI
programming year committed (`committed`, then `closed`). Nothing else leaves through here: no draft,
no avis, no internal note, no reason of a refusal, no person's name.
Counts of people are given only at or above the campaign's `small_count_threshold` (else None).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from contracts.enums import ProgrammingState
from contracts.models import PROGRAMME_PUBLICS, Action, Programming
from finance.enums import EntryKind
from finance.models import LedgerEntry
from programme.enums import TargetPublic
from projects.enums import ProjectState
from projects.models import Project
from public.models import BeneficiaryIdentity
from referential.models import Authority, Department, Prefecture

FUNDED_PROJECT_STATES = (ProjectState.FUNDED, ProjectState.CLOSED)
COMMITTED_PROGRAMMING_STATES = (ProgrammingState.COMMITTED, ProgrammingState.CLOSED)

PTAI_LABEL = "Projet territorial d'accueil et d'intégration (PTAI)"
CTAI_LABEL = "Contrat territorial d'accueil et d'intégration (CTAI)"


def shown_count(value: int | None, threshold: int) -> int | None:
    """A count of people as the public may see it: None when unknown or under the threshold."""
    if value is None or value < threshold:
        return None
    return value


@dataclass(frozen=True)
class PublicItem:
    """One funded action as the catalogue shows it (a PTAI is its own action)."""

    key: str
    title: str
    summary: str
    carrier_name: str
    domain_codes: list[str]
    public: str  # "bpi" or "newcomers"
    planned_bpi: int | None
    planned_newcomers: int | None
    amount: Decimal


@dataclass(frozen=True)
class Award:
    key: str  # "ptai-<pk>" or "ctai-<programming pk>": stable
    kind: str  # "ptai" or "ctai"
    campaign_year: int
    reference: str
    title: str
    description: str
    authority: Authority
    partners: list[Authority]
    department: Department
    amount: Decimal
    awarded_on: date
    payments: list[date]
    start_date: date | None
    end_date: date | None
    attributing: Prefecture | None
    beneficiary_siret: str
    items: list[PublicItem] = field(default_factory=list)

    @property
    def programme_label(self) -> str:
        return PTAI_LABEL if self.kind == "ptai" else CTAI_LABEL

    @property
    def publishable(self) -> bool:
        """The SCDL file needs both SIRET: an award without them is counted, not published."""
        return self.attributing is not None and bool(self.beneficiary_siret)


def _local_date(moment: Any) -> date:
    return timezone.localtime(moment).date()


def _payment_dates(commitment_ids: set[int]) -> dict[int, list[date]]:
    dates: dict[int, list[date]] = defaultdict(list)
    rows = LedgerEntry.objects.filter(
        commitment_id__in=commitment_ids, kind=EntryKind.PAYMENT, reverses__isnull=True, reversed_by__isnull=True
    ).values_list("commitment_id", "created_at")
    for commitment_id, created_at in rows:
        dates[commitment_id].append(_local_date(created_at))
    return dates


def _project_public(project: Project) -> str:
    return "bpi" if project.target_public == TargetPublic.BPI_ONLY else "newcomers"


def awards() -> list[Award]:
    """Every award, oldest campaign first; a fixed number of queries whatever their number."""
    projects = list(
        # A historical PTAI (taken from a spreadsheet) has no commitment, no decision date and no
        # payment: the SCDL's dateConvention and datesPeriodeVersement cannot be given, so it stays out.
        Project.objects.filter(state__in=FUNDED_PROJECT_STATES, commitment__isnull=False, historical=False)
        .select_related("campaign", "lead_authority", "department", "commitment")
        .prefetch_related("domains", "partners")
        .order_by("campaign__year", "pk")
    )
    programmings = list(
        Programming.objects.filter(state__in=COMMITTED_PROGRAMMING_STATES, base_commitment__isnull=False)
        .select_related("campaign", "contract__authority", "contract__department", "base_commitment")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.filter(public__in=PROGRAMME_PUBLICS).prefetch_related("domains").order_by("pk"),
            )
        )
        .order_by("campaign__year", "pk")
    )
    commitment_ids = {p.commitment_id for p in projects if p.commitment_id}
    for programming in programmings:
        commitment_ids |= {c for c in (programming.base_commitment_id, programming.complement_commitment_id) if c}
    payments = _payment_dates(commitment_ids)
    authority_ids = {p.lead_authority_id for p in projects} | {g.contract.authority_id for g in programmings}
    sirets = dict(
        BeneficiaryIdentity.objects.filter(authority_id__in=authority_ids).values_list("authority_id", "siret")
    )
    prefectures = {p.department_id: p for p in Prefecture.objects.all()}

    found: list[Award] = []
    for project in projects:
        threshold = int(project.campaign.small_count_threshold)
        assert project.commitment is not None and project.granted_amount is not None
        item = PublicItem(
            key=f"ptai-{project.pk}",
            title=project.title,
            summary=project.summary,
            carrier_name=project.carrier_name or project.lead_authority.name,
            domain_codes=[d.code for d in project.domains.all()],
            public=_project_public(project),
            planned_bpi=shown_count(project.planned_bpi, threshold),
            planned_newcomers=shown_count(project.planned_newcomers, threshold),
            amount=project.granted_amount,
        )
        found.append(
            Award(
                key=f"ptai-{project.pk}",
                kind="ptai",
                campaign_year=project.campaign.year,
                reference=project.reference,
                title=project.title,
                description=project.summary or project.title,
                authority=project.lead_authority,
                partners=sorted(project.partners.all(), key=lambda a: a.name),
                department=project.department,
                amount=project.granted_amount,
                awarded_on=_local_date(project.commitment.created_at),
                payments=sorted(payments.get(project.commitment_id or 0, [])),
                start_date=project.start_date,
                end_date=project.end_date,
                attributing=prefectures.get(project.department_id),
                beneficiary_siret=sirets.get(project.lead_authority_id, ""),
                items=[item],
            )
        )
    for programming in programmings:
        contract = programming.contract
        threshold = int(programming.campaign.small_count_threshold)
        assert programming.base_commitment is not None
        items = [
            PublicItem(
                key=f"action-{action.pk}",
                title=action.title,
                summary=action.description,
                carrier_name=action.carrier_name or contract.authority.name,
                domain_codes=[d.code for d in action.domains.all()],
                public="bpi" if action.public == "bpi" else "newcomers",
                planned_bpi=shown_count(action.planned_bpi, threshold),
                planned_newcomers=shown_count(action.planned_newcomers, threshold),
                amount=action.state_amount,
            )
            for action in programming.actions.all()
        ]
        dates = sorted(
            payments.get(programming.base_commitment_id or 0, [])
            + payments.get(programming.complement_commitment_id or 0, [])
        )
        year = programming.campaign.year
        found.append(
            Award(
                key=f"ctai-{programming.pk}",
                kind="ctai",
                campaign_year=year,
                reference=f"CTAI-{contract.department.code}-{contract.pk}-{year}",
                title=f"CTAI {contract.authority.name} — programmation {year}",
                description=(
                    f"Programmation {year} du contrat territorial d'accueil et d'intégration de "
                    f"{contract.authority.name} : {len(items)} action(s)."
                ),
                authority=contract.authority,
                partners=[],
                department=contract.department,
                amount=programming.base_amount + programming.complement_amount,
                awarded_on=_local_date(programming.base_commitment.created_at),
                payments=dates,
                start_date=date(year, 1, 1),
                end_date=date(year, 12, 31),
                attributing=prefectures.get(contract.department_id),
                beneficiary_siret=sirets.get(contract.authority_id, ""),
                items=items,
            )
        )
    found.sort(key=lambda a: (a.campaign_year, a.awarded_on, a.key))
    return found
