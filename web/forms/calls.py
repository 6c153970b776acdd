"""Forms of the calls for projects: the public list's filters, a call, an application, a score,
the programming an application joins, and the opérateur's self-registration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.db.models import QuerySet

from accounts.models import User
from contracts.enums import EDITABLE_PROGRAMMING_STATES, CallState
from contracts.models import ActionPublic, Call, Contract, Programming
from core.validators import normalize_siret, validate_rna, validate_siret
from programme.models import Campaign, Domain
from referential.models import Department, Operator
from web.forms.base import FilterForm, SiteForm
from web.forms.fields import CountField, MoneyField
from web.forms.projects import DATE_WIDGET

SORTS = {
    "date_limite": ("deadline", "Date limite la plus proche"),
    "-publie": ("-published_at", "Publiés récemment"),
    "-budget": ("-budget", "Budget le plus élevé"),
}


class CallFilterForm(FilterForm):
    departement = forms.ModelChoiceField(
        label="Département", required=False, queryset=Department.objects.order_by("code"), empty_label="Tous"
    )
    domaine = forms.ModelChoiceField(
        label="Domaine",
        required=False,
        queryset=Domain.objects.filter(is_active=True).order_by("position", "label"),
        empty_label="Tous",
        to_field_name="code",
    )
    tri = forms.ChoiceField(
        label="Trier par", required=False, choices=[(key, label) for key, (_, label) in SORTS.items()]
    )


class ManageFilterForm(FilterForm):
    etat = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *CallState.choices])
    contrat = forms.ModelChoiceField(label="Contrat", required=False, queryset=Contract.objects.none())

    def __init__(self, *args: Any, contracts: QuerySet[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contrat"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = contracts
        field.empty_label = "Tous"


def campaigns_of(contract: Contract) -> QuerySet[Campaign]:
    """The years of the contract's effect (from its signature to its end)."""
    campaigns = Campaign.objects.order_by("-year")
    if contract.signed_on:
        campaigns = campaigns.filter(year__gte=contract.signed_on.year)
    if contract.effective_to:
        campaigns = campaigns.filter(year__lte=contract.effective_to.year)
    return campaigns


class CallForm(SiteForm):
    title = forms.CharField(label="Titre", max_length=200, error_messages={"required": "Indiquez le titre de l'appel."})
    text = forms.CharField(
        label="Texte de l'appel",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Ce qui est attendu des opérateurs : besoins, public, critères de sélection, pièces.",
        error_messages={"required": "Écrivez le texte de l'appel."},
    )
    campaign = forms.ModelChoiceField(
        label="Programmation visée (année)",
        queryset=Campaign.objects.none(),
        empty_label=None,
        error_messages={"required": "Choisissez l'année de la programmation."},
    )
    domains = forms.ModelMultipleChoiceField(
        label="Domaines",
        required=False,
        queryset=Domain.objects.filter(is_active=True).order_by("position", "label"),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        help_text="Au moins un pour publier l'appel.",
    )
    deadline = forms.DateField(
        label="Date limite de dépôt",
        widget=DATE_WIDGET,
        error_messages={"required": "Indiquez la date limite de dépôt.", "invalid": "Date invalide (AAAA-MM-JJ)."},
    )
    budget = MoneyField(label="Budget de l'appel (€)", error_messages={"required": "Indiquez le budget de l'appel."})

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaigns_of(contract)


class ApplicationForm(SiteForm):
    operator = forms.ModelChoiceField(
        label="Structure qui candidate",
        queryset=Operator.objects.none(),
        empty_label=None,
        error_messages={"required": "Choisissez la structure qui candidate."},
    )
    title = forms.CharField(
        label="Intitulé de l'action", max_length=200, error_messages={"required": "Indiquez l'intitulé de l'action."}
    )
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Objectifs, déroulé, partenaires, calendrier.",
        error_messages={"required": "Décrivez l'action."},
    )
    domains = forms.ModelMultipleChoiceField(
        label="Domaines",
        queryset=Domain.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        error_messages={"required": "Choisissez au moins un domaine parmi ceux de l'appel."},
    )
    public = forms.ChoiceField(
        label="Public cible", choices=ActionPublic.choices, initial=ActionPublic.NEWCOMERS, widget=forms.RadioSelect
    )
    planned_bpi = CountField(label="BPI prévus", initial=0)
    planned_newcomers = CountField(label="Autres primo-arrivants prévus", initial=0)
    budget = MoneyField(label="Budget total de l'action (€)", error_messages={"required": "Indiquez le budget."})
    requested_amount = MoneyField(
        label="Montant demandé (€)", error_messages={"required": "Indiquez le montant demandé."}
    )

    def __init__(self, *args: Any, call: Call, operators: QuerySet[Operator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call = call
        operator = self.fields["operator"]
        assert isinstance(operator, forms.ModelChoiceField)
        operator.queryset = operators
        domains = self.fields["domains"]
        assert isinstance(domains, forms.ModelMultipleChoiceField)
        domains.queryset = call.domains.order_by("position", "label")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        budget, requested = cleaned.get("budget"), cleaned.get("requested_amount")
        if budget is not None and requested is not None and requested > budget:
            self.add_error("requested_amount", "Le montant demandé ne peut pas dépasser le budget total de l'action.")
        elif requested is not None and requested > self.call.budget:
            self.add_error("requested_amount", "Le montant demandé dépasse le budget de l'appel.")
        return cleaned


class ScoreForm(SiteForm):
    score = forms.IntegerField(
        label="Note (sur 20)",
        min_value=0,
        max_value=20,
        error_messages={
            "required": "Indiquez une note de 0 à 20.",
            "min_value": "La note va de 0 à 20.",
            "max_value": "La note va de 0 à 20.",
            "invalid": "Indiquez une note entière de 0 à 20.",
        },
    )
    comment = forms.CharField(
        label="Appréciation", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


NO_PROGRAMMING = (
    "Le contrat n'a aucune programmation en préparation : ouvrez d'abord la programmation de l'année "
    "depuis la page du contrat."
)


class ProgrammingChoiceField(forms.ModelChoiceField[Programming]):
    def label_from_instance(self, obj: Programming) -> str:
        return f"Programmation {obj.campaign.year}"


class ToProgrammingForm(SiteForm):
    programming = ProgrammingChoiceField(
        label="Programmation",
        queryset=Programming.objects.none(),
        empty_label=None,
        error_messages={"required": NO_PROGRAMMING, "invalid_choice": "Choisissez une programmation en préparation."},
    )

    def __init__(self, *args: Any, programmings: QuerySet[Programming], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programming"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmings


class OperatorRegistrationForm(SiteForm):
    first_name = forms.CharField(label="Prénom", max_length=150, error_messages={"required": "Indiquez votre prénom."})
    last_name = forms.CharField(label="Nom", max_length=150, error_messages={"required": "Indiquez votre nom."})
    email = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Indiquez votre adresse électronique.",
            "invalid": "Adresse électronique invalide.",
        },
    )
    password1 = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, pas uniquement des chiffres, pas trop courant.",
        error_messages={"required": "Choisissez un mot de passe."},
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirmez le mot de passe."},
    )
    organisation_name = forms.CharField(
        label="Nom de la structure (association)",
        max_length=200,
        error_messages={"required": "Indiquez le nom de la structure."},
    )
    siret = forms.CharField(
        label="SIRET de la structure",
        max_length=20,
        help_text="Les 14 chiffres, par exemple 123 456 789 00012 (avis de situation INSEE).",
        error_messages={"required": "Indiquez le SIRET de la structure."},
    )
    rna = forms.CharField(
        label="Numéro RNA",
        required=False,
        max_length=10,
        help_text="Pour une association déclarée : W suivi de 9 caractères (ex. W381000001).",
    )

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse électronique : connectez-vous.")
        return email

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret

    def clean_rna(self) -> str:
        rna = str(self.cleaned_data["rna"]).strip().upper()
        validate_rna(rna)
        return rna

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif first:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def programmings_for(contract_id: int) -> QuerySet[Programming]:
    """The contract's programmings still editable (draft, changes requested), by year."""
    return (
        Programming.objects.filter(contract_id=contract_id, state__in=EDITABLE_PROGRAMMING_STATES)
        .select_related("campaign")
        .order_by("campaign__year")
    )
