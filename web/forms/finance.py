"""Forms of the budget pages: delegate, reverse, open credits, and the ledger filters.

Amounts accept French formats ("150 000", "1 234,50"); the checks are those of
`finance.services.parse_amount`, so the page and the service refuse the same amounts with the same
French message, shown beside the amount field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from core.formats import format_euros
from core.numbers import parse_euros
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region, scope_of
from web.forms.base import FilterForm, SiteForm
from web.forms.fields import MoneyField


class DelegateForm(SiteForm):
    """Delegate credits from `source` to a région or a département (a régional envelope: its départements)."""

    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.none(), required=False, empty_label="Choisir une région"
    )
    department = forms.ModelChoiceField(
        label="Département", queryset=Department.objects.none(), required=False, empty_label="Choisir un département"
    )
    amount = MoneyField()
    reason = forms.CharField(label="Motif", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, source: Envelope, available: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.available = available
        if source.level == EnvelopeLevel.REGION:
            del self.fields["region"]
            self.fields["department"].queryset = Department.objects.filter(region=source.region).order_by("code")
            self.fields["department"].required = True
            self.fields["department"].error_messages["required"] = "Choisissez un département."
        else:
            self.fields["region"].queryset = Region.objects.order_by("name")
            self.fields["department"].queryset = Department.objects.order_by("code")
            self.fields["region"].help_text = "Ou un département, ci-dessous : l'un ou l'autre."
        self.fields["department"].label_from_instance = lambda d: f"{d.code} — {d.name}"

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount > self.available:
            raise forms.ValidationError(
                f"Impossible de déléguer {format_euros(amount)} : il reste {format_euros(self.available)} "
                f"à engager sur l'enveloppe {self.source}.",
                code="beyond_available",
            )
        return amount

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if "region" in self.fields:
            region, department = cleaned.get("region"), cleaned.get("department")
            if (
                "region" not in self.errors
                and "department" not in self.errors
                and (region is None) == (department is None)
            ):
                self.add_error("region", "Choisissez une région ou un département (l'un des deux).")
        target = cleaned.get("department") or cleaned.get("region")
        if target is not None and not self.errors:
            scope = {"department": target} if isinstance(target, Department) else {"region": target}
            fed = (
                Envelope.objects.filter(
                    campaign_id=self.source.campaign_id, budget_line_id=self.source.budget_line_id, **scope
                )
                .exclude(parent_id=self.source.pk)
                .select_related("parent__region", "parent__department", "parent__campaign", "parent__budget_line")
                .first()
            )
            if fed is not None and fed.parent is not None:
                field = "department" if isinstance(target, Department) else "region"
                self.add_error(
                    field,
                    f"{target} reçoit déjà ses crédits de l'enveloppe {fed.parent} : déléguez depuis celle-ci.",
                )
        return cleaned

    @property
    def target(self) -> Region | Department:
        target: Region | Department = self.cleaned_data.get("department") or self.cleaned_data["region"]
        return target


class ReverseForm(SiteForm):
    reason = forms.CharField(
        label="Motif de l'annulation",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de l'annulation."},
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Indiquez le motif de l'annulation.")
        return reason


class OpenCreditsForm(SiteForm):
    """Open credits on a budget line, within what is left of the campaign's national envelope."""

    budget_line = forms.ChoiceField(label="Ligne budgétaire")
    amount = MoneyField()
    reason = forms.CharField(label="Motif", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, campaign: Campaign, lines: list[BudgetLine], left: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.lines = {str(line.pk): line for line in lines}
        self.left = left
        self.fields["budget_line"].choices = [("", "Choisir une ligne")] + [
            (str(line.pk), f"{line.code} — {line.label}") for line in lines
        ]
        self.fields["budget_line"].error_messages["required"] = "Choisissez une ligne budgétaire."

    def clean_budget_line(self) -> BudgetLine:
        return self.lines[self.cleaned_data["budget_line"]]

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount > self.left:
            raise forms.ValidationError(
                f"L'enveloppe nationale {self.campaign.year} est de {format_euros(self.campaign.national_envelope)} : "
                f"il reste {format_euros(self.left)} à ouvrir.",
                code="beyond_national_envelope",
            )
        return amount


class FilterAmountField(forms.CharField):
    """A bound of a filter: any amount (reversals are negative), French formats accepted; empty: none."""

    def clean(self, value: Any) -> Decimal | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        negative = text.startswith(("-", "\u2212"))
        amount = parse_euros(text[1:] if negative else text, allow_zero=True)  # the one French reader
        return -amount if negative else amount


class EntryFilterForm(FilterForm):
    """Filters of a list of ledger entries (GET: the filtered page has its own address)."""

    kind = forms.ChoiceField(label="Mouvement", required=False, choices=[("", "Tous"), *EntryKind.choices])
    date_from = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount_min = FilterAmountField(label="Montant minimum (€)", required=False, max_length=30)
    amount_max = FilterAmountField(label="Montant maximum (€)", required=False, max_length=30)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "La date de fin précède la date de début.")
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "Le montant maximum est inférieur au montant minimum.")
        return cleaned

    def filter(self, entries: QuerySet[Any]) -> QuerySet[Any]:
        """The entries that pass the filters (all of them when the form is unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        if data.get("kind"):
            entries = entries.filter(kind=data["kind"])
        if data.get("date_from"):
            entries = entries.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(created_at__date__lte=data["date_to"])
        if data.get("amount_min") is not None:
            entries = entries.filter(amount__gte=data["amount_min"])
        if data.get("amount_max") is not None:
            entries = entries.filter(amount__lte=data["amount_max"])
        return entries


class LedgerFilterForm(EntryFilterForm):
    """The ledger's filters: the entry filters, plus year, budget line and territory."""

    year = forms.TypedChoiceField(label="Campagne", required=False, coerce=int, empty_value=None)
    budget_line = forms.ModelChoiceField(
        label="Ligne budgétaire", queryset=BudgetLine.objects.order_by("code"), required=False, empty_label="Toutes"
    )
    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.none(), required=False, empty_label="Toutes"
    )
    department = forms.ModelChoiceField(
        label="Département", queryset=Department.objects.none(), required=False, empty_label="Tous"
    )

    field_order = ["year", "budget_line", "region", "department", "kind", "date_from", "date_to"]

    def __init__(self, *args: Any, user: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Toutes"), *((str(y), str(y)) for y in years)]
        scope = scope_of(user)
        if scope.national:
            self.fields["region"].queryset = Region.objects.order_by("name")
            self.fields["department"].queryset = Department.objects.order_by("code")
        else:
            self.fields["region"].queryset = Region.objects.filter(pk__in=scope.region_ids).order_by("name")
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=scope.department_ids
            ) | Department.objects.filter(region_id__in=scope.region_ids)
            if not scope.region_ids:
                del self.fields["region"]
        self.fields["department"].label_from_instance = lambda d: f"{d.code} — {d.name}"

    def filter(self, entries: QuerySet[Any]) -> QuerySet[Any]:
        entries = super().filter(entries)
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        if data.get("year"):
            entries = entries.filter(envelope__campaign__year=data["year"])
        if data.get("budget_line"):
            entries = entries.filter(envelope__budget_line=data["budget_line"])
        if data.get("region"):
            region = data["region"]
            entries = entries.filter(Q(envelope__region=region) | Q(envelope__department__region=region))
        if data.get("department"):
            entries = entries.filter(envelope__department=data["department"])
        return entries
