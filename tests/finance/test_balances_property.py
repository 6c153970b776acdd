"""Balances equal a recomputation from the ledger, whatever the sequence of movements (F03: local
funding draws from the national envelope of the year, never beyond it).

Hypothesis draws random days of work — open credits, delegate to random régions and départements
of the real referential, commit, pay, release, cancel commitments, reverse random entries — and
applies each movement through
the service functions (a refusal, `FinanceError`, is part of the day). After the day, for every
envelope and every commitment:

- `finance.balances.balances()` equals a naive sum, in Python, over every `LedgerEntry` row;
- nothing is below zero: reste à engager ≥ 0, reste à payer ≥ 0, paid ≤ committed;
- what the children received equals what their parent delegated, side by side;
- the campaign's opened credits stay within its national envelope (F03).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from accounts.enums import Role
from finance.balances import Balance, balances, commitment_totals
from finance.enums import EntryKind, EnvelopeLevel, Tranche
from finance.models import Commitment, Envelope, LedgerEntry
from finance.services import (
    FinanceError,
    cancel_commitment,
    commit,
    delegate,
    open_national_envelope,
    pay,
    release,
    reverse,
)
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")

amounts = st.one_of(
    st.integers(min_value=1, max_value=4_000).map(lambda k: Decimal(k * 1000)),  # round thousands
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000000"), places=2),
)
picks = st.integers(min_value=0, max_value=10_000)  # an index into what exists, taken modulo its size
movement = st.one_of(
    st.tuples(st.just("open"), picks, picks, amounts),  # campaign, line, amount
    st.tuples(st.just("delegate"), picks, st.booleans(), picks, amounts),  # source, to a région?, target, amount
    st.tuples(st.just("commit"), picks, amounts),
    st.tuples(st.just("pay"), picks, amounts, st.sampled_from(Tranche.values)),
    st.tuples(st.just("reverse"), picks, st.sampled_from(["Erreur de saisie", "", "Projet abandonné"])),
    st.tuples(st.just("release"), picks, amounts),
    st.tuples(st.just("cancel"), picks),
)


class _EndOfDay(Exception):
    """Raised at the end of each example to roll its movements back (examples never share state)."""


class Day:
    """Applies drawn movements through the services, as the Ministry's agent (open, delegate,
    reverse) and each département's préfet (commit, pay, release, cancel) would. A movement on an
    envelope where nobody may commit (national, régional) is refused like any other."""

    def __init__(self, actor: Any, refs: dict[str, Any]) -> None:
        self.actor = actor
        self.refs = refs
        self.refusals = 0
        self.officers: dict[int, Any] = {}

    def officer(self, envelope: Envelope) -> Any:
        """The préfet of the envelope's département (the Ministère's agent elsewhere: refused)."""
        if envelope.department_id is None:
            return self.actor
        if envelope.department_id not in self.officers:
            self.officers[envelope.department_id] = make_user(Role.PREFECT, department_id=envelope.department_id)
        return self.officers[envelope.department_id]

    def apply(self, move: tuple[Any, ...]) -> None:
        try:
            getattr(self, move[0])(*move[1:])
        except PermissionDenied:
            self.refusals += 1
            outcome = "refused (not allowed)"
        except FinanceError as refusal:
            self.refusals += 1
            outcome = f"refused ({refusal.code})"
        else:
            outcome = "done"
        if currently_in_test_context():  # statistics: pytest --hypothesis-show-statistics
            event(f"{move[0]} {outcome}")

    def open(self, campaign: int, line: int, amount: Decimal) -> None:
        campaigns, lines = self.refs["campaigns"], self.refs["lines"]
        open_national_envelope(
            actor=self.actor,
            campaign=campaigns[campaign % len(campaigns)],
            budget_line=lines[line % len(lines)],
            amount=amount,
        )

    def delegate(self, source: int, to_region: bool, target: int, amount: Decimal) -> None:
        envelopes = list(Envelope.objects.order_by("pk"))
        if not envelopes:
            return
        envelope = envelopes[source % len(envelopes)]
        if envelope.level == EnvelopeLevel.REGION and target % 4:  # mostly its own départements
            own = self.refs["departments_of"][envelope.region_id]
            delegate(actor=self.actor, source=envelope, department=own[target % len(own)], amount=amount)
        elif to_region:
            regions = self.refs["regions"]
            delegate(actor=self.actor, source=envelope, region=regions[target % len(regions)], amount=amount)
        else:
            departments = self.refs["departments"]
            delegate(
                actor=self.actor, source=envelope, department=departments[target % len(departments)], amount=amount
            )

    def commit(self, envelope: int, amount: Decimal) -> None:
        envelopes = list(Envelope.objects.order_by("pk"))
        if envelopes:
            chosen = envelopes[envelope % len(envelopes)]
            commit(actor=self.officer(chosen), envelope=chosen, amount=amount, funded=chosen, label="Action", rules={})

    def _commitment(self, pick: int) -> Commitment | None:
        commitments = list(Commitment.objects.select_related("envelope").order_by("pk"))
        return commitments[pick % len(commitments)] if commitments else None

    def pay(self, commitment: int, amount: Decimal, tranche: str) -> None:
        if (chosen := self._commitment(commitment)) is not None:
            pay(actor=self.officer(chosen.envelope), commitment=chosen, amount=amount, tranche=tranche)

    def release(self, commitment: int, amount: Decimal) -> None:
        if (chosen := self._commitment(commitment)) is not None:
            release(actor=self.officer(chosen.envelope), commitment=chosen, amount=amount, reason="Solde")

    def cancel(self, commitment: int) -> None:
        if (chosen := self._commitment(commitment)) is not None:
            cancel_commitment(actor=self.officer(chosen.envelope), commitment=chosen, reason="Erreur")

    def reverse(self, entry: int, reason: str) -> None:
        entries = list(LedgerEntry.objects.order_by("pk"))
        if entries:
            reverse(actor=self.actor, entry=entries[entry % len(entries)], reason=reason)


def recomputed() -> tuple[dict[int, Balance], dict[int, tuple[Decimal, Decimal]]]:
    """The naive way: read every entry, add it up in Python."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    by_commitment: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for entry in LedgerEntry.objects.all():
        field = {
            EntryKind.ALLOCATION: "received",
            EntryKind.DELEGATION_IN: "received",
            EntryKind.DELEGATION_OUT: "delegated",
            EntryKind.COMMITMENT: "committed",
            EntryKind.PAYMENT: "paid",
            EntryKind.RELEASE: "released",
        }[EntryKind(entry.kind)]
        sums[entry.envelope_id][field] += entry.amount
        if entry.kind == EntryKind.RELEASE:  # a release gives back what was committed
            sums[entry.envelope_id]["committed"] -= entry.amount
            by_commitment[entry.commitment_id][0] -= entry.amount
        elif entry.commitment_id is not None:
            by_commitment[entry.commitment_id][0 if entry.kind == EntryKind.COMMITMENT else 1] += entry.amount
    envelopes = {pk: Balance(**sums[pk]) for pk in Envelope.objects.values_list("pk", flat=True)}
    commitments = {pk: tuple(by_commitment[pk]) for pk in Commitment.objects.values_list("pk", flat=True)}
    return envelopes, commitments  # type: ignore[return-value]


def check_the_books() -> None:
    expected, per_commitment = recomputed()
    assert balances(expected) == expected
    assert commitment_totals(per_commitment) == per_commitment
    for pk, b in expected.items():
        assert b.available >= 0, f"envelope {pk}: {b}"
        assert b.to_pay >= 0, f"envelope {pk}: {b}"
        assert min(b.received, b.delegated, b.committed, b.paid, b.released) >= 0, f"envelope {pk}: {b}"
    for pk, (committed, paid) in per_commitment.items():
        assert 0 <= paid <= committed, f"commitment {pk}: paid {paid} of {committed}"
    for parent in Envelope.objects.all():
        received_below = sum((expected[child.pk].received for child in parent.children.all()), ZERO)
        assert received_below == expected[parent.pk].delegated, f"envelope {parent}"
    for out in LedgerEntry.objects.filter(kind=EntryKind.DELEGATION_OUT):
        incoming = out.counterpart_of
        assert (incoming.kind, incoming.amount, incoming.envelope.parent_id) == (
            EntryKind.DELEGATION_IN,
            out.amount,
            out.envelope_id,
        )
    for campaign in Campaign.objects.all():
        opened = sum(
            (e.amount for e in LedgerEntry.objects.filter(envelope__campaign=campaign, kind=EntryKind.ALLOCATION)),
            ZERO,
        )
        assert ZERO <= opened <= campaign.national_envelope  # F03


@pytest.fixture
def refs(db: Any) -> dict[str, Any]:
    regions = list(Region.objects.order_by("code"))
    departments = list(Department.objects.order_by("code"))
    departments_of: dict[int, list[Department]] = defaultdict(list)
    for department in departments:
        departments_of[department.region_id].append(department)
    return {
        "campaigns": list(Campaign.objects.order_by("year")),
        "lines": list(BudgetLine.objects.order_by("code")),
        "regions": regions,
        "departments": departments,
        "departments_of": departments_of,
    }


# Function-scoped fixtures are safe here: `refs` and `ministry` are read-only for the whole test, and
# each example rolls its own movements back (_EndOfDay inside transaction.atomic()), so examples
# never see each other's rows. deadline=None: a day is a few hundred queries, slower on PostgreSQL.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(day=st.lists(movement, min_size=1, max_size=30))
def test_f03_balances_equal_a_recomputation_from_the_ledger(refs, ministry, day):
    """F03: whatever the movements, balances are the ledger's sums and never go below zero."""
    assert not LedgerEntry.objects.exists()  # the previous example was rolled back
    try:
        with transaction.atomic():
            agent = Day(ministry, refs)
            # Start with credits on both lines of 2021, so that most movements have money to move.
            agent.open(0, 0, Decimal("3000000"))
            agent.open(0, 1, Decimal("1000000"))
            for move in day:
                agent.apply(move)
            check_the_books()
            raise _EndOfDay
    except _EndOfDay:
        pass


def test_the_recomputation_sees_what_the_services_wrote(refs, ministry):
    """Guard for the property test: a known day gives known balances."""
    agent = Day(ministry, refs)
    isere_index = [d.code for d in refs["departments"]].index("38")
    for move in [
        ("open", 0, 0, Decimal("100000")),
        ("delegate", 0, False, isere_index, Decimal("30000")),
        ("commit", 1, Decimal("20000")),
        ("pay", 0, Decimal("5000"), Tranche.ADVANCE),
        ("reverse", 0, ""),  # refused: no reason
        ("commit", 1, Decimal("10000.01")),  # refused: beyond available
    ]:
        agent.apply(move)
    national = Envelope.objects.get(level=EnvelopeLevel.NATIONAL)

    expected, per_commitment = recomputed()
    isere = Envelope.objects.get(department__code="38")
    assert expected == {
        national.pk: Balance(received=Decimal("100000"), delegated=Decimal("30000")),
        isere.pk: Balance(received=Decimal("30000"), committed=Decimal("20000"), paid=Decimal("5000")),
    }
    assert list(per_commitment.values()) == [(Decimal("20000"), Decimal("5000"))]
    assert agent.refusals == 2
    check_the_books()
