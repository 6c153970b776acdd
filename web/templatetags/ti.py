from datetime import timedelta
from decimal import Decimal

from django import template

from core.formats import format_euros, format_number

register = template.Library()


@register.filter
def number(value: int | Decimal | None) -> str:
    return format_number(value)


@register.filter
def euros(value: int | Decimal | None) -> str:
    return format_euros(value)


@register.filter
def duration(value: timedelta | None) -> str:
    """timedelta(minutes=15) -> "15 minutes"; timedelta(hours=2) -> "2 heures"."""
    if value is None:
        return "quelques minutes"
    minutes = round(value.total_seconds() / 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} heure{'s' if hours > 1 else ''}"
    return f"{minutes} minute{'s' if minutes > 1 else ''}"
