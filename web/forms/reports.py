"""The report form: one count per indicator of the report's own set, the narrative, the spending."""

from __future__ import annotations

from typing import Any

from django import forms

from reporting.models import Report
from web.forms.base import FilterForm, SiteForm
from web.forms.fields import CountField, MoneyField

PERSONAL_DATA_NOTICE = (
    "Saisissez uniquement des nombres agrégés : aucune donnée personnelle sur les personnes "
    "accompagnées (ni nom, ni date de naissance, ni situation individuelle) ne doit figurer dans ce bilan."
)


class ReportForm(SiteForm):
    narrative = forms.CharField(
        label="Bilan qualitatif",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        help_text="Ce qui a été fait, les difficultés, les partenariats. Sans aucune donnée personnelle.",
    )
    spent_amount = MoneyField(label="Dépensé sur la période (€)", required=False, allow_zero=True)

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        initial = {**report.values, "narrative": report.narrative, "spent_amount": report.spent_amount}
        super().__init__(*args, initial=initial, **kwargs)
        indicator_fields = {}
        for item in report.indicator_set:
            label = f"{item['group']} — {item['label']}" if item.get("group") else item["label"]
            indicator_fields[item["code"]] = CountField(label=label, required=False)
        self.fields = {**indicator_fields, **self.fields}
        self.indicator_codes = list(indicator_fields)

    def values(self) -> dict[str, Any]:
        return {code: self.cleaned_data.get(code) for code in self.indicator_codes}


class ReportReviewForm(SiteForm):
    reason = forms.CharField(
        label="Compléments demandés ou observations",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )


class ReportFilterForm(FilterForm):
    etat = forms.ChoiceField(label="État", required=False)
    periode = forms.ChoiceField(label="Période", required=False)
    retard = forms.BooleanField(label="En retard seulement", required=False)
    departement = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from reporting.enums import Period, ReportState

        super().__init__(*args, **kwargs)
        self.fields["etat"].choices = [("", "Tous"), *ReportState.choices]  # type: ignore[attr-defined]
        self.fields["periode"].choices = [("", "Toutes"), *Period.choices]  # type: ignore[attr-defined]
