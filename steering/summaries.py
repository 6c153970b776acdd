"""The steering figures, grouped by département, and the summaries kept of them for the national
dashboards.

**Grouped figures** (`collect`): each figure of the dashboards is one grouped query whose first
column is the département (the ledger's: its envelope's département, 0 for the national and
regional envelopes). The result, `Data` per département, holds plain rows (counts; sums as strings),
so that it can be stored as JSON and summed: `merge` adds several départements' rows together (and
unites the engaged collectivités). `steering.dashboards` folds a `Data` into each figure.

**Summaries** (`Summary`): reading every file of ten years to draw the national dashboard costs
≈ 10 grouped scans of whole tables at each visit. The figures of each département are therefore
kept (`Summary` rows, plus the France row, their sum with the map's values per département), and
kept true this way:

- every write that changes a figure (a PTAI, a CTAI, a programming, an action and their domains, a
  report, a ledger entry; a domain, a priority, a budget line renamed) records the département it
  touched (`SummaryChange`) **in the same transaction** (the signal receivers below): committed with
  the change, or rolled back with it;
- a national reader's dashboard first looks for changes (one query); if any, it recomputes the
  départements touched, in one grouped query per figure whatever their number, and the France row,
  under a lock (the France row's), deletes the changes it read, and reads its row.

So a dashboard is never stale (the files committed before the visit are counted) and costs two
queries when nothing changed. The territorial readers (an instructeur, a préfet, an agent) keep live
queries over their own scope (`collect` on their querysets): their scope is small and is not the
union of whole départements (an agent sees the files of their collectivité, a préfet de région the
régional envelopes). Bulk loads that bypass the ORM (the benchmark's COPY) call `rebuild()`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, IntegerField, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from contracts.enums import ActionReview, ContractKind, ContractState
from contracts.models import Action, Contract, Programming
from finance.balances import to_cents
from finance.enums import EntryKind
from finance.models import Envelope, LedgerEntry
from programme.models import BudgetLine, Domain, Priority
from projects.models import Project
from referential.models import Department
from reporting.enums import Period, ReportState
from reporting.models import CORE_INDICATORS, Report
from steering.models import Summary, SummaryChange
from steering.schedule import REPORTED_PROGRAMMING_STATES, REPORTED_PROJECT_STATES

OUTSIDE = 0  # the ledger of the national and regional envelopes
FRANCE = -1  # Summary: France as a whole; SummaryChange: every département
ENGAGED_CONTRACT_EXCLUDED = (ContractState.ABANDONED,)


class Data(TypedDict):
    """One département's (or several merged) grouped rows; amounts as strings of cents-exact euros."""

    ctai: list[list[Any]]  # [state, n] (CTAI only)
    ptai: list[list[Any]]  # [year, state, n]
    money: list[list[Any]]  # [budget line, envelope level, entry kind, "amount"]
    ptai_domain: list[list[Any]]  # [code, label, position, n]
    actions_domain: list[list[Any]]  # [code, label, position, n, "amount"]
    actions_priority: list[list[Any]]  # [label or None, position or None, n, "amount"]
    planned: list[int]  # [BPI, other newcomers]: funded PTAI + accepted actions of committed programmings
    reached: list[int]  # [BPI, other newcomers]: accepted final reports
    engaged: list[int]  # ids of the engaged collectivités


class View(TypedDict):
    """What a dashboard folds: the scope's merged data, and the map's values per département code
    ([committed amount, engaged collectivités, people reached])."""

    data: Data
    map: dict[str, list[Any]]


def empty() -> Data:
    return Data(
        ctai=[],
        ptai=[],
        money=[],
        ptai_domain=[],
        actions_domain=[],
        actions_priority=[],
        planned=[0, 0],
        reached=[0, 0],
        engaged=[],
    )


def _amount(value: Decimal | None) -> str:
    return str(to_cents(value or Decimal(0)))


def collect(
    *,
    projects: QuerySet[Project],
    contracts: QuerySet[Contract],
    actions: QuerySet[Action],
    reports: QuerySet[Report],
    entries: QuerySet[LedgerEntry],
) -> dict[int, Data]:
    """Every additive figure of the given querysets, grouped by département (11 queries)."""
    out: dict[int, Data] = defaultdict(empty)
    engaged: dict[int, set[int]] = defaultdict(set)

    def rows(qs: QuerySet[Any], department: str, *fields: str, **aggregates: Any) -> Iterable[tuple[Any, ...]]:
        return qs.order_by().values_list(department, *fields).annotate(**aggregates)  # type: ignore[no-any-return]

    for dep, state, n in rows(contracts.filter(kind=ContractKind.CTAI), "department_id", "state", n=Count("pk")):
        out[dep or OUTSIDE]["ctai"].append([state, n])
    for dep, year, state, n in rows(projects, "department_id", "campaign__year", "state", n=Count("pk")):
        out[dep or OUTSIDE]["ptai"].append([year, state, n])
    money = rows(
        entries,
        "envelope__department_id",
        "envelope__budget_line__code",
        "envelope__level",
        "kind",
        total=Sum("amount"),
    )
    for dep, line, level, kind, total in money:
        out[dep or OUTSIDE]["money"].append([line, level, kind, _amount(total)])
    by_domain = rows(
        projects.filter(domains__isnull=False),
        "department_id",
        "domains__code",
        "domains__label",
        "domains__position",
        n=Count("pk", distinct=True),
    )
    for dep, code, label, position, n in by_domain:
        out[dep or OUTSIDE]["ptai_domain"].append([code, label, position, n])
    action_dep = "programming__contract__department_id"
    actions_by_domain = rows(
        actions.filter(domains__isnull=False),
        action_dep,
        "domains__code",
        "domains__label",
        "domains__position",
        n=Count("pk", distinct=True),
        amount=Sum("state_amount"),
    )
    for dep, code, label, position, n, amount in actions_by_domain:
        out[dep or OUTSIDE]["actions_domain"].append([code, label, position, n, _amount(amount)])
    by_priority = rows(
        actions, action_dep, "priority__label", "priority__position", n=Count("pk"), amount=Sum("state_amount")
    )
    for dep, label, position, n, amount in by_priority:
        out[dep or OUTSIDE]["actions_priority"].append([label, position, n, _amount(amount)])
    planned_projects = rows(
        projects.filter(state__in=REPORTED_PROJECT_STATES),
        "department_id",
        bpi=Sum("planned_bpi"),
        others=Sum("planned_newcomers"),
    )
    planned_actions = rows(
        actions.filter(programming__state__in=REPORTED_PROGRAMMING_STATES, review=ActionReview.ACCEPTED),
        action_dep,
        bpi=Sum("planned_bpi"),
        others=Sum("planned_newcomers"),
    )
    for dep, bpi, others in [*planned_projects, *planned_actions]:
        planned = out[dep or OUTSIDE]["planned"]
        planned[0] += bpi or 0
        planned[1] += others or 0
    # Summed by the database from the reports' values (not 100 000 JSON documents read in Python).
    reached = rows(
        reports.filter(period=Period.FINAL, state=ReportState.ACCEPTED),
        "department_id",
        **{code: Sum(Cast(KeyTextTransform(code, "values"), IntegerField())) for code in CORE_INDICATORS},
    )
    for dep, bpi, others in reached:
        out[dep or OUTSIDE]["reached"] = [bpi or 0, others or 0]
    # Distinct pairs from the database: not one row per file (30 000 funded PTAI at scale).
    engaged_contracts = (
        contracts.exclude(state__in=ENGAGED_CONTRACT_EXCLUDED)
        .order_by()
        .values_list("department_id", "authority_id")
        .distinct()
    )
    engaged_projects = (
        projects.filter(state__in=REPORTED_PROJECT_STATES)
        .order_by()
        .values_list("department_id", "lead_authority_id")
        .distinct()
    )
    for dep, authority_id in [*engaged_contracts, *engaged_projects]:
        engaged[dep or OUTSIDE].add(authority_id)
    for dep, ids in engaged.items():
        out[dep]["engaged"] = sorted(ids)
    return dict(out)


def merge(parts: Iterable[Data]) -> Data:
    """The sum of several départements' data (rows with the same key added up, collectivités united)."""
    counts: dict[str, dict[tuple[Any, ...], list[Any]]] = defaultdict(dict)
    # Per figure: how many leading columns make the key; the others are added (ints, or amount strings).
    keys = {"ctai": 1, "ptai": 2, "money": 3, "ptai_domain": 3, "actions_domain": 3, "actions_priority": 2}
    planned = [0, 0]
    reached = [0, 0]
    engaged: set[int] = set()
    for part in parts:
        for figure, width in keys.items():
            table = counts[figure]
            for row in part[figure]:  # type: ignore[literal-required]
                key = tuple(row[:width])
                if key not in table:
                    table[key] = list(row)
                    continue
                total = table[key]
                for i in range(width, len(row)):
                    total[i] = (
                        str(Decimal(total[i]) + Decimal(row[i])) if isinstance(row[i], str) else total[i] + row[i]
                    )
        planned = [planned[0] + part["planned"][0], planned[1] + part["planned"][1]]
        reached = [reached[0] + part["reached"][0], reached[1] + part["reached"][1]]
        engaged.update(part["engaged"])
    merged = empty()
    for figure in keys:
        merged[figure] = list(counts[figure].values())  # type: ignore[literal-required]
    merged["planned"] = planned
    merged["reached"] = reached
    merged["engaged"] = sorted(engaged)
    return merged


def committed(data: Data) -> Decimal:
    """Committed on the département's envelopes, net of what was released."""
    total = Decimal("0.00")
    for _, _, kind, amount in data["money"]:
        if kind == EntryKind.COMMITMENT:
            total += Decimal(amount)
        elif kind == EntryKind.RELEASE:
            total -= Decimal(amount)
    return total


def view(grouped: dict[int, Data], codes: dict[int, str]) -> View:
    """The scope's merged data and, per département, the map's three values (engagés, territoires,
    bénéficiaires)."""
    return View(
        data=merge(grouped.values()),
        map={
            codes[dep]: [str(committed(data)), len(data["engaged"]), sum(data["reached"])]
            for dep, data in grouped.items()
            if dep != OUTSIDE and dep in codes
        },
    )


def department_codes(ids: Iterable[int]) -> dict[int, str]:
    wanted = [i for i in ids if i > 0]
    return dict(Department.objects.filter(pk__in=wanted).values_list("pk", "code")) if wanted else {}


# --- The summaries ------------------------------------------------------------------------------------


def everything(keys: set[int] | None) -> dict[str, QuerySet[Any]]:
    """Whole tables (every reader's national scope), narrowed to some départements if given."""
    sources: dict[str, QuerySet[Any]] = {
        "projects": Project.objects.all(),
        "contracts": Contract.objects.all(),
        "actions": Action.objects.all(),
        "reports": Report.objects.all(),
        "entries": LedgerEntry.objects.all(),
    }
    if keys is None:
        return sources
    departments = [k for k in keys if k > 0]
    sources["projects"] = sources["projects"].filter(department_id__in=departments)
    sources["contracts"] = sources["contracts"].filter(department_id__in=departments)
    sources["actions"] = sources["actions"].filter(programming__contract__department_id__in=departments)
    sources["reports"] = sources["reports"].filter(department_id__in=departments)
    if OUTSIDE in keys:
        sources["entries"] = sources["entries"].filter(envelope__department_id__in=departments) | sources[
            "entries"
        ].filter(envelope__department__isnull=True)
    else:
        sources["entries"] = sources["entries"].filter(envelope__department_id__in=departments)
    return sources


def rebuild() -> None:
    """Recompute every summary (after a bulk load that bypassed the ORM)."""
    with transaction.atomic():
        SummaryChange.objects.create(key=FRANCE)
    refresh()


def refresh(*, built: bool | None = None) -> None:
    """Bring the summaries up to date with the changes recorded. `built`: whether the France row is
    known to exist (read by the caller); nothing to do costs one query."""
    if built is None:
        built = Summary.objects.filter(key=FRANCE).exists()
    if built and not SummaryChange.objects.exists():
        return
    with transaction.atomic():
        if not built:
            try:
                with transaction.atomic():
                    Summary.objects.create(key=FRANCE, data=View(data=empty(), map={}), computed_at=timezone.now())
                SummaryChange.objects.create(key=FRANCE)
            except IntegrityError:  # another reader is building it: wait for it below
                pass
        # One refresher at a time (the others wait here, then find the changes gone).
        Summary.objects.select_for_update().filter(key=FRANCE).values_list("pk").first()
        changes = list(SummaryChange.objects.values_list("pk", "key"))
        if not changes:
            return
        keys = {key for _, key in changes}
        whole = FRANCE in keys
        grouped = collect(**everything(None if whole else keys))
        now = timezone.now()
        stale = Summary.objects.exclude(key=FRANCE)
        if not whole:
            stale = stale.filter(key__in=keys)
        stale.delete()
        Summary.objects.bulk_create(Summary(key=k, data=data, computed_at=now) for k, data in grouped.items())
        parts = {k: data for k, data in Summary.objects.exclude(key=FRANCE).values_list("key", "data")}
        france_view = view(parts, department_codes(parts))
        Summary.objects.filter(key=FRANCE).update(data=france_view, computed_at=now)
        SummaryChange.objects.filter(pk__in=[pk for pk, _ in changes]).delete()
        # Those changes are counted: a later write of this transaction must record its own.
        connection.run_on_commit[:] = [c for c in connection.run_on_commit if not isinstance(c[1], _Touched)]


def national_view(department: Department | None) -> View:
    """France's figures, or one département's, as a national reader sees them (kept summaries): two
    queries when nothing changed since the last visit."""
    key = department.pk if department is not None else FRANCE
    if SummaryChange.objects.exists():
        refresh()
    stored = dict(Summary.objects.filter(key__in={key, FRANCE}).values_list("key", "data"))
    if FRANCE not in stored:  # never built (a new database, or emptied)
        refresh(built=False)
        stored = dict(Summary.objects.filter(key__in={key, FRANCE}).values_list("key", "data"))
    if department is None:
        return stored[FRANCE]  # type: ignore[no-any-return]
    if key not in stored:
        return View(data=empty(), map={})
    return view({key: stored[key]}, {key: department.code})


# --- Recording the changes, in the writer's transaction ------------------------------------------------


class _Touched:
    """An on-commit marker: this département's change is already recorded in the current transaction
    (Django drops the markers of a savepoint rolled back, with the savepoint's insert)."""

    def __init__(self, key: int) -> None:
        self.key = key

    def __call__(self) -> None:
        return None


def touch(key: int | None) -> None:
    """Record that the figures of département `key` (0: outside any; -1: all) changed."""
    key = OUTSIDE if key is None else key
    if connection.in_atomic_block:
        # Django's pending on-commit callbacks: (savepoint ids, callback, robust).
        pending = [entry[1] for entry in connection.run_on_commit]
        if any(isinstance(f, _Touched) and f.key in (key, FRANCE) for f in pending):
            return
        SummaryChange.objects.create(key=key)
        transaction.on_commit(_Touched(key))
        return
    SummaryChange.objects.create(key=key)


def _department_of_programming(programming_id: int | None) -> int | None:
    if programming_id is None:
        return None
    return Programming.objects.filter(pk=programming_id).values_list("contract__department_id", flat=True).first()


def _on_project(instance: Project, raw: bool = False, **_: Any) -> None:
    touch(FRANCE if raw else instance.department_id)


def _on_contract(instance: Contract, raw: bool = False, **_: Any) -> None:
    touch(FRANCE if raw else instance.department_id)


# A fixture loaded raw (`loaddata`) may name rows not loaded yet: everything is recomputed.
def _on_programming(instance: Programming, raw: bool = False, **_: Any) -> None:
    if raw:
        touch(FRANCE)
    elif Programming.contract.is_cached(instance):
        touch(instance.contract.department_id)
    else:
        touch(Contract.objects.filter(pk=instance.contract_id).values_list("department_id", flat=True).first())


def _on_action(instance: Action, raw: bool = False, **_: Any) -> None:
    touch(FRANCE if raw else _department_of_programming(instance.programming_id))


def _on_report(instance: Report, raw: bool = False, **_: Any) -> None:
    touch(FRANCE if raw else instance.department_id)


def _on_entry(instance: LedgerEntry, raw: bool = False, **_: Any) -> None:
    if raw:
        touch(FRANCE)
    elif LedgerEntry.envelope.is_cached(instance):
        touch(instance.envelope.department_id)
    else:
        touch(Envelope.objects.filter(pk=instance.envelope_id).values_list("department_id", flat=True).first())


def _on_referential(**_: Any) -> None:
    touch(FRANCE)


def _on_domains(instance: Any, action: str, reverse: bool, **_: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # a domain's files changed from the domain's side
        touch(FRANCE)
    elif isinstance(instance, Project):
        touch(instance.department_id)
    else:
        touch(_department_of_programming(instance.programming_id))


def connect() -> None:
    for model, receiver in (
        (Project, _on_project),
        (Contract, _on_contract),
        (Programming, _on_programming),
        (Action, _on_action),
        (Report, _on_report),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"summary-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"summary-del-{model.__name__}")
    post_save.connect(_on_entry, sender=LedgerEntry, dispatch_uid="summary-LedgerEntry")
    post_delete.connect(_on_entry, sender=LedgerEntry, dispatch_uid="summary-del-LedgerEntry")
    for named in (Domain, Priority, BudgetLine):
        post_save.connect(_on_referential, sender=named, dispatch_uid=f"summary-{named.__name__}")
        post_delete.connect(_on_referential, sender=named, dispatch_uid=f"summary-del-{named.__name__}")
    m2m_changed.connect(_on_domains, sender=Project.domains.through, dispatch_uid="summary-project-domains")
    m2m_changed.connect(_on_domains, sender=Action.domains.through, dispatch_uid="summary-action-domains")
