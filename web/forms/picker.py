"""The collectivité picker: one text box that finds an Authority by name, INSEE code, SIREN or postcode.

With JavaScript, htmx asks `web:authority_picker` for matches while the user types and shows
them as radio buttons. Without JavaScript, the form is submitted with the text: one match is
taken, several are shown as the same radio buttons with an error asking to choose. Either way
the chosen collectivité travels as `<name>_id`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from referential.models import Authority


class AuthorityPickerWidget(forms.TextInput):
    template_name = "web/widgets/authority_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.candidates: list[Authority] = []
        self.chosen: Authority | None = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        return (data.get(name, "") or "", data.get(f"{name}_id", "") or "")

    def format_value(self, value: Any) -> str:
        if isinstance(value, tuple):
            return str(value[0])
        if isinstance(value, Authority):
            return value.name
        return super().format_value(value) or ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            {
                "picker_url": reverse("web:authority_picker") + f"?field={name}",
                "results_id": f"{name}-results",
                "candidates": self.candidates,
                "chosen": self.chosen,
                "field_name": name,
            }
        )
        return context


class AuthorityPickerField(forms.Field):
    widget = AuthorityPickerWidget
    default_error_messages = {
        "required": "Indiquez une collectivité (nom, code INSEE, SIREN ou code postal).",
        "not_found": (
            "Aucune collectivité ne correspond à « %(text)s ». Vérifiez l'orthographe ou essayez le code INSEE."
        ),
        "ambiguous": "%(count)s collectivités correspondent à « %(text)s » : choisissez-en une dans la liste.",
    }

    def __init__(self, *, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Authority.objects.all()

    def clean(self, value: Any) -> Authority | None:
        text, chosen_id = value if isinstance(value, tuple) else (str(value or ""), "")
        widget: AuthorityPickerWidget = self.widget  # type: ignore[assignment]
        if chosen_id.isascii() and chosen_id.isdigit():  # "²".isdigit() is true too, but int("²") fails
            chosen = self.queryset.filter(pk=int(chosen_id)).select_related("department").first()
            if chosen is not None:
                widget.chosen = chosen
                return chosen
        text = text.replace("\x00", "").strip()
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        matches = self.queryset.search(text, limit=20)
        if not matches:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found", params={"text": text})
        if len(matches) > 1:
            widget.candidates = matches
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"text": text, "count": len(matches)}
            )
        widget.chosen = matches[0]
        return matches[0]
