"""Bad amounts are refused with a French message before anything is written (issue 3, "Done when").

`finance.services.parse_amount` is the one gate every money service (and form) goes through: a
strictly positive amount in euros, at most two decimals, written the French way or as a Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from finance.services import MAX_AMOUNT, FinanceError, parse_amount, pay

NOT_AN_AMOUNT = "Indiquez un montant en euros, par exemple 150 000 ou 1 234,50."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1 234,50", Decimal("1234.50"), id="french-with-space-and-comma"),
        pytest.param("1\u202f234,50", Decimal("1234.50"), id="french-narrow-no-break-space"),
        pytest.param("1\u00a0234,5", Decimal("1234.50"), id="french-no-break-space-one-decimal"),
        pytest.param("150000", Decimal("150000.00"), id="plain-integer-text"),
        pytest.param("150000.00", Decimal("150000.00"), id="dot-decimals"),
        pytest.param(" 42 ", Decimal("42.00"), id="surrounding-spaces"),
        pytest.param("0,01", Decimal("0.01"), id="one-cent"),
        pytest.param(Decimal("7000"), Decimal("7000.00"), id="decimal"),
        pytest.param(Decimal("7000.10"), Decimal("7000.10"), id="decimal-with-cents"),
        pytest.param(Decimal("12.300"), Decimal("12.30"), id="decimal-trailing-zero"),
        pytest.param(150000, Decimal("150000.00"), id="int"),
        pytest.param(str(MAX_AMOUNT), MAX_AMOUNT, id="largest-amount"),
    ],
)
def test_accepted_amounts(value: Any, expected: Decimal) -> None:
    amount = parse_amount(value)
    assert amount == expected
    assert amount.as_tuple().exponent == -2  # always in cents


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        pytest.param("-100", "amount_positive", "Le montant doit être supérieur à zéro.", id="negative"),
        pytest.param(Decimal("-0.01"), "amount_positive", "Le montant doit être supérieur à zéro.", id="negative-cent"),
        pytest.param("0", "amount_positive", "Le montant doit être supérieur à zéro.", id="zero"),
        pytest.param("0,00", "amount_positive", "Le montant doit être supérieur à zéro.", id="zero-with-cents"),
        pytest.param("-0", "amount_positive", "Le montant doit être supérieur à zéro.", id="minus-zero"),
        pytest.param(0, "amount_positive", "Le montant doit être supérieur à zéro.", id="int-zero"),
        pytest.param(
            "12,345", "amount_cents", "Le montant a au plus deux décimales (les centimes).", id="three-decimals"
        ),
        pytest.param(
            Decimal("0.001"), "amount_cents", "Le montant a au plus deux décimales (les centimes).", id="decimal-mill"
        ),
        pytest.param(0.1, "amount_cents", "Le montant a au plus deux décimales (les centimes).", id="float-inexact"),
        pytest.param("cent euros", "amount", NOT_AN_AMOUNT, id="text"),
        pytest.param("", "amount", NOT_AN_AMOUNT, id="empty"),
        pytest.param("   ", "amount", NOT_AN_AMOUNT, id="blank"),
        pytest.param(None, "amount", NOT_AN_AMOUNT, id="none"),
        pytest.param("1.234,50", "amount", NOT_AN_AMOUNT, id="dot-thousands"),
        pytest.param("12 €", "amount", NOT_AN_AMOUNT, id="euro-sign"),
        pytest.param("NaN", "amount", NOT_AN_AMOUNT, id="nan"),
        pytest.param("sNaN", "amount", NOT_AN_AMOUNT, id="signalling-nan"),
        pytest.param(Decimal("NaN"), "amount", NOT_AN_AMOUNT, id="decimal-nan"),
        pytest.param(float("nan"), "amount", NOT_AN_AMOUNT, id="float-nan"),
        pytest.param("Infinity", "amount", NOT_AN_AMOUNT, id="infinity"),
        pytest.param("-inf", "amount", NOT_AN_AMOUNT, id="minus-infinity"),
        pytest.param(float("inf"), "amount", NOT_AN_AMOUNT, id="float-infinity"),
        pytest.param("1000000000000", "amount_too_large", "Ce montant est trop élevé.", id="huge"),
        pytest.param(
            str(MAX_AMOUNT + Decimal("0.01")), "amount_too_large", "Ce montant est trop élevé.", id="one-cent-too-many"
        ),
        pytest.param("1e30", "amount_too_large", "Ce montant est trop élevé.", id="huge-exponent"),
        pytest.param("9" * 40, "amount_too_large", "Ce montant est trop élevé.", id="forty-digits"),
        pytest.param("1e999999", "amount_too_large", "Ce montant est trop élevé.", id="astronomical"),
    ],
)
def test_refused_amounts(value: Any, code: str, message: str) -> None:
    with pytest.raises(FinanceError) as caught:
        parse_amount(value)
    assert caught.value.code == code
    assert caught.value.messages == [message]


@pytest.mark.django_db
def test_unknown_tranche_is_refused_in_french():
    with pytest.raises(FinanceError, match="Choisissez la tranche"):
        pay(actor=None, commitment=None, amount="10", tranche="bonus")  # type: ignore[arg-type]


def test_zero_is_an_amount_only_where_allowed() -> None:
    """A budget line or a programming's complement may be 0 €; a movement of money never is."""
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    assert parse_amount("  ", allow_zero=True) == Decimal("0.00")
    assert parse_amount(None, allow_zero=True) == Decimal("0.00")
    assert parse_amount("1 234,50", allow_zero=True) == Decimal("1234.50")
    with pytest.raises(FinanceError, match="négatif"):
        parse_amount("-1", allow_zero=True)
    with pytest.raises(FinanceError, match="supérieur à zéro"):
        parse_amount("0")
