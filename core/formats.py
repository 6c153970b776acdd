"""French formatting of numbers and amounts, used by every page and export."""

from decimal import Decimal

NARROW_NBSP = "\u202f"


def format_number(value: int | Decimal | None) -> str:
    """1234567 -> "1 234 567" (narrow no-break spaces as thousands separators)."""
    if value is None:
        return "—"
    return f"{value:,}".replace(",", NARROW_NBSP)


def format_euros(value: int | Decimal | None) -> str:
    """1234567.8 -> "1 234 567,80 €"."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return f"{whole.replace(',', NARROW_NBSP)},{cents}\u00a0€"
