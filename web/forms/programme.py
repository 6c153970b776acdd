"""Forms of the programme pages: a campaign's parameters, a domain's or a priority's label
(administrators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from programme.enums import SIGNATORY_CHOICES, ComplementRule
from programme.models import BudgetLine, Campaign, Domain
from web.forms.base import SiteForm
from web.forms.fields import MoneyField


def _amount(label: str, help_text: str = "") -> MoneyField:
    return MoneyField(label=label, help_text=help_text, allow_zero=True)


class CampaignForm(SiteForm):
    """Every parameter of a campaign year; cross-field checks in French beside the field."""

    national_envelope = _amount(
        "Enveloppe nationale (€)",
        "2021 : 9 000 000 € (plaquette). 2022 : même montant, faute de texte (hypothèse documentée).",
    )
    budget_lines = forms.ModelMultipleChoiceField(
        label="Lignes budgétaires",
        queryset=BudgetLine.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une ligne budgétaire."},
    )
    base_min = _amount("Socle CTAI minimum (€)", "Plaquette 2021 : 150 000 €.")
    base_max = _amount("Socle CTAI maximum (€)", "Plaquette 2021 : 300 000 €.")
    complement_rule = forms.ChoiceField(label="Règle des crédits complémentaires", choices=ComplementRule.choices)
    complement_cap = _amount(
        "Plafond des crédits complémentaires (€)",
        "Non fixé par la plaquette : 150 000 € retenus (hypothèse documentée). "
        "Complément ≤ socle × autres primo-arrivants prévus ÷ BPI prévus, dans la limite de ce plafond.",  # noqa: RUF001
    )
    letter_deadline = forms.DateField(
        label="Date limite de la lettre d'engagement",
        help_text="Pour une signature du CTAI l'année suivante. Format : jj/mm/aaaa.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    ctai_mandatory_domains = forms.ModelMultipleChoiceField(
        label="Domaines obligatoires d'un CTAI et de ses programmations",
        queryset=Domain.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ctai_min_domains = forms.IntegerField(label="Nombre minimum de domaines d'un CTAI", min_value=0, max_value=14)
    ptai_mandatory_domains = forms.ModelMultipleChoiceField(
        label="Domaines obligatoires d'un PTAI",
        queryset=Domain.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ptai_min_domains = forms.IntegerField(label="Nombre minimum de domaines d'un PTAI", min_value=0, max_value=14)
    signatory_natures = forms.MultipleChoiceField(
        label="Signataires de CTAI sans justification",
        help_text="Les autres signataires sont possibles avec une justification écrite (dérogation).",
        choices=SIGNATORY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evaluation_threshold = _amount(
        "Seuil d'évaluation qualitative (€)",
        "Non fixé par la plaquette : 100 000 € retenus (hypothèse documentée).",
    )
    bpi_only_needs_justification = forms.BooleanField(
        label="Un PTAI réservé aux BPI exige une justification et une perspective d'élargissement",
        required=False,
    )
    advance_rate = forms.DecimalField(
        label="Part de l'avance (%)", max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100")
    )
    newcomer_horizon_years = forms.IntegerField(
        label="Horizon du primo-arrivant (années après le premier titre de séjour)", min_value=1, max_value=20
    )
    small_count_threshold = forms.IntegerField(
        label="Seuil de secret des petits effectifs",
        help_text="Aucun nombre de personnes inférieur à ce seuil n'est publié.",
        min_value=1,
        max_value=1000,
    )
    notes = forms.CharField(
        label="Notes et hypothèses", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )

    FIELDS = (
        "national_envelope", "budget_lines", "base_min", "base_max", "complement_rule", "complement_cap",
        "letter_deadline", "ctai_mandatory_domains", "ctai_min_domains", "ptai_mandatory_domains",
        "ptai_min_domains", "signatory_natures", "evaluation_threshold", "bpi_only_needs_justification",
        "advance_rate", "newcomer_horizon_years", "small_count_threshold", "notes",
    )  # fmt: skip

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        self.campaign = campaign
        initial = {name: getattr(campaign, name) for name in self.FIELDS}
        for name in ("budget_lines", "ctai_mandatory_domains", "ptai_mandatory_domains"):
            initial[name] = list(getattr(campaign, name).all())
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        base_min, base_max = data.get("base_min"), data.get("base_max")
        if base_min is not None and base_max is not None and base_min > base_max:
            self.add_error("base_max", "Le socle maximum doit être supérieur ou égal au socle minimum.")
        deadline = data.get("letter_deadline")
        if deadline is not None and deadline.year != self.campaign.year:
            self.add_error(
                "letter_deadline",
                f"La date limite tombe en {self.campaign.year}, pour une signature en {self.campaign.year + 1}.",
            )
        for prefix in ("ctai", "ptai"):
            mandatory = data.get(f"{prefix}_mandatory_domains")
            minimum = data.get(f"{prefix}_min_domains")
            if mandatory is not None and minimum is not None and minimum < len(mandatory):
                self.add_error(
                    f"{prefix}_min_domains",
                    "Le nombre minimum de domaines ne peut pas être inférieur au nombre de domaines obligatoires.",
                )
        cap = data.get("complement_cap")
        if data.get("complement_rule") == ComplementRule.NONE and cap:
            self.add_error("complement_cap", "Sans crédits complémentaires, le plafond est de 0 €.")
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned values, as `programme.services.update_campaign` takes them."""
        values = {name: self.cleaned_data[name] for name in self.FIELDS}
        values["signatory_natures"] = sorted(values["signatory_natures"])
        return values


class DomainForm(SiteForm):
    label = forms.CharField(label="Libellé", max_length=120)


class PriorityForm(SiteForm):
    label = forms.CharField(label="Libellé", max_length=200)


class IndicatorForm(SiteForm):
    """One indicator of a campaign's report set (its code only when it is added)."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="Minuscules, chiffres et « _ » ; il ne change plus (exports, API).",
    )
    label = forms.CharField(label="Libellé", max_length=160)
    group = forms.CharField(label="Rubrique", max_length=80, required=False)
    position = forms.IntegerField(label="Ordre", min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label="Actif (demandé dans les nouveaux bilans)", required=False, initial=True)

    def __init__(self, *args: Any, adding: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not adding:
            del self.fields["code"]
