# ruff: noqa: E501 -- the generated rows are written one per line, as data
"""Ten campaign years of the programme (2021-2030) in every département, written with COPY.

Deterministic from a seed: the same scale and seed give the same rows. Valid by the project's
own constraints (the database checks every CheckConstraint and UniqueConstraint on COPY), and
consistent with the services' invariants: a funded PTAI has its delegation, commitment and
advance on the ledger; a closed one its balance; a committed programming its two commitments;
each file has its transition log and its audit events.

At scale 1: ≈ 50 000 PTAI, 1 000 CTAI, ≈ 9 000 programmings, ≈ 190 000 actions, ≈ 5 000 users,
≈ 100 000 ledger entries, ≈ 450 000 audit events. Simple-history tables are not filled (no page
reads them at scale); documents and messages are not generated.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from psycopg.types.json import Jsonb

from core.validators import siret_from

FIRST_YEAR = 2021
LAST_YEAR = 2030
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
PASSWORD = "bench-password-2026"
CENT = Decimal("0.01")
# The data's present: reports due before it are mostly handed in, later ones mostly expected.
PRESENT = date(LAST_YEAR, 10, 1)


def _money(value: float) -> Decimal:
    return Decimal(round(value / 100) * 100).quantize(CENT)


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, table: str, n: int) -> None:
        self.rows[table] += n


class Writer:
    """COPY rows into a model's table; ids are given by the generator, sequences reset at the end."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.next_ids: dict[str, int] = {}
        self.tables: list[str] = []

    def _first_id(self, table: str) -> None:
        if table not in self.next_ids:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
                self.next_ids[table] = cursor.fetchone()[0] + 1

    def next_id(self, model: type[models.Model]) -> int:
        table = model._meta.db_table
        self._first_id(table)
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def copy(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        """`rows` are dicts keyed by attname (`campaign_id`); missing keys take the field's default."""
        meta = model._meta
        self._first_id(meta.db_table)  # not during the COPY: the connection is busy with it
        fields = list(meta.concrete_fields)
        defaults = []
        for f in fields:
            value = f.get_default() if f.has_default() else (None if f.null else "")
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = None
            defaults.append(value)
        json_columns = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
        columns = ", ".join(f'"{f.column}"' for f in fields)
        names = [f.attname for f in fields]
        n = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f'COPY "{meta.db_table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    values = [row.get(name, default) for name, default in zip(names, defaults, strict=True)]
                    for i in json_columns:
                        values[i] = Jsonb(values[i])
                    copy.write_row(values)
                    n += 1
        if meta.db_table not in self.tables:
            self.tables.append(meta.db_table)
        self.counts.add(meta.db_table, n)
        return n

    def reset_sequences(self) -> None:
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) FROM " + f'"{table}"',
                    [table],
                )
                cursor.execute(f'ANALYZE "{table}"')


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 36_000))


# The path of a PTAI to each state (the transitions it went through).
PTAI_PATHS: dict[str, list[tuple[str, str, str]]] = {}


def _ptai_paths() -> dict[str, list[tuple[str, str, str]]]:
    chain = [
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "in_review"),
        ("give_opinion", "in_review", "reviewed"),
        ("prefect_approve", "reviewed", "prefect_approved"),
        ("ministry_approve", "prefect_approved", "ministry_approved"),
        ("delegate_credits", "ministry_approved", "credits_delegated"),
        ("commit", "credits_delegated", "funded"),
        ("close", "funded", "closed"),
    ]
    paths: dict[str, list[tuple[str, str, str]]] = {"draft": []}
    for i, step in enumerate(chain):
        paths[step[2]] = chain[: i + 1]
    paths["correction_requested"] = [*chain[:2], ("request_correction", "in_review", "correction_requested")]
    paths["prefect_refused"] = [*chain[:3], ("prefect_refuse", "reviewed", "prefect_refused")]
    paths["ministry_refused"] = [*chain[:4], ("ministry_refuse", "prefect_approved", "ministry_refused")]
    paths["dismissed"] = [*chain[:2], ("dismiss", "in_review", "dismissed")]
    paths["withdrawn"] = [("withdraw", "draft", "withdrawn")]
    return paths


# State weights by the age of the campaign (0: the last year, 1: the one before, 2+: older).
PTAI_WEIGHTS = {
    0: {
        "draft": 22, "submitted": 14, "in_review": 14, "correction_requested": 5, "reviewed": 8,
        "prefect_approved": 6, "prefect_refused": 2, "ministry_approved": 4, "ministry_refused": 1,
        "credits_delegated": 4, "funded": 12, "dismissed": 2, "withdrawn": 4,
    },
    1: {
        "draft": 3, "in_review": 3, "reviewed": 2, "prefect_refused": 6, "ministry_refused": 4,
        "credits_delegated": 2, "funded": 40, "closed": 28, "dismissed": 6, "withdrawn": 6,
    },
    2: {"draft": 1, "prefect_refused": 8, "ministry_refused": 6, "funded": 8, "closed": 64, "dismissed": 7, "withdrawn": 6},
}  # fmt: skip
REVIEWED = {"reviewed", "prefect_approved", "prefect_refused", "ministry_approved", "ministry_refused"}
REVIEWED |= {"credits_delegated", "funded", "closed"}
PREFECT_DECIDED = REVIEWED - {"reviewed"}
GRANTED = {"ministry_approved", "credits_delegated", "funded", "closed"}
DELEGATED = {"credits_delegated", "funded", "closed"}
FUNDED = {"funded", "closed"}
WORDS = (
    "accueil", "logement", "santé", "emploi", "langue", "mobilité", "insertion", "culture", "sport", "droits",
    "jeunes", "femmes", "familles", "parrainage", "numérique", "formation", "accompagnement", "citoyenneté",
)  # fmt: skip


class Generator:
    def __init__(self, *, scale: float, seed: int, log: Any = print) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.log = log
        self.counts = Counts()
        self.w = Writer(self.counts)

    # --- Reference data -------------------------------------------------------------------------

    def _load(self) -> None:
        from programme.models import BudgetLine, Campaign, Domain, Priority
        from referential.models import Authority, Department

        self.departments = list(Department.objects.order_by("code").values_list("pk", "code"))
        self.campaigns = {c.year: c for c in Campaign.objects.filter(year__in=YEARS)}
        self.lines = {b.code: b.pk for b in BudgetLine.objects.all()}
        self.domains = list(Domain.objects.filter(is_active=True).order_by("position").values_list("pk", "code"))
        self.housing = next(pk for pk, code in self.domains if code == "logement")
        self.priorities = list(Priority.objects.values_list("pk", flat=True))
        pool_size = max(6, round(40 * min(1.0, self.scale * 2)))
        self.pools: dict[int, list[int]] = {}
        rows = (
            Authority.objects.filter(kind__in=["commune", "epci", "departement"], department__isnull=False)
            .order_by("department_id", "-population", "pk")
            .values_list("pk", "department_id")
        )
        for pk, dept in rows:
            pool = self.pools.setdefault(dept, [])
            if len(pool) < pool_size:
                pool.append(pk)
        self.departments = [(pk, code) for pk, code in self.departments if pk in self.pools]
        self.rules = {year: c.rules() for year, c in self.campaigns.items()}
        self.ct = {m: ContentType.objects.get_for_model(m).pk for m in self._models()}

    @staticmethod
    def _models() -> list[type[models.Model]]:
        from contracts.models import Contract, Programming
        from projects.models import Project

        return [Project, Contract, Programming]

    def ensure_campaigns(self) -> None:
        """Ten campaign years, each copied from the one before by the site's own service."""
        from accounts.enums import Role
        from accounts.models import Membership, User
        from programme.models import Campaign
        from programme.services import create_next_campaign

        admin, _ = User.objects.get_or_create(
            email="admin@bench.example", defaults={"first_name": "Admin", "last_name": "Bench"}
        )
        Membership.objects.get_or_create(user=admin, role=Role.ADMIN)
        while Campaign.objects.order_by("-year").values_list("year", flat=True).first() < LAST_YEAR:  # type: ignore[operator]
            create_next_campaign(actor=admin)

    # --- Users ----------------------------------------------------------------------------------

    def users(self) -> None:
        from accounts.enums import Role
        from accounts.models import Membership, User

        password = make_password(PASSWORD)
        now = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)
        users: list[dict[str, Any]] = []
        memberships: list[dict[str, Any]] = []
        self.user_of: dict[tuple[str, int], int] = {}

        def add(email: str, first: str, last: str, role: str, **scope: int) -> int:
            pk = self.w.next_id(User)
            users.append(
                {
                    "id": pk, "password": password, "email": email, "first_name": first,
                    "last_name": last, "is_active": True, "is_staff": False, "is_superuser": False,
                    "date_joined": now, "last_login": None,
                }
            )  # fmt: skip
            memberships.append(
                {"id": self.w.next_id(Membership), "user_id": pk, "role": role, "created_at": now, **scope}
            )
            return pk

        admin = User.objects.get(email="admin@bench.example")
        self.user_of[("admin", 0)] = admin.pk
        self.user_of[("diair", 0)] = add("diair@bench.example", "Diane", "Diair", Role.DIAIR)
        self.user_of[("ministry", 0)] = add("ministere@bench.example", "Marc", "Ministère", Role.MINISTRY)
        for dept, code in self.departments:
            self.user_of[("instructor", dept)] = add(
                f"instructeur.{code.lower()}@bench.example", "Inès", f"Instructrice {code}", Role.INSTRUCTOR,
                department_id=dept,
            )  # fmt: skip
            self.user_of[("prefect", dept)] = add(
                f"prefet.{code.lower()}@bench.example", "Paul", f"Préfet {code}", Role.PREFECT, department_id=dept
            )
        for pool in self.pools.values():
            for pk in pool:
                self.user_of[("agent", pk)] = add(
                    f"agent.{pk}@bench.example", "Agnès", f"Agent {pk}", Role.AGENT, authority_id=pk
                )
        self.w.copy(User, users)
        self.w.copy(Membership, memberships)

    # --- Money ----------------------------------------------------------------------------------

    def envelopes(self) -> None:
        from finance.enums import EnvelopeLevel
        from finance.models import Envelope

        rows = []
        self.national_env: dict[tuple[int, str], int] = {}
        self.dept_env: dict[tuple[int, str, int], int] = {}
        for year, campaign in self.campaigns.items():
            for code, line in self.lines.items():
                pk = self.w.next_id(Envelope)
                self.national_env[(year, code)] = pk
                at = datetime(year, 1, 5, 9, tzinfo=UTC)
                rows.append({"id": pk, "campaign_id": campaign.pk, "budget_line_id": line, "level": EnvelopeLevel.NATIONAL, "created_at": at})  # fmt: skip
                for dept, _code in self.departments:
                    child = self.w.next_id(Envelope)
                    self.dept_env[(year, code, dept)] = child
                    rows.append(
                        {
                            "id": child, "campaign_id": campaign.pk, "budget_line_id": line,
                            "level": EnvelopeLevel.DEPARTMENT, "department_id": dept, "parent_id": pk, "created_at": at,
                        }
                    )  # fmt: skip
        self.w.copy(Envelope, rows)
        self.entries: list[dict[str, Any]] = []
        self.commitments: list[dict[str, Any]] = []
        self.national_out: dict[tuple[int, str], Decimal] = defaultdict(Decimal)

    def _entry(self, **values: Any) -> int:
        from finance.models import LedgerEntry

        pk = self.w.next_id(LedgerEntry)
        self.entries.append({"id": pk, **values})
        return pk

    def _delegate(
        self, year: int, code: str, dept: int, amount: Decimal, at: datetime, actor: int, **file: Any
    ) -> None:
        from finance.enums import EntryKind

        out = self._entry(
            envelope_id=self.national_env[(year, code)], kind=EntryKind.DELEGATION_OUT, amount=amount,
            created_at=at, created_by_id=actor, **file,
        )  # fmt: skip
        self._entry(
            envelope_id=self.dept_env[(year, code, dept)], kind=EntryKind.DELEGATION_IN, amount=amount,
            counterpart_id=out, created_at=at, created_by_id=actor, **file,
        )  # fmt: skip
        self.national_out[(year, code)] += amount

    def _commit(
        self, *, envelope: int, label: str, ct: int, pk: int, amount: Decimal, advance: Decimal, at: datetime,
        actor: int, rules: dict[str, Any], final: Decimal | None, closed_at: datetime | None,
    ) -> int:  # fmt: skip
        from finance.enums import EntryKind, Tranche
        from finance.models import Commitment

        commitment = self.w.next_id(Commitment)
        self.commitments.append(
            {"id": commitment, "envelope_id": envelope, "funded_type_id": ct, "funded_id": str(pk), "label": label[:200],
             "rules": rules, "created_at": at, "created_by_id": actor}
        )  # fmt: skip
        self._entry(envelope_id=envelope, kind=EntryKind.COMMITMENT, amount=amount, commitment_id=commitment, created_at=at, created_by_id=actor)  # fmt: skip
        if advance > 0:
            self._entry(
                envelope_id=envelope, kind=EntryKind.PAYMENT, amount=advance, commitment_id=commitment,
                tranche=Tranche.ADVANCE, created_at=at + timedelta(minutes=1), created_by_id=actor,
            )  # fmt: skip
        if final is not None and closed_at is not None:
            if final > advance:
                self._entry(
                    envelope_id=envelope, kind=EntryKind.PAYMENT, amount=final - advance, commitment_id=commitment,
                    tranche=Tranche.BALANCE, created_at=closed_at, created_by_id=actor,
                )  # fmt: skip
            if amount > max(final, advance):
                self._entry(
                    envelope_id=envelope, kind=EntryKind.RELEASE, amount=amount - max(final, advance),
                    commitment_id=commitment, created_at=closed_at, created_by_id=actor,
                )  # fmt: skip
        return commitment

    # --- PTAI -----------------------------------------------------------------------------------

    def projects(self) -> None:
        from audit.models import Event
        from projects.models import BudgetItem, Project, ProjectTransition, Resource

        rng = self.rng
        paths = _ptai_paths()
        total = max(200, round(50_000 * self.scale))
        rules = self.rules
        numbers: dict[tuple[int, int], int] = defaultdict(int)
        projects: list[dict[str, Any]] = []
        partners: list[dict[str, Any]] = []
        domains: list[dict[str, Any]] = []
        resources: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        transitions: list[dict[str, Any]] = []
        events: list[tuple[datetime, int, str, int, int, dict[str, Any]]] = []
        project_ct = self.ct[Project]
        for i in range(total):
            year = FIRST_YEAR + i * len(YEARS) // total
            age = min(2, LAST_YEAR - year)
            states, weights = zip(*PTAI_WEIGHTS[age].items(), strict=True)
            state = rng.choices(states, weights)[0]
            dept, code = rng.choice(self.departments)
            if i == total * 8 // 10:  # at every scale, a funded PTAI of Isère (the file page measured)
                state = "funded"
                dept, code = next((d, c) for d, c in self.departments if c == "38")
            pool = self.pools[dept]
            # The largest collectivité of the département leads a tenth of its files.
            lead = pool[0] if rng.random() < 0.1 else rng.choice(pool)
            pk = self.w.next_id(Project)
            created = _at(date(year, 1, 1) + timedelta(days=rng.randint(0, 300)), rng)
            requested = _money(rng.uniform(10_000, 300_000))
            target = "bpi_only" if rng.random() < 0.3 else "all"
            agent = self.user_of[("agent", lead)]
            instructor = self.user_of[("instructor", dept)]
            prefect = self.user_of[("prefect", dept)]
            ministry = self.user_of[("ministry", 0)]
            words = rng.sample(WORDS, 3)
            title = f"{words[0].capitalize()} et {words[1]} : {words[2]} n° {i + 1}"
            steps = paths[state]
            when = created
            reference = ""
            for name, source, target_state in steps:
                when += timedelta(days=rng.randint(3, 30), seconds=rng.randint(0, 3600))
                actor = {"submit": agent, "withdraw": agent, "start_review": instructor, "give_opinion": instructor,
                         "request_correction": instructor, "dismiss": instructor, "prefect_approve": prefect,
                         "prefect_refuse": prefect, "commit": prefect, "close": prefect}.get(name, ministry)  # fmt: skip
                transitions.append(
                    {"id": self.w.next_id(ProjectTransition), "project_id": pk, "transition": name, "actor_id": actor,
                     "reason": "", "created_at": when, "source": source, "target": target_state}
                )  # fmt: skip
                events.append((when, actor, f"projects.{name}", project_ct, pk, {}))
            if state not in ("draft", "withdrawn"):
                numbers[(year, dept)] += 1
                reference = f"PTAI-{year}-{code}-{numbers[(year, dept)]:04d}"
            granted = _money(float(requested) * rng.uniform(0.5, 1.0)) if state in GRANTED else None
            if granted is not None:
                granted = min(max(granted, CENT * 100), requested)
            row: dict[str, Any] = {
                "id": pk, "campaign_id": self.campaigns[year].pk, "lead_authority_id": lead, "department_id": dept,
                "state": state, "state_changed_at": when, "title": title,
                "summary": f"Projet {words[0]} pour les personnes accueillies : {', '.join(words)}.",
                "target_public": target, "requested_amount": requested, "reference": reference,
                "rules": rules[year] if state != "draft" else {}, "created_by_id": agent, "created_at": created,
                "updated_at": when, "planned_bpi": rng.randint(5, 200), "planned_newcomers": rng.randint(0, 200),
                "start_date": date(year, 3, 1), "end_date": date(year, 12, 31), "granted_amount": granted,
                "submitted_at": created + timedelta(days=1) if state not in ("draft", "withdrawn") else None,
                "bpi_justification": "Public réfugié prioritaire." if target == "bpi_only" else "",
            }  # fmt: skip
            if state in REVIEWED:
                favorable = state not in ("prefect_refused",) or rng.random() < 0.5
                row.update(
                    opinion="favorable" if favorable else "unfavorable", opinion_text="Avis motivé de l'instruction.",
                    proposed_amount=requested if favorable else None, opinion_by_id=instructor,
                )  # fmt: skip
            if state in PREFECT_DECIDED:
                row["prefect_decision_by_id"] = prefect
            line = "104-15" if target == "bpi_only" else "104-12"
            assert granted is not None or state not in DELEGATED
            if state in DELEGATED and granted is not None:
                at = created + timedelta(days=120)
                self._delegate(year, line, dept, granted, at, ministry, funded_type_id=project_ct, funded_id=str(pk))
            if state in FUNDED and granted is not None:
                advance = (granted * Decimal(rules[year]["advance_rate"]) / 100).quantize(CENT)
                final = _money(float(granted) * rng.uniform(0.7, 1.0)) if state == "closed" else None
                if final is not None:
                    final = min(granted, max(final, advance))
                row["commitment_id"] = self._commit(
                    envelope=self.dept_env[(year, line, dept)], label=f"{reference} — {title}", ct=project_ct, pk=pk,
                    amount=granted, advance=advance, at=created + timedelta(days=150), actor=prefect,
                    rules=rules[year], final=final, closed_at=when if final is not None else None,
                )  # fmt: skip
            projects.append(row)
            if state in FUNDED:  # owes its reports (steering.schedule: interim halfway, final 90 days after)
                self.reported.append(("ptai", pk, year, dept, lead, title, granted or Decimal(0), agent))
            events.append((created, agent, "projects.draft_created", project_ct, pk, {"titre": title}))
            events.append((created + timedelta(hours=1), agent, "projects.budget_updated", project_ct, pk, {}))
            chosen = {self.housing} if year >= 2022 or rng.random() < 0.5 else set()
            chosen |= {d for d, _c in rng.sample(self.domains, rng.randint(1, 3))}
            domains.extend({"project_id": pk, "domain_id": d} for d in sorted(chosen))
            if rng.random() < 0.2:
                others = [a for a in rng.sample(pool, min(3, len(pool))) if a != lead][:2]
                partners.extend({"project_id": pk, "authority_id": a} for a in others)
            cofunding = _money(float(requested) * rng.uniform(0.2, 0.6))
            resources.append(
                {"id": self.w.next_id(Resource), "project_id": pk, "kind": "state_request", "amount": requested}
            )
            resources.append(
                {"id": self.w.next_id(Resource), "project_id": pk, "kind": "authority_cofunding", "amount": cofunding}
            )
            half = (requested + cofunding) / 2
            for nature, amount in (
                ("Personnel", half.quantize(CENT)),
                ("Fonctionnement", (requested + cofunding - half.quantize(CENT))),
            ):
                items.append({"id": self.w.next_id(BudgetItem), "project_id": pk, "nature": nature, "amount": amount})
        self.w.copy(Project, projects)
        self.w.copy(Project.partners.through, ({"id": self.w.next_id(Project.partners.through), **r} for r in partners))
        self.w.copy(Project.domains.through, ({"id": self.w.next_id(Project.domains.through), **r} for r in domains))
        self.w.copy(Resource, resources)
        self.w.copy(BudgetItem, items)
        self.w.copy(ProjectTransition, transitions)
        self.events: list[tuple[datetime, int, str, int, int, dict[str, Any]]] = events
        self.events_model = Event

    # --- CTAI -----------------------------------------------------------------------------------

    def contracts(self) -> None:
        from contracts.models import Action, Call, Contract, ContractTransition, Programming, ProgrammingTransition
        from referential.models import Authority

        rng = self.rng
        total = max(10, round(1_000 * self.scale))
        candidates = list(
            Authority.objects.filter(kind__in=["epci", "commune", "departement"], department__isnull=False)
            .order_by("-population", "pk")
            .values_list("pk", "department_id", "name")[: total]
        )  # fmt: skip
        contract_ct, programming_ct = self.ct[Contract], self.ct[Programming]
        diair, ministry = self.user_of[("diair", 0)], self.user_of[("ministry", 0)]
        Rows = list[dict[str, Any]]
        contracts: Rows = []
        c_transitions: Rows = []
        programmings: Rows = []
        p_transitions: Rows = []
        actions: Rows = []
        action_domains: Rows = []
        calls: Rows = []
        call_domains: Rows = []
        need: dict[tuple[int, str, int], Decimal] = defaultdict(Decimal)
        agents_extra: list[tuple[int, int]] = []
        largest_done = False
        for i, (authority, dept, name) in enumerate(candidates):
            year = FIRST_YEAR + i * 8 // total  # signed between 2021 and 2028
            roll = rng.random()
            state = "signed" if roll < 0.78 else "ended" if roll < 0.84 else "abandoned" if roll < 0.88 else rng.choice(
                ["contact", "letter_received", "diagnosis", "drafting"]
            )  # fmt: skip
            pk = self.w.next_id(Contract)
            agent = self.user_of.get(("agent", authority))
            if agent is None:
                agents_extra.append((authority, pk))
            prefect = self.user_of[("prefect", dept)]
            created = _at(date(year - 1, 3, 1) + timedelta(days=rng.randint(0, 200)), rng)
            signed = state in ("signed", "ended")
            signed_on = date(year, 1, 15) + timedelta(days=rng.randint(0, 120)) if signed else None
            duration = 3
            effective_to = date(year + duration - 1, 12, 31) if signed else None
            if state == "signed":
                effective_to = date(LAST_YEAR, 12, 31)
            steps = {"contact": [], "letter_received": ["record_letter"], "diagnosis": ["record_letter", "start_diagnosis"],
                     "drafting": ["record_letter", "start_diagnosis", "complete_diagnosis"],
                     "signed": ["record_letter", "start_diagnosis", "complete_diagnosis", "sign"],
                     "ended": ["record_letter", "start_diagnosis", "complete_diagnosis", "sign", "end"],
                     "abandoned": ["record_letter", "abandon"]}[state]  # fmt: skip
            chain = ["contact", "letter_received", "diagnosis", "drafting", "signed", "ended"]
            when = created
            for n, step in enumerate(steps):
                when += timedelta(days=rng.randint(10, 60))
                source, target = (chain[n], chain[n + 1]) if step != "abandon" else ("letter_received", "abandoned")
                c_transitions.append(
                    {"id": self.w.next_id(ContractTransition), "contract_id": pk, "transition": step,
                     "actor_id": prefect, "reason": "", "created_at": when, "source": source, "target": target}
                )  # fmt: skip
                self.events.append((when, prefect, f"contracts.{step}", contract_ct, pk, {}))
            contracts.append(
                {"id": pk, "kind": "ctai", "campaign_id": self.campaigns[year].pk, "authority_id": authority,
                 "department_id": dept, "title": f"CTAI de {name}", "state": state, "state_changed_at": when,
                 "letter_date": created.date() + timedelta(days=5), "signature_year": year,
                 "rules": self.rules[year], "coordinator_name": "Camille Coordinatrice",
                 "coordinator_role": "Chargée de mission", "elected_official_name": "Le maire" if signed else "",
                 "prefect_name": "Le préfet" if signed else "", "signed_on": signed_on,
                 "effective_from": date(year, 1, 1) if signed else None, "effective_to": effective_to,
                 "duration_years": duration if signed else None, "created_by_id": agent or prefect,
                 "created_at": created, "updated_at": when}
            )  # fmt: skip
            if not signed:
                continue
            self.signed.append((pk, dept, year))
            last = LAST_YEAR if state == "signed" else (effective_to.year if effective_to else year)
            for p_year in range(year, last + 1):
                age = LAST_YEAR - p_year
                p_state = "closed" if age >= 2 else rng.choice(["committed", "closed"]) if age == 1 else rng.choice(
                    ["draft", "presented", "changes_requested", "approved", "committed"]
                )  # fmt: skip
                ppk = self.w.next_id(Programming)
                count = rng.randint(12, 28)
                if not largest_done and p_state == "committed":
                    count, largest_done = 120, True
                    self.largest_programming = ppk
                base = Decimal(0)
                complement = Decimal(0)
                p_created = _at(date(p_year, 1, 10), rng)
                reviewed = p_state in ("approved", "committed", "closed")
                owed: list[tuple[Any, ...]] = []
                for a in range(count):
                    budget = _money(rng.uniform(8_000, 60_000))
                    amount = _money(float(budget) * rng.uniform(0.3, 0.9))
                    part = "base" if rng.random() < 0.7 else "complement"
                    if part == "base":
                        base += amount
                    else:
                        complement += amount
                    apk = self.w.next_id(Action)
                    association = rng.random() < 0.6
                    actions.append(
                        {"id": apk, "programming_id": ppk, "title": f"Action {a + 1} : {rng.choice(WORDS)} et {rng.choice(WORDS)}",
                         "description": "Accompagnement des personnes accueillies.",
                         "carrier_kind": "association" if association else "authority",
                         "carrier_name": f"Association {rng.choice(WORDS)}" if association else name,
                         "siret": f"{rng.randint(10**13, 10**14 - 1)}" if association else "",
                         "public": "bpi" if part == "base" else "newcomers", "planned_bpi": rng.randint(5, 80),
                         "planned_newcomers": rng.randint(0, 80), "budget": budget, "state_amount": amount,
                         "part": part, "priority_id": rng.choice(self.priorities) if self.priorities else None,
                         "review": "accepted" if reviewed else "pending",
                         "reviewed_by_id": diair if reviewed else None,
                         "reviewed_at": p_created + timedelta(days=20) if reviewed else None, "created_at": p_created}
                    )  # fmt: skip
                    if reviewed:
                        owed.append(
                            ("action", apk, p_year, dept, authority, actions[-1]["title"], amount, agent or prefect)
                        )
                    chosen = {self.housing} if a == 0 else {rng.choice(self.domains)[0]}
                    action_domains.extend({"action_id": apk, "domain_id": d} for d in chosen)
                row: dict[str, Any] = {
                    "id": ppk, "contract_id": pk, "campaign_id": self.campaigns[p_year].pk, "state": p_state,
                    "state_changed_at": p_created + timedelta(days=40), "base_amount": base,
                    "complement_amount": complement, "rules": self.rules[p_year] if p_state != "draft" else {},
                    "created_at": p_created, "updated_at": p_created + timedelta(days=40),
                }  # fmt: skip
                path = {"draft": [], "presented": ["present"], "changes_requested": ["present", "request_changes"],
                        "approved": ["present", "approve"], "committed": ["present", "approve", "commit"],
                        "closed": ["present", "approve", "commit", "close"]}[p_state]  # fmt: skip
                states = {"present": ("draft", "presented"), "request_changes": ("presented", "changes_requested"),
                          "approve": ("presented", "approved"), "commit": ("approved", "committed"),
                          "close": ("committed", "closed")}  # fmt: skip
                at = p_created
                for step in path:
                    at += timedelta(days=rng.randint(5, 30))
                    actor = diair if step in ("approve", "request_changes") else prefect
                    p_transitions.append(
                        {"id": self.w.next_id(ProgrammingTransition), "programming_id": ppk, "transition": step,
                         "actor_id": actor, "reason": "", "created_at": at, "source": states[step][0],
                         "target": states[step][1]}
                    )  # fmt: skip
                    self.events.append((at, actor, f"contracts.programming_{step}", programming_ct, ppk, {}))
                if p_state in ("committed", "closed"):
                    closed = p_state == "closed"
                    rate = Decimal(self.campaigns[p_year].advance_rate) / 100
                    for code, amount, key in (("104-15", base, "base"), ("104-12", complement, "complement")):
                        if amount <= 0:
                            continue
                        need[(p_year, code, dept)] += amount
                        advance = (amount * rate).quantize(CENT)
                        final = (
                            min(amount, max(advance, _money(float(amount) * rng.uniform(0.8, 1.0)))) if closed else None
                        )
                        row[f"{key}_commitment_id"] = self._commit(
                            envelope=self.dept_env[(p_year, code, dept)], label=f"CTAI de {name} — {p_year} — {key}",
                            ct=programming_ct, pk=ppk, amount=amount, advance=advance, at=at, actor=prefect,
                            rules=row["rules"], final=final, closed_at=at + timedelta(days=200) if closed else None,
                        )  # fmt: skip
                        row[f"final_{key}_amount"] = final
                    if closed:
                        row["report_received_on"] = (at + timedelta(days=199)).date()
                        row.setdefault("final_base_amount", Decimal(0))
                        row.setdefault("final_complement_amount", Decimal(0))
                    if row.get("base_commitment_id") is None:
                        row["state"] = "approved"  # a committed programming always holds a socle
                programmings.append(row)
                if row["state"] in ("committed", "closed"):
                    self.reported.extend(owed)
                if p_year >= LAST_YEAR - 1 and rng.random() < 0.4:
                    cpk = self.w.next_id(Call)
                    published = p_year == LAST_YEAR
                    calls.append(
                        {"id": cpk, "contract_id": pk, "authority_id": authority, "campaign_id": self.campaigns[p_year].pk,
                         "title": f"Appel à projets {p_year} : {rng.choice(WORDS)}", "text": "Présentez vos actions.",
                         "deadline": date(p_year, 10, 31), "budget": _money(rng.uniform(50_000, 200_000)),
                         "state": "published" if published else "closed", "published_at": p_created,
                         "created_by_id": agent or prefect, "created_at": p_created}
                    )  # fmt: skip
                    call_domains.append({"call_id": cpk, "domain_id": self.housing})
        # The département's CTAI credits come down from the national envelope once a year per line.
        for (year, code, dept), amount in sorted(need.items()):
            self._delegate(year, code, dept, amount, datetime(year, 2, 1, 9, tzinfo=UTC), ministry)
        self._extra_agents(agents_extra)
        self.w.copy(Contract, contracts)
        self.w.copy(ContractTransition, c_transitions)
        self.w.copy(Programming, programmings)
        self.w.copy(ProgrammingTransition, p_transitions)
        self.w.copy(Action, actions)
        self.w.copy(
            Action.domains.through, ({"id": self.w.next_id(Action.domains.through), **r} for r in action_domains)
        )
        self.w.copy(Call, calls)
        self.w.copy(Call.domains.through, ({"id": self.w.next_id(Call.domains.through), **r} for r in call_domains))

    def _extra_agents(self, pairs: list[tuple[int, int]]) -> None:
        """Contract signatories outside the PTAI pools get their agent too."""
        from accounts.enums import Role
        from accounts.models import Membership, User

        password = make_password(PASSWORD)
        now = datetime(2030, 1, 2, 9, tzinfo=UTC)
        users, memberships = [], []
        for authority, _contract in pairs:
            pk = self.w.next_id(User)
            email = f"agent.{authority}@bench.example"
            users.append({"id": pk, "password": password, "email": email, "first_name": "Agnès",
                          "last_name": f"Agent {authority}", "is_active": True, "date_joined": now})  # fmt: skip
            memberships.append({"id": self.w.next_id(Membership), "user_id": pk, "role": Role.AGENT,
                                "authority_id": authority, "created_at": now})  # fmt: skip
            self.user_of[("agent", authority)] = pk
        self.w.copy(User, users)
        self.w.copy(Membership, memberships)

    # --- Steering: reports with their indicators, committees, evaluations, local contacts -------------

    def steering(self) -> None:
        """The reports each funded PTAI and each accepted CTAI action owe (steering.schedule's dates),
        in the state the data's present (`PRESENT`, autumn of the last year) gives them, with the
        values of the campaign's indicator set; their transitions and audit events; a departmental
        committee a year per département and two national ones, with the files examined and decisions;
        evaluations of closed actions; the local contacts of every département."""
        from contracts.models import Action
        from projects.models import Project
        from public.models import Referent
        from reporting.models import Report, ReportTransition
        from reporting.services import indicators_for
        from steering.models import Committee, Decision, Evaluation

        rng = self.rng
        sets = {
            year: [{"code": i.code, "label": i.label, "group": i.group} for i in indicators_for(campaign)]
            for year, campaign in self.campaigns.items()
        }
        ct = {"ptai": self.ct[Project], "action": ContentType.objects.get_for_model(Action).pk}
        diair = self.user_of[("diair", 0)]
        reports: list[dict[str, Any]] = []
        transitions: list[dict[str, Any]] = []
        by_year_dept: dict[tuple[int, int], list[tuple[str, int, str]]] = defaultdict(list)
        closed: list[tuple[str, int, int, int, str]] = []
        labels = {"interim": "Bilan intermédiaire", "final": "Bilan final"}
        states = {"submitted": "Remis", "accepted": "Accepté", "completion_requested": "À compléter"}
        for kind, pk, year, dept, authority, title, budget, agent in self.reported:
            if kind == "ptai":
                dues = {
                    "interim": date(year, 3, 1) + timedelta(days=152),
                    "final": date(year, 12, 31) + timedelta(days=90),
                }
            else:
                dues = {"interim": date(year, 7, 31), "final": date(year + 1, 3, 31)}
            by_year_dept[(year, dept)].append((kind, pk, title))
            if dues["final"] < PRESENT and rng.random() < 0.1:
                closed.append((kind, pk, dept, authority, title))
            instructor = self.user_of[("instructor", dept)]
            for period, due in dues.items():
                report_pk = self.w.next_id(Report)
                created = datetime(year, 2, 1, 9, tzinfo=UTC)
                if due < PRESENT:
                    roll = rng.random()
                    state = "accepted" if roll < 0.85 else "submitted" if roll < 0.9 else "completion_requested" if roll < 0.93 else "expected"  # fmt: skip
                else:
                    state = "submitted" if rng.random() < 0.15 else "expected"
                row: dict[str, Any] = {
                    "id": report_pk, "target_type_id": ct[kind], "target_id": pk, "target_kind": kind,
                    "title": title[:200], "campaign_id": self.campaigns[year].pk, "department_id": dept,
                    "authority_id": authority, "period": period, "due_on": due, "state": state,
                    "state_changed_at": created, "indicator_set": sets[year], "values": {}, "budget": budget,
                    "created_at": created,
                }  # fmt: skip
                if state != "expected":
                    people = rng.randint(5, 150)
                    bpi = rng.randint(0, people)
                    women = rng.randint(0, people)
                    young = rng.randint(0, people // 3)
                    row["values"] = {
                        "bpi_reached": bpi, "newcomers_reached": people - bpi, "women": women, "men": people - women,
                        "age_under_18": young, "age_18_25": people // 3 - young, "age_26_45": people // 3,
                        "age_46_plus": people - 2 * (people // 3), "hours": people * rng.randint(10, 60),
                        "exits_housing": rng.randint(0, people // 4), "exits_employment": rng.randint(0, people // 4),
                        "language_progress": rng.randint(0, people // 2),
                    }  # fmt: skip
                    row["narrative"] = f"Bilan {labels[period].lower()} : {people} personnes accompagnées."
                    row["spent_amount"] = (budget * Decimal(rng.randint(60, 100)) / 100).quantize(CENT)
                    submitted = _at(due - timedelta(days=rng.randint(0, 20)), rng)
                    row.update(submitted_by_id=agent, submitted_at=submitted, state_changed_at=submitted)
                    steps = [("submit", "expected", "submitted", agent, submitted)]
                    if state in ("accepted", "completion_requested"):
                        reviewed = submitted + timedelta(days=rng.randint(5, 40))
                        row.update(reviewed_by_id=instructor, reviewed_at=reviewed, state_changed_at=reviewed)
                        name = "accept" if state == "accepted" else "request_completion"
                        steps.append((name, "submitted", state, instructor, reviewed))
                        if name == "request_completion":
                            row["review_reason"] = "Précisez les sorties vers le logement."
                    for name, source, target, actor, when in steps:
                        transitions.append(
                            {"id": self.w.next_id(ReportTransition), "report_id": report_pk, "transition": name,
                             "actor_id": actor, "reason": row.get("review_reason", "") if name == "request_completion" else "",
                             "created_at": when, "source": source, "target": target}
                        )  # fmt: skip
                        self.events.append(
                            (
                                when,
                                actor,
                                f"reporting.{name}",
                                ct[kind],
                                pk,
                                {"bilan": labels[period], "vers": states[target]},
                            )
                        )
                reports.append(row)
        self.w.copy(Report, reports)
        self.w.copy(ReportTransition, transitions)
        del reports, transitions

        committees: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        links: dict[str, list[dict[str, Any]]] = defaultdict(list)
        signed_by_dept: dict[int, list[int]] = defaultdict(list)
        for pk, dept, _year in self.signed:
            signed_by_dept[dept].append(pk)

        def committee(year: int, dept: int | None, files: list[tuple[str, int, str]], organiser: int) -> None:
            pk = self.w.next_id(Committee)
            held = date(year, 11, 15) if dept else date(year, rng.choice((6, 12)), 10)
            where = "national" if dept is None else "department"
            committees.append(
                {"id": pk, "level": where, "department_id": dept, "held_on": held,
                 "title": f"Comité de pilotage {year}", "agenda": "Bilans de l'année, programmations à venir.",
                 "minutes": "Relevé de décisions joint." if held < PRESENT else "", "organised_by_id": organiser,
                 "created_at": _at(held, rng)}
            )  # fmt: skip
            participants = {organiser, diair} if dept is None else {organiser, self.user_of[("prefect", dept)]}
            links["participants"].extend({"committee_id": pk, "user_id": u} for u in sorted(participants))
            examined = rng.sample(files, min(len(files), 30))
            for kind, fpk, _title in examined:
                key = "projects" if kind == "ptai" else "actions"
                links[key].append({"committee_id": pk, f"{'project' if kind == 'ptai' else 'action'}_id": fpk})
            if dept is not None:
                links["contracts"].extend(
                    {"committee_id": pk, "contract_id": c} for c in signed_by_dept.get(dept, [])[:5]
                )
            for kind, fpk, title in examined[:4]:
                decisions.append(
                    {"id": self.w.next_id(Decision), "committee_id": pk, "target_type_id": ct[kind], "target_id": fpk,
                     "text": f"Poursuivre « {title[:60]} » l'an prochain.", "due_on": date(year + 1, 6, 30),
                     "created_by_id": organiser, "created_at": _at(held, rng)}
                )  # fmt: skip

        for year in self.campaigns:
            national = [f for (y, _d), files in by_year_dept.items() if y == year for f in files[:3]]
            for _ in range(2):
                committee(year, None, national, diair)
            for dept, _code in self.departments:
                committee(year, dept, by_year_dept.get((year, dept), []), self.user_of[("instructor", dept)])
        self.w.copy(Committee, committees)
        for key in ("participants", "projects", "contracts", "actions"):
            through = getattr(Committee, key).through
            self.w.copy(through, ({"id": self.w.next_id(through), **r} for r in links[key]))
        self.w.copy(Decision, decisions)

        evaluations = []
        for kind, pk, dept, authority, title in closed[: max(20, round(3_000 * self.scale))]:
            done = rng.random() < 0.7
            evaluations.append(
                {"id": self.w.next_id(Evaluation), "target_type_id": ct[kind], "target_id": pk, "title": title[:200],
                 "department_id": dept, "authority_id": authority, "evaluator": "Cabinet d'évaluation",
                 "questions": "Les personnes accompagnées ont-elles trouvé un logement ?",
                 "method": "Entretiens et suivi de cohorte.", "findings": "Résultats conformes." if done else "",
                 "summary": "Action utile, à poursuivre." if done else "",
                 "completed_on": PRESENT - timedelta(days=rng.randint(0, 900)) if done else None,
                 "created_by_id": diair, "created_at": datetime(PRESENT.year, 1, 10, 9, tzinfo=UTC)}
            )  # fmt: skip
        self.w.copy(Evaluation, evaluations)

        referents = []
        for dept, code in self.departments:
            for n, (service, role) in enumerate(
                (("Préfecture", "Référent intégration"), ("DDETS", "Chargée de mission"))
            ):
                referents.append(
                    {"id": self.w.next_id(Referent), "department_id": dept, "service": f"{service} ({code})",
                     "role": role, "email": f"integration.{code.lower()}.{n}@bench.example", "phone": "01 02 03 04 05",
                     "position": n, "updated_at": datetime(PRESENT.year, 1, 2, 9, tzinfo=UTC)}
                )  # fmt: skip
        self.w.copy(Referent, referents)

    def ledger(self) -> None:
        from finance.enums import EntryKind
        from finance.models import Commitment, LedgerEntry
        from programme.models import Campaign

        ministry = self.user_of[("ministry", 0)]
        opening: list[dict[str, Any]] = []
        for (year, code), spent in sorted(self.national_out.items()):
            amount = (spent * Decimal("1.1")).quantize(Decimal(1000))
            opening.append(
                {"envelope_id": self.national_env[(year, code)], "kind": EntryKind.ALLOCATION, "amount": amount,
                 "created_at": datetime(year, 1, 5, 9, tzinfo=UTC), "created_by_id": ministry}
            )  # fmt: skip
        for year in self.campaigns:
            total = sum((e["amount"] for e in opening if e["created_at"].year == year), Decimal(0))
            Campaign.objects.filter(year=year).update(national_envelope=max(total, Decimal("1000000.00")))
        for row in opening:
            self._entry(**row)
        self.w.copy(Commitment, self.commitments)
        # Written in id order: a received delegation points at the one sent, written just before it.
        self.w.copy(LedgerEntry, sorted(self.entries, key=lambda e: e["id"]))

    def identities(self) -> None:
        """The SIRETs the open-data files need (kept by an administrator on the site): the préfecture
        of every département (the attributing authority) and the main establishment of every
        collectivité that leads a PTAI or signed a contract (the beneficiary), Luhn-valid: an EPCI's
        from its SIREN, a commune's or a council's from a made-up number."""
        from contracts.models import Contract
        from projects.models import Project
        from public.models import BeneficiaryIdentity
        from referential.models import Authority, Department, Prefecture

        known = set(Prefecture.objects.values_list("department_id", flat=True))
        Prefecture.objects.bulk_create(
            Prefecture(department=dep, name=f"Préfecture {dep.of_name}", siret=siret_from(f"1300{index:05d}"))
            for index, dep in enumerate(Department.objects.order_by("code"), start=1)
            if dep.pk not in known
        )
        leads = set(Project.objects.values_list("lead_authority_id", flat=True).distinct())
        leads |= set(Contract.objects.values_list("authority_id", flat=True).distinct())
        leads -= set(BeneficiaryIdentity.objects.values_list("authority_id", flat=True))
        BeneficiaryIdentity.objects.bulk_create(
            (
                BeneficiaryIdentity(authority_id=pk, siret=siret_from((siren or f"21{pk:07d}") + "0001"))
                for pk, siren in Authority.objects.filter(pk__in=leads).values_list("pk", "siren")
            ),
            batch_size=2000,
        )
        self.counts.add("public_beneficiaryidentity", len(leads))

    def audit(self) -> None:
        from audit.models import Event

        def rows() -> Iterator[dict[str, Any]]:
            for when, actor, verb, ct, pk, details in sorted(self.events, key=lambda e: e[0]):
                yield {"id": self.w.next_id(Event), "created_at": when, "actor_id": actor, "verb": verb,
                       "target_type_id": ct, "target_id": str(pk), "details": details}  # fmt: skip

        self.w.copy(Event, rows())

    def run(self) -> Counts:
        self.ensure_campaigns()
        self._load()
        self.reported: list[tuple[Any, ...]] = []  # (kind, pk, year, dept, authority, title, amount, agent)
        self.signed: list[tuple[int, int, int]] = []  # (contract, dept, signature year)
        steps = (
            self.users, self.envelopes, self.projects, self.contracts, self.steering, self.ledger, self.identities,
            self.audit,
        )  # fmt: skip
        # One transaction: the foreign keys (deferred) are checked once every table is written.
        with transaction.atomic():
            for step in steps:
                started = datetime.now(tz=UTC)
                step()
                self.log(f"  {step.__name__}: {(datetime.now(tz=UTC) - started).total_seconds():.1f} s")
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every deferred foreign key, checked now
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # and deferred again, as Django declares them
        self.w.reset_sequences()
        started = datetime.now(tz=UTC)
        from public.services import publish

        result = publish()  # the public catalogue and the open-data files, by the site's own service
        self.counts.add("public_catalogueentry", result.catalogue)
        self.log(f"  publish: {(datetime.now(tz=UTC) - started).total_seconds():.1f} s")
        started = datetime.now(tz=UTC)
        from steering.summaries import rebuild

        rebuild()  # the national dashboards' summaries: the COPY above bypassed the writes that keep them
        self.log(f"  steering summaries: {(datetime.now(tz=UTC) - started).total_seconds():.1f} s")
        return self.counts
