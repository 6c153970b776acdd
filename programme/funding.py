"""CTAI funding: a socle for BPI (budget line 104-15) plus a complement for other newcomers (104-12).

The complement rule is a campaign parameter (`complement_rule`, `complement_cap`). The default
rule, "proportional", reads:

    complement ≤ min(socle * planned other newcomers ÷ planned BPI, cap)

rounded down to the cent. Real case, Poitiers 2021 (F43): a socle of 150 000 € for BPI; with 90 BPI
and 30 other newcomers planned, the complement may reach 150 000 * 30 ÷ 90 = 50 000 €, under the
150 000 € cap: 200 000 € in all = 150 000 € (104-15) + 50 000 € (104-12).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from programme.enums import BudgetLineCode, ComplementRule

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(value: Decimal) -> Decimal:
    """Rounded down to the cent: the State never pays a fraction of a cent too much."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def max_complement(base: Decimal, planned_bpi: int, planned_newcomers: int, rules: Mapping[str, Any]) -> Decimal:
    """The highest complement a CTAI may get with this socle and these planned beneficiaries.

    `rules` is a campaign's `rules()` dict. 0 when the campaign has no complement, or when no BPI
    is planned (the socle is for BPI: without them there is nothing to open up).
    """
    if rules["complement_rule"] != ComplementRule.PROPORTIONAL or planned_bpi <= 0 or planned_newcomers <= 0:
        return ZERO
    if base <= 0:
        return ZERO
    cap = Decimal(rules["complement_cap"])
    proportional = Decimal(base) * Decimal(planned_newcomers) / Decimal(planned_bpi)
    return to_cents(min(proportional, cap))


@dataclass(frozen=True)
class CtaiFunding:
    """What a CTAI year receives, by budget line."""

    base: Decimal
    complement: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.complement

    def by_budget_line(self) -> dict[str, Decimal]:
        return {BudgetLineCode.REFUGEES: self.base, BudgetLineCode.NEWCOMERS: self.complement}


def ctai_funding(
    *,
    base: Decimal,
    planned_bpi: int,
    planned_newcomers: int,
    rules: Mapping[str, Any],
    requested_complement: Decimal | None = None,
) -> CtaiFunding:
    """The socle (104-15) and the complement (104-12): the requested complement, or the maximum the
    rule allows when none is requested, never more than that maximum. The socle is taken as given:
    its bounds are checked by the rule `ctai.base.bounds` (programme.rules)."""
    ceiling = max_complement(base, planned_bpi, planned_newcomers, rules)
    complement = ceiling if requested_complement is None else min(to_cents(requested_complement), ceiling)
    return CtaiFunding(base=to_cents(Decimal(base)), complement=max(complement, ZERO))
