"""Bad amounts are refused with a French message before anything is written (issue 3, "Done when").

`finance.services.parse_amount` is the one gate every money service (and form) goes through: a
strictly positive amount in euros, at most two decimals, written the French way or as a Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.numbers import HARD_CEILING
from finance.services import FinanceError, parse_amount, pay

NOT_AN_AMOUNT = "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67."
NEGATIVE = "Le montant ne peut pas être négatif."
ZERO = "Le montant doit être supérieur à zéro."
CENTS = "Le montant a au plus deux décimales (les centimes) : par exemple 40 000 ou 12 345,67."
TYPED_CENTS = f"{CENTS[:-1]}. Pour les milliers, mettez une espace : 40 000."
TOO_LARGE = (
    "Ce montant ({}) dépasse le plafond de 999\u202f999\u202f999\u202f999,99\u00a0€ : vérifiez le nombre de zéros."
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1 234,50", Decimal("1234.50"), id="french-with-space-and-comma"),
        pytest.param("1\u202f234,50", Decimal("1234.50"), id="french-narrow-no-break-space"),
        pytest.param("1\u00a0234,5", Decimal("1234.50"), id="french-no-break-space-one-decimal"),
        pytest.param("40 000", Decimal("40000.00"), id="french-thousands"),
        pytest.param("40 000,50", Decimal("40000.50"), id="french-thousands-and-cents"),
        pytest.param("12 345,67 €", Decimal("12345.67"), id="french-with-euro-sign"),
        pytest.param("12\u202f345,67\u00a0€", Decimal("12345.67"), id="as-the-platform-prints-it"),
        pytest.param("1 234 567,8", Decimal("1234567.80"), id="millions"),
        pytest.param("150000", Decimal("150000.00"), id="plain-integer-text"),
        pytest.param("40000.50", Decimal("40000.50"), id="dot-decimals"),
        pytest.param(" 42 ", Decimal("42.00"), id="surrounding-spaces"),
        pytest.param("12 €", Decimal("12.00"), id="euro-sign"),
        pytest.param("300 EUR", Decimal("300.00"), id="eur"),
        pytest.param("0,01", Decimal("0.01"), id="one-cent"),
        pytest.param(Decimal("7000"), Decimal("7000.00"), id="decimal"),
        pytest.param(Decimal("7000.10"), Decimal("7000.10"), id="decimal-with-cents"),
        pytest.param(Decimal("12.300"), Decimal("12.30"), id="decimal-trailing-zero"),
        pytest.param(150000, Decimal("150000.00"), id="int"),
        pytest.param(str(HARD_CEILING), HARD_CEILING, id="largest-amount"),
    ],
)
def test_accepted_amounts(value: Any, expected: Decimal) -> None:
    amount = parse_amount(value)
    assert amount == expected
    assert amount.as_tuple().exponent == -2  # always in cents


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        pytest.param("-100", "amount_positive", NEGATIVE, id="negative"),
        pytest.param("\u2212100", "amount_positive", NEGATIVE, id="negative-with-a-minus-sign"),
        pytest.param(Decimal("-0.01"), "amount_positive", NEGATIVE, id="negative-cent"),
        pytest.param("0", "amount_positive", ZERO, id="zero"),
        pytest.param("0,00", "amount_positive", ZERO, id="zero-with-cents"),
        pytest.param(0, "amount_positive", ZERO, id="int-zero"),
        pytest.param("12,345", "amount_cents", TYPED_CENTS, id="three-decimals"),
        pytest.param("40.000", "amount_cents", TYPED_CENTS, id="dot-thousands-without-cents"),
        pytest.param(Decimal("0.001"), "amount_cents", CENTS, id="decimal-mill"),
        pytest.param(0.1, "amount", NOT_AN_AMOUNT, id="float-inexact"),
        pytest.param("cent euros", "amount", NOT_AN_AMOUNT, id="text"),
        pytest.param("", "amount", NOT_AN_AMOUNT, id="empty"),
        pytest.param("   ", "amount", NOT_AN_AMOUNT, id="blank"),
        pytest.param(None, "amount", NOT_AN_AMOUNT, id="none"),
        pytest.param(
            "1.234,50",
            "amount",
            "« 1.234,50 » est ambigu : séparez les milliers par des espaces et les centimes par une virgule, "
            "par exemple 40 000 ou 12 345,67.",
            id="dot-thousands",
        ),
        pytest.param(
            "12,345.67",
            "amount",
            "« 12,345.67 » est ambigu : séparez les milliers par des espaces et les centimes par une virgule, "
            "par exemple 40 000 ou 12 345,67.",
            id="english-thousands",
        ),
        pytest.param("4 00 0", "amount", NOT_AN_AMOUNT, id="spaces-not-between-thousands"),
        pytest.param("1_000", "amount", NOT_AN_AMOUNT, id="python-underscores"),
        pytest.param("1e9", "amount", NOT_AN_AMOUNT, id="exponent"),
        pytest.param("1E3", "amount", NOT_AN_AMOUNT, id="capital-exponent"),
        pytest.param("0x10", "amount", NOT_AN_AMOUNT, id="hexadecimal"),
        pytest.param("+40", "amount", NOT_AN_AMOUNT, id="plus-sign"),
        pytest.param("NaN", "amount", NOT_AN_AMOUNT, id="nan"),
        pytest.param("sNaN", "amount", NOT_AN_AMOUNT, id="signalling-nan"),
        pytest.param(Decimal("NaN"), "amount", NOT_AN_AMOUNT, id="decimal-nan"),
        pytest.param(float("nan"), "amount", NOT_AN_AMOUNT, id="float-nan"),
        pytest.param("Infinity", "amount", NOT_AN_AMOUNT, id="infinity"),
        pytest.param("-inf", "amount_positive", NEGATIVE, id="minus-infinity"),
        pytest.param(float("inf"), "amount", NOT_AN_AMOUNT, id="float-infinity"),
        pytest.param(
            "1000000000000",
            "amount_too_large",
            TOO_LARGE.format("1\u202f000\u202f000\u202f000\u202f000,00\u00a0€"),
            id="huge",
        ),
        pytest.param(
            str(HARD_CEILING + Decimal("0.01")),
            "amount_too_large",
            TOO_LARGE.format("1\u202f000\u202f000\u202f000\u202f000,00\u00a0€"),
            id="one-cent-too-many",
        ),
        pytest.param("1e30", "amount", NOT_AN_AMOUNT, id="huge-exponent"),
        pytest.param("9" * 40, "amount_too_large", None, id="forty-digits"),
    ],
)
def test_refused_amounts(value: Any, code: str, message: str | None) -> None:
    with pytest.raises(FinanceError) as caught:
        parse_amount(value)
    assert caught.value.code == code
    if message is not None:
        assert caught.value.messages == [message]


def test_an_amount_above_the_ceiling_given_is_refused_naming_it() -> None:
    """A form may say what makes sense there: a campaign's national envelope, say."""
    with pytest.raises(FinanceError) as caught:
        parse_amount("1 000 000 000", ceiling=Decimal("9000000"))
    assert caught.value.messages == [
        "Ce montant (1\u202f000\u202f000\u202f000,00\u00a0€) dépasse le plafond de 9\u202f000\u202f000,00\u00a0€ : "
        "vérifiez le nombre de zéros."
    ]
    assert parse_amount("9 000 000", ceiling=Decimal("9000000")) == Decimal("9000000.00")


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
