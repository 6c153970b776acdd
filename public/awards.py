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

from django.db.models import Q, QuerySet
from django.utils import timezone

from contracts.enums import ProgrammingState
from contracts.models import PROGRAMME_PUBLICS, Action, Programming
from finance.enums import EntryKind
from finance.models import LedgerEntry
from programme.enums import TargetPublic
from programme.models import Domain
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


def _payment_dates(commitments: Q) -> dict[int, list[date]]:
    dates: dict[int, list[date]] = defaultdict(list)
    rows = (
        LedgerEntry.objects.filter(commitments, kind=EntryKind.PAYMENT, reverses__isnull=True, reversed_by__isnull=True)
        .order_by()
        .values_list("commitment_id", "created_at")
    )
    for commitment_id, created_at in rows.iterator(chunk_size=5000):
        dates[commitment_id].append(_local_date(created_at))
    return dates


def _project_public(target_public: str) -> str:
    return "bpi" if target_public == TargetPublic.BPI_ONLY else "newcomers"


def _domain_codes(through: Any, owner: str, owners: QuerySet[Any]) -> dict[int, list[str]]:
    """The domain codes of each owner (project or action) in the domains' own order (position, label)."""
    order = {pk: (rank, code) for rank, (pk, code) in enumerate(Domain.objects.values_list("pk", "code"))}
    codes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for owner_id, domain_id in through.objects.filter(**{f"{owner}__in": owners}).values_list(
        f"{owner}_id", "domain_id"
    ):
        codes[owner_id].append(order[domain_id])
    return {owner_id: [code for _, code in sorted(found)] for owner_id, found in codes.items()}


def awards() -> list[Award]:
    """Every award, oldest campaign first; a fixed number of queries whatever their number.

    Read as value rows (no model instance per file, per action or per link): the collectivités,
    départements and préfectures concerned are loaded once and shared by the awards."""
    # A historical PTAI (taken from a spreadsheet) has no commitment, no decision date and no
    # payment: the SCDL's dateConvention and datesPeriodeVersement cannot be given, so it stays out.
    funded = Project.objects.filter(state__in=FUNDED_PROJECT_STATES, commitment__isnull=False, historical=False)
    committed = Programming.objects.filter(state__in=COMMITTED_PROGRAMMING_STATES, base_commitment__isnull=False)
    public_actions = Action.objects.filter(programming__in=committed, public__in=PROGRAMME_PUBLICS)
    projects = funded.order_by("campaign__year", "pk").values(
        "pk",
        "title",
        "summary",
        "carrier_name",
        "target_public",
        "planned_bpi",
        "planned_newcomers",
        "granted_amount",
        "reference",
        "start_date",
        "end_date",
        "lead_authority_id",
        "department_id",
        "commitment_id",
        "commitment__created_at",
        "campaign__year",
        "campaign__small_count_threshold",
    )
    programmings = committed.order_by("campaign__year", "pk").values(
        "pk",
        "base_amount",
        "complement_amount",
        "base_commitment_id",
        "complement_commitment_id",
        "base_commitment__created_at",
        "contract_id",
        "contract__authority_id",
        "contract__department_id",
        "campaign__year",
        "campaign__small_count_threshold",
    )
    actions_of: dict[int, list[Any]] = defaultdict(list)
    for action in (
        public_actions.order_by("pk")
        .values(
            "pk",
            "programming_id",
            "title",
            "description",
            "carrier_name",
            "public",
            "planned_bpi",
            "planned_newcomers",
            "state_amount",
        )
        .iterator(chunk_size=5000)
    ):
        actions_of[action["programming_id"]].append(action)
    project_domains = _domain_codes(Project.domains.through, "project", funded)
    action_domains = _domain_codes(Action.domains.through, "action", public_actions)
    partners_of: dict[int, list[int]] = defaultdict(list)
    partner_links = Project.partners.through.objects.filter(project__in=funded)
    for project_id, authority_id in partner_links.values_list("project_id", "authority_id"):
        partners_of[project_id].append(authority_id)
    payments = _payment_dates(
        Q(commitment_id__in=funded.values("commitment_id"))
        | Q(commitment_id__in=committed.values("base_commitment_id"))
        | Q(commitment_id__in=committed.filter(complement_commitment__isnull=False).values("complement_commitment_id"))
    )
    beneficiaries = Q(pk__in=funded.values("lead_authority_id")) | Q(pk__in=committed.values("contract__authority_id"))
    authorities = {
        a.pk: a for a in Authority.objects.filter(beneficiaries | Q(pk__in=partner_links.values("authority_id")))
    }
    sirets = dict(
        BeneficiaryIdentity.objects.filter(authority__in=Authority.objects.filter(beneficiaries)).values_list(
            "authority_id", "siret"
        )
    )
    departments = {d.pk: d for d in Department.objects.all()}
    prefectures = {p.department_id: p for p in Prefecture.objects.all()}

    found: list[Award] = []
    for project in projects.iterator(chunk_size=5000):
        threshold = int(project["campaign__small_count_threshold"])
        pk, authority = project["pk"], authorities[project["lead_authority_id"]]
        assert project["commitment_id"] is not None and project["granted_amount"] is not None
        item = PublicItem(
            key=f"ptai-{pk}",
            title=project["title"],
            summary=project["summary"],
            carrier_name=project["carrier_name"] or authority.name,
            domain_codes=project_domains.get(pk, []),
            public=_project_public(project["target_public"]),
            planned_bpi=shown_count(project["planned_bpi"], threshold),
            planned_newcomers=shown_count(project["planned_newcomers"], threshold),
            amount=project["granted_amount"],
        )
        found.append(
            Award(
                key=f"ptai-{pk}",
                kind="ptai",
                campaign_year=project["campaign__year"],
                reference=project["reference"],
                title=project["title"],
                description=project["summary"] or project["title"],
                authority=authority,
                partners=sorted((authorities[a] for a in partners_of.get(pk, [])), key=lambda a: a.name),
                department=departments[project["department_id"]],
                amount=project["granted_amount"],
                awarded_on=_local_date(project["commitment__created_at"]),
                payments=sorted(payments.get(project["commitment_id"], [])),
                start_date=project["start_date"],
                end_date=project["end_date"],
                attributing=prefectures.get(project["department_id"]),
                beneficiary_siret=sirets.get(authority.pk, ""),
                items=[item],
            )
        )
    for programming in programmings.iterator(chunk_size=5000):
        authority = authorities[programming["contract__authority_id"]]
        department = departments[programming["contract__department_id"]]
        threshold = int(programming["campaign__small_count_threshold"])
        items = [
            PublicItem(
                key=f"action-{action['pk']}",
                title=action["title"],
                summary=action["description"],
                carrier_name=action["carrier_name"] or authority.name,
                domain_codes=action_domains.get(action["pk"], []),
                public="bpi" if action["public"] == "bpi" else "newcomers",
                planned_bpi=shown_count(action["planned_bpi"], threshold),
                planned_newcomers=shown_count(action["planned_newcomers"], threshold),
                amount=action["state_amount"],
            )
            for action in actions_of.pop(programming["pk"], [])
        ]
        dates = sorted(
            payments.get(programming["base_commitment_id"] or 0, [])
            + payments.get(programming["complement_commitment_id"] or 0, [])
        )
        year = programming["campaign__year"]
        found.append(
            Award(
                key=f"ctai-{programming['pk']}",
                kind="ctai",
                campaign_year=year,
                reference=f"CTAI-{department.code}-{programming['contract_id']}-{year}",
                title=f"CTAI {authority.name} — programmation {year}",
                description=(
                    f"Programmation {year} du contrat territorial d'accueil et d'intégration de "
                    f"{authority.name} : {len(items)} action(s)."
                ),
                authority=authority,
                partners=[],
                department=department,
                amount=programming["base_amount"] + programming["complement_amount"],
                awarded_on=_local_date(programming["base_commitment__created_at"]),
                payments=dates,
                start_date=date(year, 1, 1),
                end_date=date(year, 12, 31),
                attributing=prefectures.get(department.pk),
                beneficiary_siret=sirets.get(authority.pk, ""),
                items=items,
            )
        )
    found.sort(key=lambda a: (a.campaign_year, a.awarded_on, a.key))
    return found
