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


# --- National and départemental committees, evaluations (steering app) ----------------------------


class FileChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        department = getattr(obj, "department", None) or obj.programming.contract.department
        return f"{obj} ({department.code})"


class SteeringCommitteeForm(SiteForm):
    level = forms.ChoiceField(label="Niveau", widget=forms.RadioSelect)
    department = forms.ModelChoiceField(
        label="Département (comité départemental)", queryset=None, required=False, to_field_name="code"
    )
    held_on = forms.DateField(
        label="Date du comité",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date du comité.", "invalid": "Date invalide (AAAA-MM-JJ)."},
    )
    title = forms.CharField(label="Intitulé", max_length=200, error_messages={"required": "Indiquez l'intitulé."})
    agenda = forms.CharField(
        label="Ordre du jour",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Indiquez l'ordre du jour."},
    )
    minutes = forms.CharField(label="Compte rendu", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    participants = forms.ModelMultipleChoiceField(
        label="Participants ayant un compte", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    external_participants = forms.CharField(
        label="Autres participants (noms et organismes)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contracts = FileChoiceField(
        label="CTAI examinés", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    projects = FileChoiceField(
        label="PTAI examinés", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    actions = FileChoiceField(
        label="Actions de CTAI examinées", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, levels: list[tuple[str, str]], querysets: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels  # type: ignore[attr-defined]
        for name, queryset in querysets.items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class DecisionForm(SiteForm):
    target = forms.ChoiceField(label="Dossier concerné")
    text = forms.CharField(
        label="Décision", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Indiquez la décision."}
    )
    due_on = forms.DateField(
        label="Échéance", widget=DATE_WIDGET, required=False, error_messages={"invalid": "Date invalide (AAAA-MM-JJ)."}
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets  # type: ignore[attr-defined]


class EvaluationForm(SiteForm):
    evaluator = forms.CharField(
        label="Évaluateur", max_length=200, error_messages={"required": "Indiquez l'évaluateur."}
    )
    questions = forms.CharField(
        label="Questions évaluatives",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez les questions évaluatives."},
    )
    method = forms.CharField(
        label="Méthode", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Indiquez la méthode."}
    )
    findings = forms.CharField(label="Constats", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    recommendations = forms.CharField(label="Recommandations", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    summary = forms.CharField(
        label="Synthèse (affichée sur l'action, le contrat et dans les chiffres nationaux)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    completed_on = forms.DateField(
        label="Rendue le", widget=DATE_WIDGET, required=False, error_messages={"invalid": "Date invalide (AAAA-MM-JJ)."}
    )
    report = forms.FileField(label="Rapport d'évaluation (PDF)", required=False)
