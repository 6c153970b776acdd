"""Balances derived from the ledger, the same function for every page, export and check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from finance.enums import EntryKind
from finance.models import LedgerEntry

ZERO = Decimal("0.00")


def to_cents(total: Decimal | None) -> Decimal:
    """A sum of amounts, exactly in cents. On SQLite, SUM() over a decimal column is computed in
    floating point and comes back as e.g. 5000.00999999978 for 5000.01: rounded back to the cent
    (the error is far below half a cent for any amount of the programme). Exact on PostgreSQL."""
    return ZERO if total is None else Decimal(total).quantize(ZERO)


@dataclass(frozen=True)
class Balance:
    """What an envelope holds. délégué = received; engagé = committed; payé = paid."""

    received: Decimal = ZERO  # credits opened here or delegated to this envelope
    delegated: Decimal = ZERO  # passed down to child envelopes
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        """Reste à engager: what can still be delegated or committed."""
        return self.received - self.delegated - self.committed

    @property
    def to_pay(self) -> Decimal:
        """Reste à payer."""
        return self.committed - self.paid

    def __add__(self, other: Balance) -> Balance:
        return Balance(
            received=self.received + other.received,
            delegated=self.delegated + other.delegated,
            committed=self.committed + other.committed,
            paid=self.paid + other.paid,
        )


_FIELD: dict[str, str] = {
    EntryKind.ALLOCATION: "received",
    EntryKind.DELEGATION_IN: "received",
    EntryKind.DELEGATION_OUT: "delegated",
    EntryKind.COMMITMENT: "committed",
    EntryKind.PAYMENT: "paid",
}


def balances(envelope_ids: Iterable[int]) -> dict[int, Balance]:
    """Balances of many envelopes in one grouped query; envelopes without entries get zeros."""
    ids = list(envelope_ids)
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    rows = (
        LedgerEntry.objects.filter(envelope_id__in=ids)
        .values("envelope_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        sums[row["envelope_id"]][_FIELD[row["kind"]]] += to_cents(row["total"])
    return {envelope_id: Balance(**sums[envelope_id]) for envelope_id in ids}


def balance(envelope_id: int) -> Balance:
    return balances([envelope_id])[envelope_id]


def commitment_totals(commitment_ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """(committed, paid) per commitment, in one grouped query."""
    ids = list(commitment_ids)
    totals: dict[int, list[Decimal]] = {pk: [ZERO, ZERO] for pk in ids}
    rows = (
        LedgerEntry.objects.filter(commitment_id__in=ids)
        .values("commitment_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        totals[row["commitment_id"]][0 if row["kind"] == EntryKind.COMMITMENT else 1] += to_cents(row["total"])
    return {pk: (committed, paid) for pk, (committed, paid) in totals.items()}
