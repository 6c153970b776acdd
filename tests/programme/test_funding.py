"""CTAI funding: socle (104-15) plus complement (104-12), F15 and the Poitiers case F43."""

from __future__ import annotations

from decimal import Decimal

import pytest

from programme.enums import BudgetLineCode
from programme.funding import ctai_funding, max_complement
from tests.programme.seeds import RULES_2021, RULES_2022


def test_f43_poitiers_2021_150_000_for_bpi_plus_50_000_for_other_newcomers() -> None:
    funding = ctai_funding(base=Decimal("150000"), planned_bpi=90, planned_newcomers=30, rules=RULES_2021)
    assert funding.base == Decimal("150000.00")
    assert funding.complement == Decimal("50000.00")
    assert funding.total == Decimal("200000.00")
    assert funding.by_budget_line() == {
        BudgetLineCode.REFUGEES: Decimal("150000.00"),
        BudgetLineCode.NEWCOMERS: Decimal("50000.00"),
    }


@pytest.mark.parametrize(
    ("base", "bpi", "others", "expected"),
    [
        pytest.param(
            "150000", 90, 30, "50000.00", id="f43 Poitiers: a third of the BPI count opens a third of the socle"
        ),
        pytest.param("300000", 100, 100, "150000.00", id="f15 as many others as BPI: the cap of 150 000 euros holds"),
        pytest.param("200000", 3, 1, "66666.66", id="f15 rounded down to the cent"),
        pytest.param("150000", 0, 30, "0.00", id="f15 no planned BPI gives no complement"),
        pytest.param("150000", 90, 0, "0.00", id="f11 a contract for BPI only gets no complement"),
    ],
)
def test_f15_max_complement(base: str, bpi: int, others: int, expected: str) -> None:
    assert max_complement(Decimal(base), bpi, others, RULES_2022) == Decimal(expected)


def test_a_campaign_without_complement_rule_gives_none() -> None:
    assert max_complement(Decimal("150000"), 90, 30, {**RULES_2021, "complement_rule": "none"}) == 0


def test_a_requested_complement_is_kept_when_it_fits_and_cut_to_the_maximum_otherwise() -> None:
    fits = ctai_funding(
        base=Decimal("150000"),
        planned_bpi=90,
        planned_newcomers=30,
        rules=RULES_2021,
        requested_complement=Decimal("20000.559"),
    )
    assert fits.complement == Decimal("20000.55")
    too_much = ctai_funding(
        base=Decimal("150000"),
        planned_bpi=90,
        planned_newcomers=30,
        rules=RULES_2021,
        requested_complement=Decimal("80000"),
    )
    assert too_much.complement == Decimal("50000.00")
