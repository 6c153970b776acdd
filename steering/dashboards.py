"""The steering figures, each scoped to its reader, each from one grouped query (never one query per
département or per state), each with the filtered list behind it.

Every figure starts from the same scoped querysets as the lists (`for_user`), narrowed by the
optional département: a figure's link opens the list with the same filters, whose total is the
figure. `Scope.of(user, department)` holds those querysets.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.enums import Role
from accounts.permissions import holds
from contracts.enums import ActionReview, ContractKind, ContractState
from contracts.models import Action, Contract
from finance.balances import to_cents
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import LedgerEntry
from projects.enums import ProjectState
from projects.models import Project
from referential.models import Department, scope_of
from reporting.enums import Period, ReportState
from reporting.models import CORE_INDICATORS, Report, ReportQuerySet
from steering.models import Evaluation
from steering.schedule import REPORTED_PROGRAMMING_STATES, REPORTED_PROJECT_STATES

ZERO = Decimal("0.00")
# A territory is engaged by a CTAI or CTAIR that is not abandoned, or by a PTAI funded or closed.
ENGAGED_CONTRACT_EXCLUDED = (ContractState.ABANDONED,)
OPEN_PROJECT_STATES = (
    ProjectState.SUBMITTED,
    ProjectState.IN_REVIEW,
    ProjectState.CORRECTION_REQUESTED,
    ProjectState.REVIEWED,
    ProjectState.PREFECT_APPROVED,
    ProjectState.MINISTRY_APPROVED,
    ProjectState.CREDITS_DELEGATED,
)
OPEN_CONTRACT_STATES = (
    ContractState.CONTACT,
    ContractState.WIDENING_DECLARED,
    ContractState.LETTER_RECEIVED,
    ContractState.DIAGNOSIS,
    ContractState.DRAFTING,
)
MAP_METRICS = {
    "engages": "Montants engagés (€)",
    "territoires": "Collectivités engagées",
    "beneficiaires": "Bénéficiaires accompagnés",
}


@dataclass(frozen=True)
class Scope:
    """What a reader sees, narrowed to one département if asked."""

    user: Any
    department: Department | None = None

    @property
    def projects(self) -> QuerySet[Project]:
        qs = Project.objects.for_user(self.user)
        return qs.filter(department=self.department) if self.department else qs

    @property
    def contracts(self) -> QuerySet[Contract]:
        qs = Contract.objects.for_user(self.user)
        return qs.filter(department=self.department) if self.department else qs

    @property
    def actions(self) -> QuerySet[Action]:
        return Action.objects.filter(programming__contract__in=self.contracts.values("pk"))

    @property
    def reports(self) -> ReportQuerySet:
        qs = Report.objects.for_user(self.user)
        return qs.filter(department=self.department) if self.department else qs

    @property
    def evaluations(self) -> QuerySet[Evaluation]:
        qs = Evaluation.objects.for_user(self.user)
        return qs.filter(department=self.department) if self.department else qs

    @property
    def sees_money(self) -> bool:
        """The ledger is for the State's agents (the collectivités see their own files' amounts)."""
        return holds(self.user, Role.DIAIR, Role.MINISTRY, Role.ADMIN, Role.PREFECT, Role.INSTRUCTOR)

    @property
    def entries(self) -> QuerySet[LedgerEntry]:
        """The ledger of the reader's envelopes: all for national roles; else those of their
        départements (and of their régions, for a préfet de région)."""
        if not self.sees_money:
            return LedgerEntry.objects.none()
        scope = scope_of(self.user)
        qs = LedgerEntry.objects.all()
        if self.department is not None:
            qs = qs.filter(envelope__department=self.department)
        if scope.national:
            return qs
        return qs.filter(
            Q(envelope__department_id__in=scope.department_ids)
            | Q(envelope__department__region_id__in=scope.region_ids)
            | Q(envelope__region_id__in=scope.region_ids, envelope__level=EnvelopeLevel.REGION)
        )


@dataclass
class Row:
    label: str
    values: list[Any]
    url_query: str = ""  # the list's filters (GET query) behind the row
    key: str = ""


@dataclass
class Figure:
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    list_url: str = ""  # the list the rows link to (their url_query appended)


def count_by_state(queryset: QuerySet[Any], states: type[Any]) -> dict[str, int]:
    return dict(queryset.order_by().values_list("state").annotate(n=Count("pk")))


def ctai_by_state(scope: Scope) -> dict[str, int]:
    return count_by_state(scope.contracts.filter(kind=ContractKind.CTAI), ContractState)


def ptai_by_year_state(scope: Scope) -> dict[tuple[int, str], int]:
    rows = scope.projects.order_by().values_list("campaign__year", "state").annotate(n=Count("pk"))
    return {(year, state): n for year, state, n in rows}


def money_by_line(scope: Scope) -> dict[str, dict[str, Decimal]]:
    """Per budget line: opened (credits opened nationally; for a territorial reader, received),
    delegated (from the national envelopes to the territories), committed (net of releases), paid,
    released. One grouped query."""
    national = scope_of(scope.user).national and scope.department is None
    rows = (
        scope.entries.order_by()
        .values_list("envelope__budget_line__code", "envelope__level", "kind")
        .annotate(total=Sum("amount"))
    )
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {k: ZERO for k in ("opened", "delegated", "committed", "paid", "released")}
    )
    for line, level, kind, total in rows:
        amount = to_cents(total)
        figures = out[line]
        if kind == EntryKind.ALLOCATION or (
            not national and kind == EntryKind.DELEGATION_IN and level == EnvelopeLevel.DEPARTMENT
        ):
            figures["opened"] += amount
        elif kind == EntryKind.DELEGATION_OUT and level == EnvelopeLevel.NATIONAL:
            figures["delegated"] += amount
        elif kind == EntryKind.COMMITMENT:
            figures["committed"] += amount
        elif kind == EntryKind.RELEASE:
            figures["committed"] -= amount
            figures["released"] += amount
        elif kind == EntryKind.PAYMENT:
            figures["paid"] += amount
    return dict(sorted(out.items()))


def ptai_by_domain(scope: Scope) -> list[tuple[str, str, int]]:
    """(code, label, PTAI count) per domain (a PTAI counts in each of its domains)."""
    rows = (
        scope.projects.filter(domains__isnull=False)
        .order_by()
        .values_list("domains__code", "domains__label", "domains__position")
        .annotate(n=Count("pk", distinct=True))
    )
    return [(code, label, n) for code, label, _, n in sorted(rows, key=lambda r: (r[2], r[1]))]


def actions_by_domain(scope: Scope) -> list[tuple[str, str, int, Decimal]]:
    """(code, label, number of CTAI actions, State amount) per domain."""
    rows = (
        scope.actions.filter(domains__isnull=False)
        .order_by()
        .values_list("domains__code", "domains__label", "domains__position")
        .annotate(n=Count("pk", distinct=True), amount=Sum("state_amount"))
    )
    return [(c, lab, n, to_cents(a)) for c, lab, _, n, a in sorted(rows, key=lambda r: (r[2], r[1]))]


def actions_by_priority(scope: Scope) -> list[tuple[str, int, Decimal]]:
    rows = (
        scope.actions.order_by()
        .values_list("priority__label", "priority__position")
        .annotate(n=Count("pk"), amount=Sum("state_amount"))
    )
    return [
        (label or "Sans priorité", n, to_cents(a))
        for label, _, n, a in sorted(rows, key=lambda r: (r[1] is None, r[1] or 0, r[0] or ""))
    ]


@dataclass(frozen=True)
class Beneficiaries:
    planned_bpi: int
    planned_newcomers: int
    reached_bpi: int
    reached_newcomers: int


def beneficiaries(scope: Scope) -> Beneficiaries:
    """Planned: the funded PTAI and the Diair-accepted actions of committed programmings; reached:
    the accepted final reports in scope (three queries)."""
    projects = scope.projects.filter(state__in=REPORTED_PROJECT_STATES).aggregate(
        bpi=Sum("planned_bpi"), others=Sum("planned_newcomers")
    )
    actions = scope.actions.filter(
        programming__state__in=REPORTED_PROGRAMMING_STATES, review=ActionReview.ACCEPTED
    ).aggregate(bpi=Sum("planned_bpi"), others=Sum("planned_newcomers"))
    # Summed by the database from the reports' values (a Python loop over every accepted report
    # read 100 000 JSON documents for the national dashboard at scale).
    reached = {
        code: total or 0
        for code, total in scope.reports.filter(period=Period.FINAL, state=ReportState.ACCEPTED)
        .aggregate(**{code: Sum(Cast(KeyTextTransform(code, "values"), IntegerField())) for code in CORE_INDICATORS})
        .items()
    }
    return Beneficiaries(
        planned_bpi=(projects["bpi"] or 0) + (actions["bpi"] or 0),
        planned_newcomers=(projects["others"] or 0) + (actions["others"] or 0),
        reached_bpi=reached["bpi_reached"],
        reached_newcomers=reached["newcomers_reached"],
    )


def late_reports(scope: Scope) -> int:
    return scope.reports.late().count()


@dataclass(frozen=True)
class Waiting:
    state: str
    label: str
    count: int
    median_days: int
    oldest_days: int


def _waiting(rows: Iterable[tuple[str, datetime]], labels: type[Any], order: Iterable[str]) -> list[Waiting]:
    now = timezone.now()
    days: dict[str, list[int]] = defaultdict(list)
    for state, since in rows:
        days[state].append(max((now - since).days, 0))
    return [
        Waiting(s, str(labels(s).label), len(days[s]), int(statistics.median(days[s])), max(days[s]))
        for s in order
        if days[s]
    ]


def waiting_files(scope: Scope) -> dict[str, list[Waiting]]:
    """Files waiting at each step of instruction, with the median and the longest wait (days)."""
    ptai = scope.projects.filter(state__in=OPEN_PROJECT_STATES).values_list("state", "state_changed_at")
    ctai = scope.contracts.filter(state__in=OPEN_CONTRACT_STATES).values_list("state", "state_changed_at")
    return {
        "ptai": _waiting(ptai, ProjectState, OPEN_PROJECT_STATES),
        "ctai": _waiting(ctai, ContractState, OPEN_CONTRACT_STATES),
    }


def map_values(scope: Scope, metric: str) -> dict[str, Decimal | int]:
    """The chosen figure per département code (only départements with a value)."""
    if metric == "engages":
        rows = (
            scope.entries.filter(kind__in=(EntryKind.COMMITMENT, EntryKind.RELEASE), envelope__department__isnull=False)
            .order_by()
            .values_list("envelope__department__code", "kind")
            .annotate(total=Sum("amount"))
        )
        committed: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for code, kind, total in rows:
            committed[code] += to_cents(total) if kind == EntryKind.COMMITMENT else -to_cents(total)
        return {code: amount for code, amount in committed.items() if amount}
    if metric == "territoires":
        engaged: dict[str, set[int]] = defaultdict(set)
        # Distinct pairs from the database: not one row per file (30 000 funded PTAI at scale).
        contracts = (
            scope.contracts.exclude(state__in=ENGAGED_CONTRACT_EXCLUDED)
            .order_by()
            .values_list("department__code", "authority_id")
            .distinct()
        )
        projects = (
            scope.projects.filter(state__in=REPORTED_PROJECT_STATES)
            .order_by()
            .values_list("department__code", "lead_authority_id")
            .distinct()
        )
        for code, authority_id in [*contracts, *projects]:
            engaged[code].add(authority_id)
        return {code: len(ids) for code, ids in engaged.items()}
    if metric == "beneficiaires":
        sums = {code: Sum(Cast(KeyTextTransform(code, "values"), IntegerField())) for code in CORE_INDICATORS}
        per_department = cast(
            "Iterable[dict[str, Any]]",
            scope.reports.filter(period=Period.FINAL, state=ReportState.ACCEPTED)
            .order_by()
            .values("department__code")
            .annotate(**sums),
        )
        reached: dict[str, int] = {
            row["department__code"]: sum(int(row[code] or 0) for code in CORE_INDICATORS) for row in per_department
        }
        return {code: n for code, n in reached.items() if n}
    raise ValueError(metric)


def engaged_territories(scope: Scope) -> int:
    """Collectivités engaged in scope (each counted once, whatever the number of its files)."""
    contracts = set(
        scope.contracts.exclude(state__in=ENGAGED_CONTRACT_EXCLUDED)
        .order_by()
        .values_list("authority_id", flat=True)
        .distinct()
    )
    projects = set(
        scope.projects.filter(state__in=REPORTED_PROJECT_STATES)
        .order_by()
        .values_list("lead_authority_id", flat=True)
        .distinct()
    )
    return len(contracts | projects)
