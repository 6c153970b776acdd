from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from dsfr.forms import DsfrBaseForm


class SiteForm(DsfrBaseForm):
    """Every form of the site: DSFR rendering, optional fields marked "(Optionnel)" as the DSFR recommends.

    The mark is written by `web.templatetags.ti.optional_mark`, on a field the user may leave empty
    for good: `needed_to_submit` names the fields a draft can be saved without but that block the
    submission (they are not marked); `mark_optional = False` turns marking off (see FilterForm).
    DsfrBaseForm.get_context() would warn about the transitional DSFR_MARK_OPTIONAL_FIELDS setting on
    every render, so the plain Django form context is used.
    """

    mark_optional: bool = True
    needed_to_submit: frozenset[str] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every free text is bounded: a text field without its own limit gets TEXT_MAX_LENGTH
        # (French message from Django's validator, shown beside the field).
        limit = int(settings.TEXT_MAX_LENGTH)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = limit
                field.validators.append(MaxLengthValidator(limit))
                field.widget.attrs.setdefault("maxlength", str(limit))
        quick_selects(self)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                bound_keys(field)

    def get_context(self) -> dict[str, Any]:
        context: dict[str, Any] = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


BIGINT = 2**63  # a key out of PostgreSQL's bigint (or SQLite's integer) range fails the query itself


def bound_keys(field: forms.ModelChoiceField[Any]) -> None:
    """A list of objects refuses a number no key can hold (`9999…9`), with its own French message,
    before Django's query would fail on it (a server error: found by tests/demo/test_form_fuzzing.py)."""
    original = field.clean

    def clean(value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else [value]:
            text = str(item).strip()
            if text.isascii() and text.lstrip("-").isdigit() and not -BIGINT <= int(text) < BIGINT:
                raise ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                )
        return original(value)

    field.clean = clean  # type: ignore[method-assign]


class FilterForm(SiteForm):
    """The filters of a list: every field may stay empty, none is marked "(Optionnel)"."""

    mark_optional = False


class QuickSelect(forms.Select):
    """A <select> written in Python: the same HTML as Django's template, without one template include
    per option (a list's filter of the 101 départements took ≈ 8-11 ms to render; docs/PERFORMANCE.md)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], flatatt(option["attrs"]), option["label"]) for option in group),
            )
            options.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), mark_safe("".join(options))
        )


def quick_selects(form: forms.BaseForm) -> None:
    """Swap the plain <select> widgets of `form` for QuickSelect (same attributes and choices)."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            quick = QuickSelect(attrs=widget.attrs, choices=widget.choices)
            quick.is_required = widget.is_required
            quick.group_class = getattr(widget, "group_class", "fr-select-group")  # type: ignore[attr-defined]
            field.widget = quick
