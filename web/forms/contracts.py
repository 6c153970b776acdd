"""Forms of the CTAI pages: the list's filters, a new contract, a transition, the diagnostic, a derogation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator

from accounts.enums import Role
from contracts.enums import ContractKind, ContractState
from contracts.models import Contract
from programme.models import Campaign, Domain
from referential.models import Authority, Department
from web.forms.base import SiteForm
from web.forms.picker import AuthorityPickerField
from web.forms.projects import DATE_WIDGET, agent_authorities

STATE_CREATORS = (Role.PREFECT, Role.DIAIR)
CONTRACT_RULES = ("ctai.signatory.type", "ctai.letter.deadline")


class ContractFilterForm(SiteForm):
    etat = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *ContractState.choices])
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous"), *ContractKind.choices])
    departement = forms.ModelChoiceField(
        label="Département", required=False, queryset=Department.objects.order_by("code"), empty_label="Tous"
    )


class ContractCreateForm(SiteForm):
    """The collectivité (agents: among their own; State roles: the picker within their scope)."""

    kind = forms.ChoiceField(label="Type de contrat", choices=ContractKind.choices, initial=ContractKind.CTAI)
    title = forms.CharField(label="Titre", required=False, max_length=200)
    campaign = forms.ModelChoiceField(label="Campagne", queryset=Campaign.objects.order_by("-year"), empty_label=None)
    widens = forms.ModelChoiceField(
        label="CTAIR élargi (facultatif)",
        required=False,
        queryset=Contract.objects.none(),
        help_text="Le CTAIR en vigueur de la même collectivité que ce CTAI remplacera.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = [a.pk for a in agent_authorities(user)]
        if own and not user.has_role(*STATE_CREATORS):
            self.fields["authority"] = forms.ModelChoiceField(
                label="Collectivité signataire",
                queryset=Authority.objects.filter(pk__in=own).order_by("name"),
                empty_label=None,
                error_messages={"required": "Choisissez la collectivité signataire."},
            )
        else:
            self.fields["authority"] = AuthorityPickerField(
                label="Collectivité signataire", queryset=Authority.objects.for_user(user)
            )
        self.order_fields(["authority", "kind", "title", "campaign", "widens"])
        self.fields["widens"].queryset = (  # type: ignore[attr-defined]
            Contract.objects.for_user(user)
            .filter(kind=ContractKind.CTAIR, state=ContractState.SIGNED)
            .select_related("authority")
        )


class ContractTransitionForm(SiteForm):
    """Built from the transition's `.form` (contracts.workflow.FORMS): reason and inputs."""

    def __init__(self, *args: Any, spec: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if spec.reason != "none":
            self.fields["reason"] = forms.CharField(
                label=spec.reason_label,
                required=spec.reason == "required",
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": f"Indiquez : {spec.reason_label.lower()}."},
            )
        for name in spec.fields:
            self.fields[name] = _input(name)


def _date(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        error_messages={"required": f"Indiquez {label.lower()}.", "invalid": "Date invalide (AAAA-MM-JJ)."},
    )


def _text(label: str, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=200)


def _input(name: str) -> forms.Field:
    fields: dict[str, Any] = {
        "letter_date": lambda: _date("La date de la lettre d'engagement", required=True),
        "signature_year": lambda: forms.IntegerField(
            label="Année de signature visée",
            required=False,
            min_value=2019,
            max_value=2100,
            help_text="Par défaut : l'année de la campagne + 1.",
        ),
        "signed_on": lambda: _date("La date de signature", required=True),
        "effective_from": lambda: _date("Effet à partir du (par défaut : date de signature)"),
        "effective_to": lambda: _date("Effet jusqu'au"),
        "duration_years": lambda: forms.IntegerField(
            label="Durée (années)", required=False, validators=[MinValueValidator(1)]
        ),
        "elected_official_name": lambda: _text("Élu signataire", required=True),
        "prefect_name": lambda: _text("Préfet signataire", required=True),
        "delegate_name": lambda: _text("Délégué interministériel signataire (facultatif)"),
        "coordinator_name": lambda: _text("Coordinateur : nom"),
        "coordinator_role": lambda: _text("Coordinateur : fonction"),
        "coordinator_contact": lambda: _text("Coordinateur : contact"),
        "coordinator_recruiting": lambda: forms.BooleanField(
            label="Coordinateur en cours de recrutement", required=False
        ),
    }
    return fields[name]()


class DiagnosisForm(SiteForm):
    bpi_count = forms.IntegerField(
        label="BPI (bénéficiaires de la protection internationale)", min_value=0, required=False
    )
    other_newcomers_count = forms.IntegerField(label="Autres primo-arrivants", min_value=0, required=False)
    existing_offer = forms.CharField(label="Offre existante", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    gaps = forms.CharField(label="Manques", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domains = list(Domain.objects.filter(is_active=True).order_by("position", "label"))
        for domain in self.domains:
            self.fields[f"besoin_{domain.code}"] = forms.CharField(
                label=f"Besoins : {domain.label}", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def diagnosis_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        needs = {d.code: data[f"besoin_{d.code}"].strip() for d in self.domains if data[f"besoin_{d.code}"].strip()}
        return {
            "bpi_count": data["bpi_count"],
            "other_newcomers_count": data["other_newcomers_count"],
            "existing_offer": data["existing_offer"],
            "gaps": data["gaps"],
            "needs_by_domain": needs,
        }


class DerogationForm(SiteForm):
    rule_id = forms.ChoiceField(label="Règle levée", choices=[(r, r) for r in CONTRACT_RULES])
    justification = forms.CharField(
        label="Justification écrite",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Écrivez la justification de la dérogation."},
    )
