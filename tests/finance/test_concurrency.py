"""F03 and F38 under concurrency on PostgreSQL: agents racing for the last euros of an envelope.

Each race runs real threads, each with its own database connection, released together by a
`threading.Barrier`; the service functions lock the envelope row (`SELECT … FOR UPDATE`), so
exactly the movements that fit succeed and the others get the French refusal and write nothing.

How the races get real commits without wiping the session's data

The threads must see committed rows, so a race cannot run inside the usual per-test transaction.
The obvious `@pytest.mark.django_db(transaction=True)` does not fit this suite:

- its flush at the end of the test empties every table: the referential imported once per
  session by the root conftest (≈ 37 000 collectivités) and the campaigns and budget lines seeded
  by the programme migration, for every later test;
- `serialized_rollback=True` does not save them: Django serialises the test database when it
  creates it, *before* the root conftest imports the referential, so the referential is not in the
  snapshot; and the snapshot is restored at the start of the test, not after the flush at its end;
- `available_apps=["finance", "audit"]` limits the flush to those tables, but it also narrows the
  app registry during the test, and cross-app relations vanish (`campaign.budget_lines` raises
  FieldError: "Cannot resolve keyword 'campaign'");
- re-importing the referential and re-seeding the campaigns after each race costs seconds per
  race and changes the campaigns' ids under later tests.

So the races use the `committed` fixture: it unblocks database access without a wrapping
transaction (autocommit, as in production), notes the highest id of each table a movement writes
(envelopes, commitments, ledger entries, their history rows, audit events), and after the test
deletes exactly the rows above those marks, in one transaction. Nothing else is touched: the
referential and the campaigns stay as they are. Without a `django_db` mark, pytest-django runs
these tests after every database test; `test_the_races_leave_the_session_data_as_it_was` runs
after them (file order) and checks that the session's data is intact and nothing of the races is
left. The actors (the Ministère's agent, the préfet of Isère) are real users created for each
race, and deleted with the rest. Some races run the PTAI workflow itself (the Ministère delegating
the credits of 20 files, the préfet committing them): their letters and e-mails are tasks, kept
out of the race (a dummy task backend). On PostgreSQL the ledger refuses any DELETE (an append-only
trigger): the cleanup turns triggers off for its own transaction only (`session_replication_role`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, connections, models, transaction
from django.db.models import Max
from django.test import override_settings

from accounts.enums import Role
from audit.models import Event
from core.formats import format_euros
from finance.balances import balance, commitment_totals, earmarked
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Commitment, Envelope, LedgerEntry
from finance.services import (
    FinanceError,
    cancel_commitment,
    commit,
    delegate,
    delegate_for_file,
    open_national_envelope,
    pay,
    release,
    reverse,
)
from programme.enums import BudgetLineCode
from programme.errors import TransitionError
from programme.models import BudgetLine, Campaign
from projects.enums import ProjectState
from projects.models import Project
from projects.services import apply_transition
from referential.models import Authority, Department
from tests.factories import make_user
from tests.projects.factories import ProjectFactory

ON_POSTGRES = connections["default"].vendor == "postgresql"
on_postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="row locks are tested on PostgreSQL; SQLite serialises writers"
)

# What a race writes: every table of these apps (their history and many-to-many tables included).
# Deleted after the race in one transaction; PostgreSQL's foreign keys are deferred to its commit,
# so the order does not matter.
RACE_APPS = {"finance", "projects", "audit", "accounts", "documents", "messaging"}
WRITTEN: list[type[models.Model]] = [
    model
    for model in apps.get_models(include_auto_created=True)
    if model._meta.app_label in RACE_APPS and not model._meta.proxy
]


def high_marks() -> dict[type[models.Model], int]:
    return {model: model._base_manager.aggregate(top=Max("pk"))["top"] or 0 for model in WRITTEN}


def assert_test_database() -> None:
    """Refuse to commit (and delete) anywhere but in the test database. pytest-django creates it only
    when a selected test is marked `django_db`: `test_the_races_start_from_an_empty_ledger` is."""
    name = str(connection.settings_dict["NAME"])
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if not (in_memory or name.startswith("test_")):
        pytest.fail(f"Not the test database ({name}): select a `django_db` test too.")


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access in autocommit (real commits other threads see); afterwards, the rows the
    test wrote, and only those, are deleted."""
    with django_db_blocker.unblock():
        assert_test_database()
        marks = high_marks()
        try:
            yield
        finally:
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # This transaction only: triggers off (the ledger's append-only one; the foreign
                    # keys' too, harmless since every row above the marks goes).
                    cursor.execute("SET LOCAL session_replication_role = replica")
                for model in WRITTEN:
                    table, pk = model._meta.db_table, model._meta.pk.column
                    cursor.execute(f"DELETE FROM {table} WHERE {pk} > %s", [marks[model]])
            connection.close()


def race_test(test: Callable[..., None]) -> Callable[..., None]:
    """A race: PostgreSQL only, real commits through the `committed` fixture, tasks kept aside."""
    test = override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})(test)
    test = pytest.mark.usefixtures("committed")(test)
    test = on_postgres_only(test)
    return pytest.mark.postgres(test)


THREADS = 20


def race(work: Callable[[int], Any], threads: int = THREADS) -> tuple[list[Any], list[Any]]:
    """Run `work(i)` in `threads` threads released at the same moment; (results, refusals): a
    refusal is the French FinanceError of the money, or the TransitionError of a workflow."""
    barrier = threading.Barrier(threads)
    results: list[Any] = []
    refusals: list[Any] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                result = work(i)
            except (FinanceError, TransitionError) as refusal:
                with lock:
                    refusals.append(refusal)
            else:
                with lock:
                    results.append(result)
        except BaseException as crash:  # reported by the main thread below
            with lock:
                crashes.append(crash)
        finally:
            connection.close()  # this thread's own connection

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in pool), "a thread is still waiting (deadlock?)"
    assert crashes == []
    return results, refusals


@pytest.mark.django_db
def test_the_races_start_from_an_empty_ledger():
    """Every other test rolls its movements back: the races start from an empty ledger."""
    assert LedgerEntry.objects.count() == 0


@pytest.fixture
def actors() -> SimpleNamespace:
    """The Ministère's agent (opens and delegates) and the préfet of Isère (commits and pays)."""
    return SimpleNamespace(
        ministry=make_user(Role.MINISTRY),
        prefect=make_user(Role.PREFECT, department=Department.objects.get(code="38")),
    )


@pytest.fixture
def isere_with_100_000(actors: SimpleNamespace) -> Envelope:
    """Isère's 2021 envelope of line 104-15 with exactly 100 000 € available (250 000 € opened)."""
    campaign = Campaign.objects.get(year=2021)
    line = BudgetLine.objects.get(code=BudgetLineCode.REFUGEES)
    open_national_envelope(actor=actors.ministry, campaign=campaign, budget_line=line, amount="250000")
    national = Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)
    incoming = delegate(
        actor=actors.ministry, source=national, department=Department.objects.get(code="38"), amount="100000"
    )
    envelope = incoming.counterpart_of.envelope
    assert balance(envelope.pk).available == Decimal("100000.00")
    return envelope


def grenoble() -> Authority:
    return Authority.objects.get(kind="commune", insee_code="38185")


@race_test
def test_twenty_commitments_race_for_the_last_euros_only_those_that_fit_succeed(isere_with_100_000, actors):
    """F03: 20 agents commit 7 000 € each at once on 100 000 €: 14 succeed, 6 are refused in French."""
    envelope = isere_with_100_000
    funded = grenoble()
    rules = envelope.campaign.rules()

    def work(i: int) -> Commitment:
        return commit(
            actor=actors.prefect, envelope=envelope, amount="7000", funded=funded, label=f"PTAI n° {i}", rules=rules
        )

    committed, refused = race(work)

    assert (len(committed), len(refused)) == (14, 6)
    for refusal in refused:
        assert refusal.code == "beyond_available"
        assert refusal.messages[0].startswith(f"Impossible d'engager {format_euros(Decimal('7000'))} : il reste ")
    assert {str(r.messages[0]).split("il reste ")[1].split(" à engager")[0] for r in refused} == {
        format_euros(Decimal("2000"))
    }
    now = balance(envelope.pk)
    assert now.committed == Decimal("98000.00")
    assert now.available == Decimal("2000.00")
    # The refused ones left no trace: 14 commitments, 14 commitment entries, nothing else.
    assert Commitment.objects.filter(envelope=envelope).count() == 14
    assert set(Commitment.objects.values_list("label", flat=True)) == {c.label for c in committed}
    assert LedgerEntry.objects.filter(envelope=envelope, kind=EntryKind.COMMITMENT).count() == 14


@race_test
def test_twenty_payments_race_on_one_commitment_never_beyond_it(isere_with_100_000, actors):
    """F03: a commitment of 10 000 €, 20 payments of 700 € at once: 14 succeed (9 800 €), 6 refused."""
    envelope = isere_with_100_000
    commitment = commit(
        actor=actors.prefect, envelope=envelope, amount="10000", funded=grenoble(), label="PTAI Grenoble", rules={}
    )

    paid, refused = race(lambda i: pay(actor=actors.prefect, commitment=commitment, amount="700"))

    assert (len(paid), len(refused)) == (14, 6)
    assert {r.code for r in refused} == {"beyond_commitment"}
    assert all(
        r.messages[0].startswith(f"Impossible de verser {format_euros(Decimal('700'))} : il reste ") for r in refused
    )
    assert commitment_totals([commitment.pk])[commitment.pk] == (Decimal("10000.00"), Decimal("9800.00"))
    assert LedgerEntry.objects.filter(commitment=commitment, kind=EntryKind.PAYMENT).count() == 14
    assert balance(envelope.pk).to_pay == Decimal("200.00")


@race_test
def test_block_delegations_and_file_delegations_race_on_the_national_envelope(isere_with_100_000, actors):
    """F03/F38: 10 delegations to Rhône and 10 delegations of a PTAI's credits to Isère, 7 000 € each,
    at once on the 150 000 € left nationally, 50 000 € of them delegated first: 14 fit, whichever."""
    national = isere_with_100_000.parent
    rhone, isere = Department.objects.get(code="69"), Department.objects.get(code="38")
    delegate(actor=actors.ministry, source=national, department=rhone, amount="50000")
    assert balance(national.pk).available == Decimal("100000.00")
    rules = national.campaign.rules()

    def work(i: int) -> Any:
        if i % 2:
            return delegate(actor=actors.ministry, source=national, department=rhone, amount="7000")
        return delegate_for_file(
            actor=actors.ministry,
            campaign=national.campaign,
            line_code=BudgetLineCode.REFUGEES,
            department=isere,
            amount="7000",
            funded=ProjectFactory.build(pk=100_000 + i),  # a file known by its reference only
            label=f"Délégation pour le PTAI n° {i}",
            rules=rules,
        )

    done, refused = race(work)

    assert (len(done), len(refused)) == (14, 6)
    assert {r.code for r in refused} == {"beyond_available"}
    now = balance(national.pk)
    assert now.available == Decimal("2000.00")
    for_files = LedgerEntry.objects.filter(envelope=national, kind=EntryKind.DELEGATION_OUT, funded_type__isnull=False)
    # Each file's credits arrive in Isère and are held for it there.
    assert balance(isere_with_100_000.pk).received == Decimal("100000.00") + Decimal("7000") * for_files.count()
    assert earmarked(isere_with_100_000) == Decimal("7000") * for_files.count()


@race_test
def test_twenty_ministry_clicks_delegate_the_credits_of_the_files_that_fit(actors):
    """F03/F38, through the PTAI workflow: 20 files validated at 7 000 € each (on 104-12), 100 000 €
    left nationally; the Ministère delegates them all at once: 14 go to credits_delegated, 6 are
    refused in French and stay validated, with nothing written."""
    campaign = Campaign.objects.get(year=2021)
    line = BudgetLine.objects.get(code=BudgetLineCode.NEWCOMERS)
    open_national_envelope(actor=actors.ministry, campaign=campaign, budget_line=line, amount="100000")
    national = Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)
    files = [ProjectFactory(ministry_approved=True, granted_amount=Decimal("7000.00")) for _ in range(THREADS)]

    delegated, refused = race(
        lambda i: apply_transition(project=files[i], name="delegate_credits", user=actors.ministry)
    )

    assert (len(delegated), len(refused)) == (14, 6)
    assert {r.code for r in refused} == {"finance_beyond_available"}
    states = dict(Project.objects.filter(pk__in=[f.pk for f in files]).values_list("pk", "state"))
    assert list(states.values()).count(ProjectState.CREDITS_DELEGATED) == 14
    assert list(states.values()).count(ProjectState.MINISTRY_APPROVED) == 6
    assert balance(national.pk).available == Decimal("2000.00")
    assert set(
        LedgerEntry.objects.filter(kind=EntryKind.DELEGATION_OUT, envelope=national).values_list("funded_id", flat=True)
    ) == {str(pk) for pk, state in states.items() if state == ProjectState.CREDITS_DELEGATED}


@race_test
def test_the_credits_held_for_files_survive_a_rush_of_other_commitments(actors):
    """F03/F38: Isère holds 50 000 € for itself and five times 7 000 € delegated for five PTAI waiting for the
    préfet. 20 other commitments of 7 000 € at once: 7 fit in the 50 000 €, none touches the 35 000 €
    held; then each of the five files is committed, and 20 clicks on one of them commit it once."""
    campaign = Campaign.objects.get(year=2021)
    line = BudgetLine.objects.get(code=BudgetLineCode.NEWCOMERS)
    open_national_envelope(actor=actors.ministry, campaign=campaign, budget_line=line, amount="200000")
    national = Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)
    isere = Department.objects.get(code="38")
    envelope = delegate(
        actor=actors.ministry, source=national, department=isere, amount="50000"
    ).counterpart_of.envelope
    files = [ProjectFactory(ministry_approved=True, granted_amount=Decimal("7000.00")) for _ in range(5)]
    files = [apply_transition(project=f, name="delegate_credits", user=actors.ministry) for f in files]
    assert earmarked(envelope) == Decimal("35000.00")
    rules = campaign.rules()
    others = grenoble()

    committed, refused = race(
        lambda i: commit(
            actor=actors.prefect, envelope=envelope, amount="7000", funded=others, label=f"Autre {i}", rules=rules
        )
    )

    assert (len(committed), len(refused)) == (7, 13)
    assert {r.code for r in refused} == {"beyond_available"}
    assert balance(envelope.pk).available == Decimal("36000.00")  # 35 000 € held + 1 000 € left
    for project in files[1:]:
        assert apply_transition(project=project, name="commit", user=actors.prefect).state == ProjectState.FUNDED

    once, twice = race(lambda i: apply_transition(project=files[0], name="commit", user=actors.prefect))

    assert (len(once), len(twice)) == (1, THREADS - 1)
    assert {r.code for r in twice} == {"state_changed"}
    assert Commitment.objects.filter(funded_id=str(files[0].pk)).count() == 1
    assert balance(envelope.pk).available == Decimal("1000.00")
    assert earmarked(envelope) == Decimal("0.00")


@race_test
def test_twenty_releases_race_never_below_what_was_paid(isere_with_100_000, actors):
    """F03: a commitment of 10 000 € with 3 000 € paid; 20 releases of 700 € at once on settling:
    10 fit in the 7 000 € unpaid, 10 are refused; committed never falls below paid."""
    envelope = isere_with_100_000
    commitment = commit(
        actor=actors.prefect, envelope=envelope, amount="10000", funded=grenoble(), label="PTAI", rules={}
    )
    pay(actor=actors.prefect, commitment=commitment, amount="3000")

    released, refused = race(
        lambda i: release(actor=actors.prefect, commitment=commitment, amount="700", reason=f"Solde n° {i}")
    )

    assert (len(released), len(refused)) == (10, 10)
    assert {r.code for r in refused} == {"beyond_unpaid"}
    assert commitment_totals([commitment.pk])[commitment.pk] == (Decimal("3000.00"), Decimal("3000.00"))
    assert balance(envelope.pk).released == Decimal("7000.00")
    assert balance(envelope.pk).available == Decimal("97000.00")


@race_test
def test_twenty_cancellations_of_one_commitment_only_one_passes(isere_with_100_000, actors):
    """F03: a commitment is cancelled once, even when 20 clicks arrive at the same moment; the others
    get the French refusal (not a database error)."""
    envelope = isere_with_100_000
    commitment = commit(
        actor=actors.prefect, envelope=envelope, amount="10000", funded=grenoble(), label="PTAI", rules={}
    )
    pay(actor=actors.prefect, commitment=commitment, amount="4000")

    cancelled, refused = race(
        lambda i: cancel_commitment(actor=actors.prefect, commitment=commitment, reason=f"Erreur n° {i}")
    )

    assert (len(cancelled), len(refused)) == (1, 19)
    assert {r.code for r in refused} == {"already_reversed"}
    assert balance(envelope.pk).available == Decimal("100000.00")
    assert commitment_totals([commitment.pk])[commitment.pk] == (Decimal("0.00"), Decimal("0.00"))


@race_test
def test_twenty_reversals_of_one_delegation_from_both_sides_only_one_passes(isere_with_100_000, actors):
    envelope = isere_with_100_000
    incoming = envelope.entries.get(kind=EntryKind.DELEGATION_IN)
    sides = [incoming, incoming.counterpart]

    reversed_, refused = race(lambda i: reverse(actor=actors.ministry, entry=sides[i % 2], reason="Erreur"))

    assert (len(reversed_), len(refused)) == (1, 19)
    assert {r.code for r in refused} == {"already_reversed"}
    assert balance(envelope.pk).received == Decimal("0.00")
    assert balance(envelope.parent_id).available == Decimal("250000.00")


def test_the_races_leave_the_session_data_as_it_was(django_db_setup, django_db_blocker):
    """Runs after the races (file order; tests without a `django_db` mark run last): the referential and
    the seeded campaigns are still there for every later test, and nothing of the races is left."""
    with django_db_blocker.unblock():
        assert_test_database()
        assert Department.objects.count() == 101
        assert Authority.objects.count() > 30_000
        assert sorted(Campaign.objects.values_list("year", flat=True)) == [2021, 2022]
        assert set(BudgetLine.objects.values_list("code", flat=True)) == {"104-15", "104-12"}
        left = [model for model in WRITTEN if model is not Event]
        assert {model: model._base_manager.count() for model in left} == dict.fromkeys(left, 0)
        assert set(Event.objects.values_list("verb", flat=True)) == {"referential.imported"}
