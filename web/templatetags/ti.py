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
