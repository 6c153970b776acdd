"""The spreadsheet upload form of the contract import."""

from __future__ import annotations

from typing import Any

from django import forms

from imports.ds.sync import FILES, TARGETS
from imports.services import MAX_BYTES
from programme.models import Campaign
from web.forms.base import SiteForm


class ContractImportForm(SiteForm):
    file = forms.FileField(
        label="Tableur des contrats",
        help_text=(
            "CSV (séparateur virgule ou point-virgule, UTF-8) ou classeur XLSX, 5 Mo au plus ; les colonnes "
            "attendues sont décrites sous le formulaire."
        ),
        error_messages={"required": "Choisissez le fichier à importer."},
    )
    partial = forms.BooleanField(
        label="Importer les bonnes lignes même si d'autres sont ambiguës ou refusées",
        required=False,
        help_text="Sans cette case, un fichier dont une ligne est refusée n'écrit rien.",
    )

    def clean_file(self) -> bytes:
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Envoyez un fichier CSV ou XLSX.", code="extension")
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError("Le fichier dépasse 5 Mo : découpez-le.", code="file_too_big")
        content: bytes = uploaded.read()
        return content


class DemarcheConnectForm(SiteForm):
    """Connect a démarche of Démarches Simplifiées (or connect it again with a new token)."""

    number = forms.IntegerField(
        label="Numéro de la démarche",
        min_value=1,
        max_value=2_147_483_647,
        help_text="Le numéro affiché dans l'adresse de la démarche sur Démarches Simplifiées.",
        error_messages={"required": "Indiquez le numéro de la démarche.", "invalid": "Un numéro entier."},
    )
    token = forms.CharField(
        label="Jeton d'API",
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=(
            "Créé par un administrateur de la démarche (Mon profil → Jeton d'API). Il est gardé chiffré et "
            "n'est jamais réaffiché : pour le changer, saisissez-en un nouveau."
        ),
        error_messages={"required": "Saisissez le jeton d'API de la démarche."},
    )
    campaign = forms.ModelChoiceField(
        label="Campagne des PTAI",
        queryset=Campaign.objects.order_by("-year"),
        help_text="La campagne dont les brouillons de PTAI créés depuis cette démarche relèvent.",
        error_messages={"required": "Choisissez la campagne."},
    )
    write_back = forms.BooleanField(
        label="Reporter les décisions sur Démarches Simplifiées",
        required=False,
        help_text="Un PTAI validé par le Ministère ou refusé ici est accepté ou refusé sur le dossier, avec le motif.",
    )
    instructeur_id = forms.CharField(
        label="Identifiant DS de l'instructeur qui signe les décisions",
        max_length=100,
        required=False,
        help_text="Nécessaire au report des décisions (identifiant GraphQL de l'instructeur sur la démarche).",
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("write_back") and not cleaned.get("instructeur_id"):
            self.add_error("instructeur_id", "Pour reporter les décisions, donnez l'identifiant DS de l'instructeur.")
        return cleaned


# The types of the démarche's fields, as an administrator reads them (GraphQL type → French).
FIELD_TYPES = {
    "TextChampDescriptor": "Texte court",
    "TextareaChampDescriptor": "Texte long",
    "IntegerNumberChampDescriptor": "Nombre entier",
    "DecimalNumberChampDescriptor": "Nombre décimal",
    "DateChampDescriptor": "Date",
    "DatetimeChampDescriptor": "Date et heure",
    "EmailChampDescriptor": "Adresse électronique",
    "PhoneChampDescriptor": "Téléphone",
    "SiretChampDescriptor": "SIRET",
    "CommuneChampDescriptor": "Commune",
    "EpciChampDescriptor": "EPCI",
    "DepartementChampDescriptor": "Département",
    "DropDownListChampDescriptor": "Liste déroulante",
    "YesNoChampDescriptor": "Oui / non",
    "CheckboxChampDescriptor": "Case à cocher",
    "PieceJustificativeChampDescriptor": "Pièce justificative",
    "HeaderSectionChampDescriptor": "Titre de section",
    "ExplicationChampDescriptor": "Explication",
}
FILE_TYPE = "PieceJustificativeChampDescriptor"


def field_type_label(typename: str) -> str:
    return FIELD_TYPES.get(typename, typename.removesuffix("ChampDescriptor"))


class DemarcheMappingForm(SiteForm):
    """One choice per field of the démarche: the PTAI field it fills, or nothing."""

    def __init__(self, *args: Any, fields: list[dict[str, str]], mapping: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.descriptors = fields
        for descriptor in fields:
            is_file = descriptor["type"] == FILE_TYPE
            choices = [("", "Ne pas reprendre")] + [
                (name, label) for name, label in TARGETS.items() if (name == FILES) == is_file
            ]
            self.fields[f"champ-{descriptor['id']}"] = forms.ChoiceField(
                label=descriptor["label"],
                help_text=f"Type sur Démarches Simplifiées : {field_type_label(descriptor['type'])}.",
                choices=choices,
                required=False,
                initial=mapping.get(descriptor["id"], ""),
            )

    def mapping(self) -> dict[str, str]:
        chosen = {d["id"]: self.cleaned_data.get(f"champ-{d['id']}") or "" for d in self.descriptors}
        return {descriptor: target for descriptor, target in chosen.items() if target}
