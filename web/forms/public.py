"""The public side's forms: the eligibility questionnaire, the catalogue's filters, the contacts'
search, a préfecture's referents. Nothing the eligibility form receives is stored or logged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from programme.eligibility import Nationality, PermitReason, Person, Protection, Situation
from programme.models import Domain
from public.models import Referent
from referential.models import Department
from web.forms.base import FilterForm, SiteForm
from web.forms.picker import AuthorityPickerField

PUBLIC_CHOICES = [("", "Tous"), ("bpi", "BPI uniquement"), ("newcomers", "Tous les primo-arrivants")]
MONTHS = [
    (1, "janvier"),
    (2, "février"),
    (3, "mars"),
    (4, "avril"),
    (5, "mai"),
    (6, "juin"),
    (7, "juillet"),
    (8, "août"),
    (9, "septembre"),
    (10, "octobre"),
    (11, "novembre"),
    (12, "décembre"),
]


class EligibilityForm(SiteForm):
    nationality = forms.ChoiceField(
        label="Nationalité de la personne", choices=Nationality.choices, widget=forms.RadioSelect
    )
    protection = forms.ChoiceField(
        label="Protection internationale accordée",
        help_text="Par l'OFPRA ou la CNDA.",
        choices=Protection.choices,
        initial=Protection.NONE,
        widget=forms.RadioSelect,
    )
    situation = forms.ChoiceField(
        label="Situation administrative",
        choices=[("", "Choisir"), *list(Situation.choices)],
        required=False,
    )
    permit_reason = forms.ChoiceField(
        label="Motif du titre de séjour",
        help_text="Si la personne a un titre de séjour.",
        choices=[("", "Choisir"), *list(PermitReason.choices)],
        required=False,
    )
    first_permit_month = forms.TypedChoiceField(
        label="Mois de délivrance du premier titre de séjour",
        choices=[("", "Choisir"), *MONTHS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    first_permit_year = forms.IntegerField(
        label="Année de délivrance du premier titre de séjour",
        help_text="Par exemple : 2022.",
        min_value=1950,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nationality = data.get("nationality")
        if nationality != Nationality.THIRD_COUNTRY or data.get("protection") not in (None, "", Protection.NONE):
            return data
        situation = data.get("situation")
        if not situation:
            self.add_error("situation", "Indiquez la situation administrative de la personne.")
            return data
        if situation != Situation.PERMIT:
            return data
        if not data.get("permit_reason"):
            self.add_error("permit_reason", "Indiquez le motif du titre de séjour.")
            return data
        if data["permit_reason"] in (PermitReason.STUDENT, PermitReason.OTHER):
            return data
        year, month = data.get("first_permit_year"), data.get("first_permit_month")
        if year is None:
            self.add_error("first_permit_year", "Indiquez l'année du premier titre de séjour.")
            return data
        first = date(year, month or 1, 1)
        if first > timezone.localdate():
            self.add_error("first_permit_year", "La date du premier titre de séjour ne peut pas être dans le futur.")
            return data
        data["first_permit_on"] = first
        return data

    def person(self) -> Person:
        data = self.cleaned_data
        return Person(
            nationality=data["nationality"],
            situation=data.get("situation") or "",
            permit_reason=data.get("permit_reason") or "",
            first_permit_on=data.get("first_permit_on"),
            protection=data.get("protection") or Protection.NONE,
        )


class CatalogueFilterForm(FilterForm):
    q = forms.CharField(label="Rechercher", required=False, max_length=100, help_text="Par exemple : logement.")
    domain = forms.ModelChoiceField(
        label="Domaine",
        queryset=Domain.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label="Tous",
    )
    department = forms.ModelChoiceField(
        label="Département", queryset=Department.objects.all(), to_field_name="code", required=False, empty_label="Tous"
    )
    year = forms.IntegerField(label="Année", required=False, min_value=2019, max_value=2100)
    public = forms.ChoiceField(label="Public", choices=PUBLIC_CHOICES, required=False)
    min_amount = forms.DecimalField(
        label="Montant minimum (€)", required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2
    )


class ContactSearchForm(FilterForm):
    q = forms.CharField(
        label="Code postal ou commune",
        help_text="Par exemple : 38000 ou Grenoble.",
        max_length=100,
        required=False,
    )


class ReferentForm(SiteForm, forms.ModelForm):  # type: ignore[misc]
    class Meta:
        model = Referent
        fields = ["department", "service", "role", "email", "phone", "position"]

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class AccountRequestForm(SiteForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        help_text="Celle de la collectivité : l'invitation y sera envoyée.",
        max_length=254,
    )
    authority = AuthorityPickerField(
        label="Collectivité", help_text="Nom, code INSEE, SIREN ou code postal de la collectivité où vous travaillez."
    )
    function = forms.CharField(
        label="Fonction", max_length=200, help_text="Par exemple : chargée de mission cohésion sociale."
    )


class RefusalForm(SiteForm):
    reason = forms.CharField(
        label="Motif du refus",
        help_text="Il est envoyé à la personne par courriel.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
