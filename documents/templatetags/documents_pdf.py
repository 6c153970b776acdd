"""Filters for the generated documents: French amounts (figures and words) and long dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from core.formats import format_euros
from documents.words import euros_in_words

register = template.Library()

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@register.filter
def euros(value: int | Decimal | None) -> str:
    """150000 -> "150 000,00 €" (core.formats)."""
    return format_euros(value)


@register.filter
def in_words(value: int | Decimal | None) -> str:
    """150000 -> "cent cinquante mille euros"."""
    return "" if value is None else euros_in_words(value)


@register.filter
def long_date(value: datetime.date | None) -> str:
    """date(2026, 3, 1) -> "1er mars 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


@register.filter
def short_date(value: datetime.date | None) -> str:
    """date(2026, 3, 1) -> "01/03/2026"."""
    return "" if value is None else f"{value:%d/%m/%Y}"
