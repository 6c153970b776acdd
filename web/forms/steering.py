"""The form of a steering committee (F23)."""

from __future__ import annotations

from typing import Any

from django import forms

from contracts.models import Action
from core.formats import format_euros
from web.forms.base import SiteForm
from web.forms.projects import DATE_WIDGET


class ActionChoiceField(forms.ModelMultipleChoiceField):
    """Each action with its year and State amount; those at or above the campaign's evaluation
    threshold are flagged (F23: the biggest actions may get a deeper evaluation)."""

    threshold: dict[str, Any] = {}

    def label_from_instance(self, obj: Any) -> str:
        above = bool(self.threshold) and obj.above_evaluation_threshold(self.threshold)
        flag = " — seuil d'évaluation atteint" if above else ""
        return f"{obj.title} ({obj.programming.campaign.year}, {format_euros(obj.state_amount)} de l'État){flag}"


class CommitteeForm(SiteForm):
    held_on = forms.DateField(
        label="Date du comité",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date du comité.", "invalid": "Date invalide (AAAA-MM-JJ)."},
    )
    participants = forms.CharField(
        label="Participants",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="La Diair, le Ministère, le préfet, les élus et services de la collectivité, les opérateurs…",
        error_messages={"required": "Indiquez les participants."},
    )
    summary = forms.CharField(
        label="Compte rendu",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Indiquez le compte rendu."},
    )
    decisions = forms.CharField(label="Décisions et suites", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evaluated_actions = ActionChoiceField(
        label="Actions retenues pour une évaluation qualitative approfondie",
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actions: Any, rules: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evaluated_actions"]
        field.queryset = actions  # type: ignore[attr-defined]
        field.threshold = rules  # type: ignore[attr-defined]
