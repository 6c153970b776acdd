"""Forms of the CTAI pages: the list's filters, a new contract, a transition, the diagnostic, the
coordinator, a derogation, the contract's documents and text (uploads checked by their content)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.validators import MinValueValidator

from accounts.enums import Role
from contracts.enums import AmendmentObject, ContractKind, ContractState
from documents.uploads import InspectedFile, inspect_upload, max_bytes
from programme.models import Campaign, Domain
from programme.rules import RULES_BY_ID
from referential.models import Authority, Department
from web.forms.base import FilterForm, SiteForm
from web.forms.fields import CountField
from web.forms.picker import AuthorityPickerField
from web.forms.projects import DATE_WIDGET, agent_authorities

STATE_CREATORS = (Role.PREFECT, Role.DIAIR)
CONTRACT_RULES = ("ctai.signatory.type", "ctai.letter.deadline")


# Sort keys of the CTAI list (`?tri=-signe`) → fields.
CONTRACT_SORTS = {
    "date": "created_at",
    "collectivite": "authority__name",
    "departement": "department__code",
    "annee": "campaign__year",
    "etat": "state",
    "signe": "signed_on",
}


class ContractFilterForm(FilterForm):
    etat = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *ContractState.choices])
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous"), *ContractKind.choices])
    departement = forms.ModelChoiceField(
        label="Département", required=False, queryset=Department.objects.order_by("code"), empty_label="Tous"
    )
    annee = forms.TypedChoiceField(label="Campagne", coerce=int, required=False, empty_value=None)
    q = forms.CharField(label="Collectivité ou titre", required=False, max_length=100)
    tri = forms.ChoiceField(
        required=False,
        choices=[(f"{sign}{key}", key) for key in CONTRACT_SORTS for sign in ("", "-")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = Campaign.objects.order_by("-year").values_list("year", flat=True)
        self.fields["annee"].choices = [("", "Toutes"), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]


class ContractCreateForm(SiteForm):
    """The collectivité (agents: among their own; State roles: the picker within their scope). A CTAI
    that widens a CTAIR is not opened here: it starts from the declaration of intent, on the CTAIR's
    page (F16)."""

    kind = forms.ChoiceField(label="Type de contrat", choices=ContractKind.choices, initial=ContractKind.CTAI)
    title = forms.CharField(label="Titre", required=False, max_length=200)
    campaign = forms.ModelChoiceField(label="Campagne", queryset=Campaign.objects.order_by("-year"), empty_label=None)

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
        self.order_fields(["authority", "kind", "title", "campaign"])


def _date(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        error_messages={"required": f"Indiquez {label.lower()}.", "invalid": "Date invalide (AAAA-MM-JJ)."},
    )


def _text(label: str, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=200)


# The inputs of the contract's transitions (`contracts.workflow.FORMS`), for the one transition form
# (`web.forms.workflow.WorkflowTransitionForm`).
CONTRACT_INPUTS: dict[str, Callable[[], forms.Field]] = {
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
    "delegate_name": lambda: _text("Délégué interministériel signataire"),
    # F20: the collectivité MAY name or recruit a coordinator; none is needed to sign.
    "coordinator_name": lambda: _text("Coordinateur dédié : nom"),
    "coordinator_role": lambda: _text("Coordinateur : fonction"),
    "coordinator_contact": lambda: _text("Coordinateur : contact"),
    "coordinator_recruiting": lambda: forms.BooleanField(label="Coordinateur en cours de recrutement", required=False),
    # declare_widening (F16): when the collectivité told the préfet of its intention.
    "declared_on": lambda: _date("La date de la déclaration (par défaut : aujourd'hui)"),
    # amend (the amendment it opens, F24)
    "objects_changed": lambda: forms.MultipleChoiceField(
        label="Ce que l'avenant modifie",
        choices=AmendmentObject.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez ce que l'avenant modifie."},
    ),
    "new_effective_to": lambda: _date("Nouvelle fin d'effet du contrat (si l'avenant change les dates)"),
    "new_duration_years": lambda: forms.IntegerField(
        label="Nouvelle durée du contrat (années)", required=False, validators=[MinValueValidator(1)]
    ),
}


# The inputs of an amendment's transitions (`contracts.amendments.FORMS`), for the one transition page.
AMENDMENT_INPUTS = {"signed_on": lambda: _date("La date de signature de l'avenant", required=True)}


class DiagnosisForm(SiteForm):
    bpi_count = CountField(label="BPI (bénéficiaires de la protection internationale)", required=False)
    other_newcomers_count = CountField(label="Autres primo-arrivants", required=False)
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


class CoordinatorForm(SiteForm):
    """F20: the dedicated coordinator the collectivité MAY name or recruit — named, being recruited, or
    none (all blank)."""

    name = forms.CharField(label="Nom du coordinateur", required=False, max_length=200)
    role = forms.CharField(label="Fonction", required=False, max_length=200)
    contact = forms.CharField(label="Contact (adresse électronique ou téléphone)", required=False, max_length=200)
    recruiting = forms.BooleanField(
        label="En cours de recrutement",
        required=False,
        help_text="Cochez si la collectivité recrute son coordinateur (laissez alors le nom vide).",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("name", "").strip()
        described = data.get("role", "").strip() or data.get("contact", "").strip()
        if name and data.get("recruiting"):
            self.add_error("recruiting", "Un coordinateur nommé n'est pas en cours de recrutement.")
        elif described and not name and not data.get("recruiting"):
            self.add_error("name", "Indiquez le nom du coordinateur.")
        return data


class DerogationForm(SiteForm):
    rule_id = forms.ChoiceField(
        label="Règle levée", choices=[(r, RULES_BY_ID[r].summary) for r in CONTRACT_RULES], widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label="Justification écrite",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Écrivez la justification de la dérogation."},
    )


# --- Documents and text of the contract, amendments' scans -------------------------------------


class DocumentUploadForm(SiteForm):
    """A file checked by its content (`documents.uploads.inspect_upload`): the refusal appears
    beside the field. With `kinds`, the person also says which document it is."""

    file = forms.FileField(label="Fichier", error_messages={"required": "Choisissez le fichier à joindre."})

    def __init__(self, *args: Any, kinds: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inspected: InspectedFile | None = None
        self.fields["file"].help_text = (
            "PDF, image (PNG, JPEG), document bureautique (ODT, ODS, DOCX, XLSX), texte ou CSV ; "
            f"{max_bytes() // (1024 * 1024)} Mo au plus."
        )
        if kinds is not None:
            self.fields["kind"] = forms.ChoiceField(
                label="Nature du document",
                choices=kinds,
                error_messages={"required": "Choisissez la nature du document.", "invalid_choice": "Choix invalide."},
            )
            self.order_fields(["kind", "file"])

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        self.inspected = inspect_upload(uploaded)
        return uploaded


class ContractTextForm(SiteForm):
    text = forms.CharField(
        label="Texte du contrat",
        widget=forms.Textarea(attrs={"rows": 30}),
        max_length=100_000,
        help_text="Pré-rempli à partir du modèle ; complétez ce qui est entre crochets.",
        error_messages={"required": "Le texte du contrat est vide."},
    )
