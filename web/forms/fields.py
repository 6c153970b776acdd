"""The platform's number fields: one money field and one count field for every form.

They read what a French civil servant types — ``40 000``, ``40 000,50``, ``12 345,67 €``,
``40000.50``; ``1 200`` people — through `core.numbers` (the API reads the same way), refuse what is
ambiguous or absurd (``12,345.67``, ``1e9``, a negative amount, three decimals, above a ceiling)
with a French message saying which format is expected, and show a value back the French way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.formats import NARROW_NBSP
from core.numbers import EXAMPLE, parse_count, parse_euros

MONEY_HELP = f"En euros, {EXAMPLE}."
COUNT_HELP = "Un nombre entier, par exemple 120 ou 1 200."


def _french(amount: Decimal) -> str:
    """40000.5 -> "40 000,50" (what the user types back, without the € sign)."""
    whole, _, cents = f"{amount.quantize(Decimal('0.01')):,.2f}".partition(".")
    text = whole.replace(",", NARROW_NBSP)
    return text if cents == "00" else f"{text},{cents}"


MAX_TYPED = 40  # characters: "1 234 567 890,12 €" and room to spare


def _typed(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_TYPED:
        raise ValidationError(f"Ce champ contient trop de caractères (au plus {MAX_TYPED}).", code="max_length")
    return text.strip()


class MoneyField(forms.CharField):
    """An amount in euros, to the cent. `allow_zero`: 0 is accepted (a budget line); `ceiling`: the
    highest amount that makes sense here. Blank: None when not required."""

    def __init__(self, *, allow_zero: bool = False, ceiling: Decimal | None = None, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        self.ceiling = ceiling
        kwargs.setdefault("label", "Montant (€)")
        kwargs.setdefault("help_text", MONEY_HELP)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": MAX_TYPED})
        )
        kwargs.setdefault("error_messages", {"required": "Indiquez un montant."})
        super().__init__(**kwargs)
        self.max_length = MAX_TYPED  # checked by `_typed` on the text, before it becomes a Decimal

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = _typed(value)
        if text in self.empty_values:
            return None
        return parse_euros(text, allow_zero=self.allow_zero, ceiling=self.ceiling)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return _french(Decimal(value))
        return value


class CountField(forms.CharField):
    """A count of people (or of hours): a whole number, French spaces between thousands allowed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", COUNT_HELP)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": MAX_TYPED})
        )
        super().__init__(**kwargs)
        self.max_length = MAX_TYPED  # checked by `_typed` on the text, before it becomes an int

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = _typed(value)
        if text in self.empty_values:
            return None
        count = parse_count(text, allow_blank=False)
        if count is None:  # pragma: no cover - allow_blank=False
            raise ValidationError(COUNT_HELP, code="count")
        return count

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", NARROW_NBSP)
        return value
