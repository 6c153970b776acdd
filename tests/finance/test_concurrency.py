"""F40 — concurrency on PostgreSQL: agents racing for the last euros of an envelope.

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
left. No user is created: the movements are recorded with actor=None (a system movement).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, models, transaction
from django.db.models import Max

from audit.models import Event
from core.formats import format_euros
from finance.balances import balance, commitment_totals
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Commitment, Envelope, LedgerEntry
from finance.services import FinanceError, commit, delegate, open_national_envelope, pay, reverse
from programme.enums import BudgetLineCode
from programme.models import BudgetLine, Campaign
from referential.models import Authority, Department

ON_POSTGRES = connections["default"].vendor == "postgresql"
on_postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="row locks are tested on PostgreSQL; SQLite serialises writers"
)

# What a movement writes, children before parents (deleted in this order after a race).
WRITTEN: list[type[models.Model]] = [
    LedgerEntry.history.model,
    LedgerEntry,
    Commitment.history.model,
    Commitment,
    Envelope.history.model,
    Envelope,
    Event,
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
                for model in WRITTEN:
                    table, pk = model._meta.db_table, model._meta.pk.column
                    cursor.execute(f"DELETE FROM {table} WHERE {pk} > %s", [marks[model]])
            connection.close()


def race_test(test: Callable[..., None]) -> Callable[..., None]:
    """A race: PostgreSQL only, real commits through the `committed` fixture."""
    test = pytest.mark.usefixtures("committed")(test)
    test = on_postgres_only(test)
    return pytest.mark.postgres(test)


THREADS = 20


def race(work: Callable[[int], Any], threads: int = THREADS) -> tuple[list[Any], list[FinanceError]]:
    """Run `work(i)` in `threads` threads released at the same moment; (results, refusals)."""
    barrier = threading.Barrier(threads)
    results: list[Any] = []
    refusals: list[FinanceError] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                result = work(i)
            except FinanceError as refusal:
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
def isere_with_100_000() -> Envelope:
    """Isère's 2021 envelope of line 104-15 with exactly 100 000 € available."""
    campaign = Campaign.objects.get(year=2021)
    line = BudgetLine.objects.get(code=BudgetLineCode.REFUGEES)
    open_national_envelope(actor=None, campaign=campaign, budget_line=line, amount="250000")
    national = Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)
    incoming = delegate(actor=None, source=national, department=Department.objects.get(code="38"), amount="100000")
    envelope = incoming.counterpart_of.envelope
    assert balance(envelope.pk).available == Decimal("100000.00")
    return envelope


def grenoble() -> Authority:
    return Authority.objects.get(kind="commune", insee_code="38185")


@race_test
def test_twenty_commitments_race_for_the_last_euros_only_those_that_fit_succeed(isere_with_100_000):
    """F40: 20 agents commit 7 000 € each at once on 100 000 €: 14 succeed, 6 are refused in French."""
    envelope = isere_with_100_000
    funded = grenoble()
    rules = envelope.campaign.rules()

    def work(i: int) -> Commitment:
        return commit(actor=None, envelope=envelope, amount="7000", funded=funded, label=f"PTAI n° {i}", rules=rules)

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
def test_twenty_payments_race_on_one_commitment_never_beyond_it(isere_with_100_000):
    """F40: a commitment of 10 000 €, 20 payments of 700 € at once: 14 succeed (9 800 €), 6 refused."""
    envelope = isere_with_100_000
    commitment = commit(
        actor=None, envelope=envelope, amount="10000", funded=grenoble(), label="PTAI Grenoble", rules={}
    )

    paid, refused = race(lambda i: pay(actor=None, commitment=commitment, amount="700"))

    assert (len(paid), len(refused)) == (14, 6)
    assert {r.code for r in refused} == {"beyond_commitment"}
    assert all(
        r.messages[0].startswith(f"Impossible de verser {format_euros(Decimal('700'))} : il reste ") for r in refused
    )
    assert commitment_totals([commitment.pk])[commitment.pk] == (Decimal("10000.00"), Decimal("9800.00"))
    assert LedgerEntry.objects.filter(commitment=commitment, kind=EntryKind.PAYMENT).count() == 14
    assert balance(envelope.pk).to_pay == Decimal("200.00")


@race_test
def test_delegations_and_commitments_race_on_one_envelope(isere_with_100_000):
    """F40: 10 delegations and 10 commitments of 7 000 € at once on 100 000 €: 14 fit, whichever they are."""
    envelope = isere_with_100_000
    # Isère is a département: the race is on the national envelope brought to 100 000 € available.
    national = envelope.parent
    assert balance(national.pk).available == Decimal("150000.00")
    commit(actor=None, envelope=national, amount="50000", funded=grenoble(), label="Pilotage national", rules={})
    assert balance(national.pk).available == Decimal("100000.00")
    rhone, funded = Department.objects.get(code="69"), grenoble()

    def work(i: int) -> Any:
        if i % 2:
            return delegate(actor=None, source=national, department=rhone, amount="7000")
        return commit(actor=None, envelope=national, amount="7000", funded=funded, label=f"Action {i}", rules={})

    done, refused = race(work)

    assert (len(done), len(refused)) == (14, 6)
    assert {r.code for r in refused} == {"beyond_available"}
    now = balance(national.pk)
    assert now.available == Decimal("2000.00")
    # 100 000 € to Isère and 50 000 € committed before the race, 14 times 7 000 € during it.
    assert now.delegated + now.committed == Decimal("248000.00")
    delegations = sum(1 for d in done if isinstance(d, LedgerEntry))
    rhone_envelope = Envelope.objects.get(
        department=rhone, campaign=national.campaign, budget_line=national.budget_line
    )
    assert balance(rhone_envelope.pk).received == Decimal("7000") * delegations
    assert LedgerEntry.objects.filter(envelope=rhone_envelope, kind=EntryKind.DELEGATION_IN).count() == delegations


@race_test
def test_twenty_reversals_of_one_commitment_only_one_passes(isere_with_100_000):
    """F40: an entry is reversed once, even when 20 agents click at the same moment; the others get
    the French refusal (not a database error)."""
    envelope = isere_with_100_000
    commitment = commit(actor=None, envelope=envelope, amount="10000", funded=grenoble(), label="PTAI", rules={})
    entry = commitment.entries.get()

    reversed_, refused = race(lambda i: reverse(actor=None, entry=entry, reason=f"Erreur n° {i}"))

    assert (len(reversed_), len(refused)) == (1, 19)
    assert {r.code for r in refused} == {"already_reversed"}
    assert balance(envelope.pk).available == Decimal("100000.00")


@race_test
def test_twenty_reversals_of_one_delegation_from_both_sides_only_one_passes(isere_with_100_000):
    envelope = isere_with_100_000
    incoming = envelope.entries.get(kind=EntryKind.DELEGATION_IN)
    sides = [incoming, incoming.counterpart]

    reversed_, refused = race(lambda i: reverse(actor=None, entry=sides[i % 2], reason="Erreur"))

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
        assert {model: model._base_manager.count() for model in WRITTEN[:-1]} == dict.fromkeys(WRITTEN[:-1], 0)
        assert not Event.objects.filter(verb__startswith="finance.").exists()
