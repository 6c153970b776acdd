"""The spreadsheet upload form of the contract import."""

from __future__ import annotations

from django import forms

from imports.services import MAX_BYTES
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
