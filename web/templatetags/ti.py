from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms, template

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


@register.simple_tag
def optional_mark(bound_field: Any) -> str:
    """ " (Optionnel)" after the label of a field a user may leave empty — and only there.

    Replaces django-dsfr's `dsfr_mark_optionnal_fields` in the form snippets (web/overrides/): that tag
    marks every non-required field, filters of a list included, and a draft's field that blocks the
    submission (optional to save, required to submit) would read "(Optionnel)". A form says which of
    its fields are needed for submission (`SiteForm.needed_to_submit`) and whether it marks at all
    (`SiteForm.mark_optional`, off for the filters of a list).
    """
    form = bound_field.form
    if not getattr(form, "mark_optional", True) or bound_field.field.required:
        return ""
    if isinstance(bound_field.field, forms.BooleanField):  # a box left unticked is an answer
        return ""
    if bound_field.name in getattr(form, "needed_to_submit", ()):
        return ""
    return " (Optionnel)"
