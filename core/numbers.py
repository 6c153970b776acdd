"""Amounts and counts typed the French way, read strictly — one reader for every page and the API.

Accepted, for an amount in euros: ``40 000``, ``40 000,50``, ``12 345,67 €``, ``40000``,
``40000.50``, ``1 234 567,8`` — spaces (normal, no-break, narrow no-break) only between groups of
three digits, a comma or a point before at most two decimals, an optional "€" or "EUR" at the end.
Refused, with a French message saying which format is expected and giving an example: what is
ambiguous (``12,345.67``, ``1.234,56``, ``4 00 0``), written in a programming style (``1e9``,
``0x10``, ``1_000``), a negative amount, more than two decimals, an amount above the ceiling.

A count of people reads the same way without decimals: ``1 200`` is 1200.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from core.formats import format_euros, format_number

SPACES = " \u00a0\u202f\u2009"
MINUS = "\u2212"
EXAMPLE = "par exemple 40 000 ou 12 345,67"
EXPECTED = f"Indiquez un montant en euros, {EXAMPLE}."
# Digits, optionally grouped by three with spaces; then a decimal part of one or two digits.
_GROUPED = re.compile(r"^(?P<whole>\d{1,3}(?: \d{3})+|\d+)(?:[.,](?P<cents>\d+))?$")
_CURRENCY = re.compile(r"\s*(?:€|eur|euros?)\s*$", re.IGNORECASE)
CENT = Decimal("0.01")
# Beyond any amount of the programme (its national envelope is in millions): a typing error.
HARD_CEILING = Decimal("999999999999.99")


def _spaces(text: str) -> str:
    for space in SPACES[1:]:
        text = text.replace(space, " ")
    return " ".join(text.split())


def parse_euros(value: Any, *, allow_zero: bool = False, ceiling: Decimal | None = None) -> Decimal:
    """An amount in euros, to the cent. `allow_zero`: zero is accepted and blank means zero (a
    budget line); otherwise the amount is strictly positive. `ceiling`: the highest amount that
    makes sense here (a campaign's national envelope, say), named in the refusal.

    Raises ValidationError with a French message and a code: "amount" (format), "amount_positive",
    "amount_cents", "amount_too_large"."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return _checked(Decimal(value), allow_zero=allow_zero, ceiling=ceiling)
    if value is not None and not isinstance(value, str):  # a float is never exact in cents
        raise ValidationError(EXPECTED, code="amount")
    text = _spaces(value or "")
    text = _CURRENCY.sub("", text).strip()
    if not text:
        if allow_zero:
            return Decimal("0.00")
        raise ValidationError(EXPECTED, code="amount")
    if text.startswith(("-", MINUS)):
        raise ValidationError("Le montant ne peut pas être négatif.", code="amount_positive")
    match = _GROUPED.match(text)
    if match is None:
        if "," in text and "." in text:
            raise ValidationError(
                f"« {value} » est ambigu : séparez les milliers par des espaces et les centimes par une "
                f"virgule, {EXAMPLE}.",
                code="amount",
            )
        raise ValidationError(EXPECTED, code="amount")
    cents = match.group("cents") or ""
    if len(cents) > 2:
        raise ValidationError(
            f"Le montant a au plus deux décimales (les centimes) : {EXAMPLE}. Pour les milliers, mettez une "
            "espace : 40 000.",
            code="amount_cents",
        )
    amount = Decimal(f"{match.group('whole').replace(' ', '')}.{cents or '0'}")
    return _checked(amount, allow_zero=allow_zero, ceiling=ceiling)


def _checked(amount: Decimal, *, allow_zero: bool, ceiling: Decimal | None) -> Decimal:
    """The checks on the value itself, whatever it was typed as."""
    if not amount.is_finite():
        raise ValidationError(EXPECTED, code="amount")
    if amount < 0:
        raise ValidationError("Le montant ne peut pas être négatif.", code="amount_positive")
    if amount == 0 and not allow_zero:
        raise ValidationError("Le montant doit être supérieur à zéro.", code="amount_positive")
    limit = HARD_CEILING if ceiling is None else min(ceiling, HARD_CEILING)
    if amount > limit:
        shown = format_euros(amount) if amount < HARD_CEILING * 1000 else "plus de mille milliards d'euros"
        raise ValidationError(
            f"Ce montant ({shown}) dépasse le plafond de {format_euros(limit)} : vérifiez le nombre de zéros.",
            code="amount_too_large",
        )
    if amount != amount.quantize(CENT):
        raise ValidationError(f"Le montant a au plus deux décimales (les centimes) : {EXAMPLE}.", code="amount_cents")
    return amount.quantize(CENT)


def parse_count(value: Any, *, allow_blank: bool = True, ceiling: int = 10_000_000) -> int | None:
    """A count (of people, of hours): a whole number, French spaces between thousands allowed.
    Blank is None when `allow_blank`."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = _spaces(str(value) if value is not None else "")
        if not text:
            if allow_blank:
                return None
            raise ValidationError("Indiquez un nombre, par exemple 120 ou 1 200.", code="count")
        if text.startswith(("-", MINUS)):
            raise ValidationError("Le nombre ne peut pas être négatif.", code="count_negative")
        if not re.fullmatch(r"\d{1,3}(?: \d{3})+|\d+", text):
            raise ValidationError("Indiquez un nombre entier, par exemple 120 ou 1 200.", code="count")
        number = int(text.replace(" ", ""))
    if number < 0:
        raise ValidationError("Le nombre ne peut pas être négatif.", code="count_negative")
    if number > ceiling:
        raise ValidationError(
            f"Ce nombre ({format_number(number)}) dépasse le plafond de {format_number(ceiling)}.",
            code="count_too_large",
        )
    return number
