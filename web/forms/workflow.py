"""The one form of a workflow transition (PTAI, CTAI, programming, amendment), built from the
transition's `programme.workflow.TransitionForm`: opinion, reason, amount and named inputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms

from projects.enums import Opinion
from web.forms.base import SiteForm
from web.forms.fields import MoneyField

NO_INPUTS: Mapping[str, Callable[[], forms.Field]] = {}


class WorkflowTransitionForm(SiteForm):
    """`spec`: the transition's `TransitionForm`; `inputs`: a field factory for each name of
    `spec.fields` (the workflow's own inputs, e.g. a signature date)."""

    def __init__(
        self, *args: Any, spec: Any, inputs: Mapping[str, Callable[[], forms.Field]] = NO_INPUTS, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if spec.opinion:
            self.fields["opinion"] = forms.ChoiceField(
                label="Avis",
                choices=Opinion.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choisissez l'avis : favorable ou défavorable."},
            )
        if spec.reason != "none":
            self.fields["reason"] = forms.CharField(
                label=spec.reason_label,
                required=spec.reason == "required",
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": f"Indiquez : {spec.reason_label.lower()}."},
            )
            if spec.notifies_applicant:
                self.fields["reason"].help_text = "Ce texte est communiqué à la collectivité."
        if spec.amount != "none":
            self.fields["amount"] = MoneyField(
                label=spec.amount_label,
                required=spec.amount == "required",
                error_messages={"required": f"Indiquez : {spec.amount_label.lower()}."},
            )
        for name in spec.fields:
            self.fields[name] = inputs[name]()
