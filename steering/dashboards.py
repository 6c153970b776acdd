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
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.enums import Role
from accounts.permissions import holds
from contracts.enums import ContractState
from contracts.models import Action, Contract
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import LedgerEntry
from projects.enums import ProjectState
from projects.models import Project
from referential.models import Department, scope_of
from reporting.models import Report, ReportQuerySet
from steering import summaries
from steering.models import Evaluation

ZERO = Decimal("0.00")
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

    @cached_property
    def view(self) -> summaries.View:
        """The scope's grouped figures: a national reader's from the kept summaries
        (`steering.summaries`), the others' from live grouped queries over their own files."""
        if scope_of(self.user).national:
            return summaries.national_view(self.department)
        grouped = summaries.collect(
            projects=self.projects,
            contracts=self.contracts,
            actions=self.actions,
            reports=self.reports,
            entries=self.entries,
        )
        return summaries.view(grouped, summaries.department_codes(grouped))

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


def ctai_by_state(scope: Scope) -> dict[str, int]:
    return {state: n for state, n in scope.view["data"]["ctai"]}


def ptai_by_year_state(scope: Scope) -> dict[tuple[int, str], int]:
    return {(year, state): n for year, state, n in scope.view["data"]["ptai"]}


def money_by_line(scope: Scope) -> dict[str, dict[str, Decimal]]:
    """Per budget line: opened (credits opened nationally; for a territorial reader, received),
    delegated (from the national envelopes to the territories), committed (net of releases), paid,
    released."""
    national = scope_of(scope.user).national and scope.department is None
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {k: ZERO for k in ("opened", "delegated", "committed", "paid", "released")}
    )
    for line, level, kind, total in scope.view["data"]["money"]:
        amount = Decimal(total)
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


def _in_domain_order(rows: Iterable[list[Any]]) -> list[list[Any]]:
    """Rows [code, label, position, …], in the domains' order."""
    return sorted(rows, key=lambda r: (r[2], r[1]))


def ptai_by_domain(scope: Scope) -> list[tuple[str, str, int]]:
    """(code, label, PTAI count) per domain (a PTAI counts in each of its domains)."""
    return [(code, label, n) for code, label, _, n in _in_domain_order(scope.view["data"]["ptai_domain"])]


def actions_by_domain(scope: Scope) -> list[tuple[str, str, int, Decimal]]:
    """(code, label, number of CTAI actions, State amount) per domain."""
    return [(c, lab, n, Decimal(a)) for c, lab, _, n, a in _in_domain_order(scope.view["data"]["actions_domain"])]


def actions_by_priority(scope: Scope) -> list[tuple[str, int, Decimal]]:
    rows = scope.view["data"]["actions_priority"]
    return [
        (label or "Sans priorité", n, Decimal(a))
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
    the accepted final reports in scope."""
    data = scope.view["data"]
    return Beneficiaries(
        planned_bpi=data["planned"][0],
        planned_newcomers=data["planned"][1],
        reached_bpi=data["reached"][0],
        reached_newcomers=data["reached"][1],
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
    column = {"engages": 0, "territoires": 1, "beneficiaires": 2}.get(metric)
    if column is None:
        raise ValueError(metric)
    if column == 0 and not scope.sees_money:
        return {}
    values: dict[str, Decimal | int] = {}
    for code, cells in scope.view["map"].items():
        value = Decimal(cells[0]) if column == 0 else cells[column]
        if value:
            values[code] = value
    return values


def engaged_territories(scope: Scope) -> int:
    """Collectivités engaged in scope (each counted once, whatever the number of its files)."""
    return len(scope.view["data"]["engaged"])
