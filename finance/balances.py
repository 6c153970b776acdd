"""Balances derived from the ledger, the same function for every page, export and check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, F, Sum, When

from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope, LedgerEntry

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
    committed: Decimal = ZERO  # net of what was released
    paid: Decimal = ZERO
    released: Decimal = ZERO  # given back from commitments (files settled below their commitment)

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
            released=self.released + other.released,
        )


_FIELD: dict[str, str] = {
    EntryKind.ALLOCATION: "received",
    EntryKind.DELEGATION_IN: "received",
    EntryKind.DELEGATION_OUT: "delegated",
    EntryKind.COMMITMENT: "committed",
    EntryKind.PAYMENT: "paid",
    EntryKind.RELEASE: "released",
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
        total = to_cents(row["total"])
        if row["kind"] == EntryKind.RELEASE:
            sums[row["envelope_id"]]["committed"] -= total
        sums[row["envelope_id"]][_FIELD[row["kind"]]] += total
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
        total = to_cents(row["total"])
        if row["kind"] == EntryKind.COMMITMENT:
            totals[row["commitment_id"]][0] += total
        elif row["kind"] == EntryKind.RELEASE:
            totals[row["commitment_id"]][0] -= total
        else:
            totals[row["commitment_id"]][1] += total
    return {pk: (committed, paid) for pk, (committed, paid) in totals.items()}


def earmarked(envelope: Envelope, *, excluding: models.Model | None = None) -> Decimal:
    """What a département's envelope holds for files whose credits were delegated to it and are not
    committed yet (a PTAI "crédits délégués"): nobody else may commit or delegate it. Per file:
    delegated to it here - committed for it here (a release does not count: released money is free
    again), never below zero. `excluding`: the file about to be committed (its own money is not
    held against it). Two grouped queries; only département envelopes hold such money."""
    if envelope.level != EnvelopeLevel.DEPARTMENT:
        return ZERO
    signed = Case(When(kind=EntryKind.DELEGATION_OUT, then=-F("amount")), default=F("amount"))
    delegated = (
        LedgerEntry.objects.filter(
            envelope_id=envelope.pk,
            kind__in=[EntryKind.DELEGATION_IN, EntryKind.DELEGATION_OUT],
            funded_type__isnull=False,
        )
        .values("funded_type_id", "funded_id")
        .annotate(total=Sum(signed))
        .order_by()
    )
    net: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for row in delegated:
        net[(row["funded_type_id"], row["funded_id"])] += to_cents(row["total"])
    if not net:
        return ZERO
    committed = (
        LedgerEntry.objects.filter(envelope_id=envelope.pk, kind=EntryKind.COMMITMENT)
        .values("commitment__funded_type_id", "commitment__funded_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("commitment__funded_type_id", "commitment__funded_id", "total")
    )
    for file_type, file_id, total in committed:
        if (file_type, file_id) in net:
            net[(file_type, file_id)] -= to_cents(total)
    if excluding is not None:
        net.pop((ContentType.objects.get_for_model(excluding).pk, str(excluding.pk)), None)
    return sum((max(value, ZERO) for value in net.values()), ZERO)
