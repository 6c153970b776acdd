"""Forms of the CTAI programming pages: the year's amounts, an action (its part of the funding and its
priority of the national strategy), the Diair's check, the inputs of the year's report (`close`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from contracts.enums import ActionPart, ActionReview, CarrierKind
from contracts.models import ActionPublic
from programme.models import Domain, Priority
from web.forms.base import SiteForm
from web.forms.fields import CountField, MoneyField
from web.forms.projects import DATE_WIDGET


class ProgrammingCreateForm(SiteForm):
    year = forms.TypedChoiceField(label="Année", coerce=int, error_messages={"required": "Choisissez l'année."})

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]


class AmountsForm(SiteForm):
    base_amount = MoneyField(
        label="Socle demandé (€, programme 104 action 15)",
        allow_zero=True,
        error_messages={"required": "Indiquez le socle demandé."},
    )
    complement_amount = MoneyField(
        label="Crédits complémentaires demandés (€, programme 104 action 12)",
        allow_zero=True,
        help_text="Pour ouvrir les actions aux autres primo-arrivants ; 0 s'il n'y en a pas. Par exemple 40 000.",
        error_messages={"required": "Indiquez les crédits complémentaires (0 s'il n'y en a pas)."},
    )


class ActionForm(SiteForm):
    title = forms.CharField(label="Intitulé", max_length=200, error_messages={"required": "Indiquez l'intitulé."})
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    diagnosis_need = forms.CharField(
        label="Besoin du diagnostic territorial auquel l'action répond",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cir_link = forms.CharField(
        label="Articulation avec le contrat d'intégration républicaine (CIR)",
        help_text="Comment l'action complète les formations et l'accompagnement du CIR.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    domains = forms.ModelMultipleChoiceField(
        label="Domaines",
        queryset=Domain.objects.filter(is_active=True).order_by("position", "label"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un domaine."},
    )
    priority = forms.ModelChoiceField(
        label="Priorité de la stratégie nationale pour l'accueil et l'intégration des réfugiés",
        queryset=Priority.objects.filter(is_active=True).order_by("position", "label"),
        to_field_name="code",
        required=False,
        empty_label="À préciser",
        help_text="La priorité de la stratégie nationale (2018) que l'action sert ; la Diair le vérifie.",
    )
    public = forms.ChoiceField(label="Public cible", choices=ActionPublic.choices, widget=forms.RadioSelect)
    part = forms.ChoiceField(
        label="Part du financement de l'État qui porte l'action",
        choices=ActionPart.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la part qui porte l'action : le socle ou le complément."},
        help_text=(
            "Le socle finance les actions en faveur des BPI (elles prévoient des BPI) ; les crédits "
            "complémentaires, l'ouverture des actions aux autres primo-arrivants."
        ),
    )
    planned_bpi = CountField(label="BPI prévus", initial=0)
    planned_newcomers = CountField(label="Autres primo-arrivants prévus", initial=0)
    carrier_kind = forms.ChoiceField(label="Porteur", choices=CarrierKind.choices, widget=forms.RadioSelect)
    carrier_name = forms.CharField(label="Nom de l'association porteuse", required=False, max_length=200)
    siret = forms.CharField(label="SIRET de l'association", required=False, max_length=20)
    rna = forms.CharField(label="Numéro RNA", required=False, max_length=10)
    budget = MoneyField(
        label="Budget total de l'action (€)", allow_zero=True, error_messages={"required": "Indiquez le budget."}
    )
    state_amount = MoneyField(
        label="Montant demandé à l'État (€)",
        allow_zero=True,
        error_messages={"required": "Indiquez le montant demandé à l'État."},
    )

    def action_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["domains"] = list(data["domains"])
        return data


# The inputs of the year's report (`close`, `contracts.programming.FORMS`) for the one transition page.
PROGRAMMING_INPUTS: dict[str, Callable[[], forms.Field]] = {
    "report_received_on": lambda: forms.DateField(
        label="Bilan de l'année reçu le",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Indiquez la date de réception du bilan.",
            "invalid": "Date invalide (AAAA-MM-JJ).",
        },
    ),
    "final_base_amount": lambda: MoneyField(
        label="Montant dépensé sur le socle (€, action 15)",
        required=False,
        allow_zero=True,
        help_text="Laissez vide si tout le socle engagé a été dépensé. Le reste non dépensé est libéré.",
    ),
    "final_complement_amount": lambda: MoneyField(
        label="Montant dépensé sur les crédits complémentaires (€, action 12)",
        required=False,
        allow_zero=True,
        help_text="Laissez vide si tout le complément engagé a été dépensé.",
    ),
}


class ReviewForm(SiteForm):
    decision = forms.ChoiceField(
        label="Examen",
        choices=[(ActionReview.ACCEPTED, "Accepter"), (ActionReview.SENT_BACK, "Renvoyer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Acceptez ou renvoyez l'action."},
    )
    reason = forms.CharField(
        label="Motif du renvoi", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
