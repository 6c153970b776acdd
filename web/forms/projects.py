"""Forms of the PTAI pages: the request's steps, the list's filters, a transition, a message.

Each step is a short form saved as a draft as soon as it is valid (`web.views.projects.request`).
Field errors come back in French beside the fields; nothing typed is lost on an error.
"""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.enums import Role
from core.validators import validate_rna, validate_siret
from programme.enums import ContributionKind, TargetPublic
from programme.models import Campaign, Domain
from projects.enums import PTAI_FIRST_YEAR, CarrierKind, ProjectState, ResourceKind
from referential.models import Authority, Department
from web.forms.base import FilterForm, SiteForm
from web.forms.fields import CountField, MoneyField
from web.forms.picker import AuthorityPickerField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def agent_authorities(user: Any) -> list[Authority]:
    """The collectivités `user` acts for as agent (the possible leads of a new PTAI)."""
    return [m.authority for m in user.active_memberships if m.role == Role.AGENT and m.authority_id]


# --- The request, step by step ------------------------------------------------------------------


class LeadForm(SiteForm):
    """Step 1, creation: the lead collectivité (among the agent's own) and the campaign's year."""

    lead = forms.ModelChoiceField(
        label="Collectivité porteuse",
        queryset=Authority.objects.none(),
        empty_label=None,
        error_messages={"required": "Choisissez la collectivité porteuse.", "invalid_choice": "Choix invalide."},
    )
    campaign = forms.ModelChoiceField(
        label="Campagne",
        queryset=Campaign.objects.filter(year__gte=PTAI_FIRST_YEAR).order_by("-year"),
        empty_label=None,
        error_messages={"required": "Choisissez l'année de la campagne."},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [a.pk for a in agent_authorities(user)]
        self.fields["lead"].queryset = Authority.objects.filter(pk__in=ids).order_by("name")  # type: ignore[attr-defined]


class PartnerForm(SiteForm):
    """Step 1: add a partner collectivité (F45), one at a time, with the picker."""

    partner = AuthorityPickerField(
        label="Ajouter une collectivité partenaire",
        required=False,
        help_text="Nom, code INSEE, SIREN ou code postal. Un PTAI peut n'avoir aucun partenaire.",
    )
    department = forms.ModelChoiceField(
        label="Département instructeur",
        queryset=Department.objects.none(),
        required=False,
        empty_label=None,
        help_text="Pour une région : le département dont la préfecture instruit le dossier.",
    )

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None and departments.count() > 1:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        else:
            del self.fields["department"]


class ProjectStepForm(SiteForm):
    """Step 2: the project itself (a draft saves without its dates and domains; the submission needs them)."""

    needed_to_submit = frozenset({"domains", "start_date", "end_date", "bpi_justification", "widening_perspective"})

    title = forms.CharField(label="Titre du projet", max_length=200)
    summary = forms.CharField(label="Résumé", widget=forms.Textarea(attrs={"rows": 5}))
    domains = forms.ModelMultipleChoiceField(
        label="Domaines",
        queryset=Domain.objects.filter(is_active=True).order_by("position", "label"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    start_date = forms.DateField(label="Date de début", widget=DATE_WIDGET, required=False)
    end_date = forms.DateField(label="Date de fin", widget=DATE_WIDGET, required=False)
    target_public = forms.ChoiceField(label="Public cible", choices=TargetPublic.choices, widget=forms.RadioSelect)
    bpi_justification = forms.CharField(
        label="Justification d'un public réservé aux BPI",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si le projet est réservé aux BPI : pourquoi ce public seulement.",
    )
    widening_perspective = forms.CharField(
        label="Perspective d'élargissement aux autres primo-arrivants",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si le projet est réservé aux BPI.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin doit suivre la date de début.")
        return data


class PublicForm(SiteForm):
    """Step 3: the planned beneficiaries."""

    planned_bpi = CountField(label="Nombre de BPI prévus", required=False)
    planned_newcomers = CountField(label="Nombre d'autres primo-arrivants prévus", required=False)
    cir_link = forms.CharField(
        label="Articulation avec le contrat d'intégration républicaine (CIR)",
        help_text="Comment le projet complète les formations et l'accompagnement du CIR des personnes accueillies.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CarrierForm(SiteForm):
    """Step 4: who carries the action (an association's name and SIRET when an association carries it)."""

    needed_to_submit = frozenset({"carrier_name", "siret"})

    carrier_kind = forms.ChoiceField(label="Porteur de l'action", choices=CarrierKind.choices, widget=forms.RadioSelect)
    carrier_name = forms.CharField(
        label="Nom de l'association", max_length=200, required=False, help_text="Si une association porte l'action."
    )
    siret = forms.CharField(
        label="SIRET de l'association",
        max_length=20,
        required=False,
        validators=[validate_siret],
        help_text="14 chiffres ; la clé de contrôle est vérifiée.",
    )
    rna = forms.CharField(
        label="Numéro RNA",
        max_length=10,
        required=False,
        validators=[validate_rna],
        help_text="Par exemple W381000001.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("carrier_kind") == CarrierKind.ASSOCIATION:
            if not (data.get("carrier_name") or "").strip():
                self.add_error("carrier_name", "Indiquez le nom de l'association.")
            if not data.get("siret") and "siret" not in self.errors:
                self.add_error("siret", "Indiquez le numéro SIRET de l'association.")
        return data


class ExpenseForm(SiteForm):
    nature = forms.CharField(label="Nature de la dépense", max_length=200, required=False)
    amount = MoneyField(label="Montant (€)", required=False, allow_zero=True, help_text="")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("amount") is not None and not (data.get("nature") or "").strip():
            self.add_error("nature", "Indiquez la nature de la dépense.")
        return data


class ResourceForm(SiteForm):
    kind = forms.ChoiceField(label="Ressource", choices=[("", "—"), *ResourceKind.choices], required=False)
    funder = forms.CharField(label="Financeur", max_length=200, required=False)
    amount = MoneyField(label="Montant (€)", required=False, allow_zero=True, help_text="")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("amount") is not None and not data.get("kind"):
            self.add_error("kind", "Choisissez la nature de la ressource.")
        if data.get("kind") == ResourceKind.OTHER_COFUNDER and not (data.get("funder") or "").strip():
            self.add_error("funder", "Nommez le cofinanceur.")
        return data


class ContributionForm(SiteForm):
    kind = forms.ChoiceField(label="Engagement", choices=[("", "—"), *ContributionKind.choices], required=False)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    amount = MoneyField(label="Montant (€), pour un cofinancement", required=False, allow_zero=True, help_text="")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if (data.get("description") or "").strip() and not kind:
            self.add_error("kind", "Choisissez la nature de l'engagement.")
        if kind and not (data.get("description") or "").strip():
            self.add_error("description", "Décrivez cet engagement.")
        if kind == ContributionKind.COFUNDING and not data.get("amount"):
            self.add_error("amount", "Indiquez le montant du cofinancement.")
        return data


ExpenseFormSet = forms.formset_factory(ExpenseForm, extra=0)
ResourceFormSet = forms.formset_factory(ResourceForm, extra=0)
ContributionFormSet = forms.formset_factory(ContributionForm, extra=0)


class DiagnosticForm(SiteForm):
    """Step 7: the territorial diagnostic and an attachment."""

    diagnostic = forms.CharField(
        label="Diagnostic territorial (synthèse)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Conseillé : il montre les besoins auxquels le projet répond.",
    )
    attachment = forms.FileField(
        label="Joindre une pièce", required=False, help_text="PDF, image ou document bureautique."
    )


# --- The list ------------------------------------------------------------------------------------

SORTS = {
    "date": "created_at",
    "montant": "requested_amount",
    "etat": "state",
    "reference": "reference",
}


class ProjectFilterForm(FilterForm):
    etat = forms.ChoiceField(label="État", choices=[("", "Tous"), *ProjectState.choices], required=False)
    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False, empty_value=None)
    departement = forms.ModelChoiceField(
        label="Département",
        queryset=Department.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="Tous",
    )
    domaine = forms.ModelChoiceField(
        label="Domaine",
        queryset=Domain.objects.order_by("position", "label"),
        to_field_name="code",
        required=False,
        empty_label="Tous",
    )
    montant_min = MoneyField(label="Montant demandé minimum (€)", required=False, allow_zero=True, help_text="")
    montant_max = MoneyField(label="Montant demandé maximum (€)", required=False, allow_zero=True, help_text="")
    q = forms.CharField(label="Titre ou référence", required=False, max_length=200)
    tri = forms.ChoiceField(
        required=False, choices=[(f"{sign}{key}", key) for key in SORTS for sign in ("", "-")], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = Campaign.objects.order_by("-year").values_list("year", flat=True)
        self.fields["annee"].choices = [("", "Toutes"), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]


# --- A transition, a message ---------------------------------------------------------------------


class MessageForm(SiteForm):
    body = forms.CharField(label="Votre message", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    is_internal = forms.BooleanField(label="Note interne (visible des seuls agents de l'État)", required=False)
    attachment = forms.FileField(label="Pièce jointe", required=False)

    def __init__(self, *args: Any, state_agent: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not state_agent:
            del self.fields["is_internal"]
