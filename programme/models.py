"""The programme as data: one Campaign (millésime) per year with every parameter, the domains."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField
from programme.enums import BudgetLineCode, ComplementRule

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class DomainQuerySet(models.QuerySet["Domain"]):
    def matching(self, values: Any) -> list[Domain] | None:
        """The domains of this queryset named by `values` (Domain objects or codes); None when one
        of them is not in it (unknown, inactive, not among a call's…)."""
        codes = {d.code if isinstance(d, Domain) else str(d) for d in values or ()}
        found = list(self.filter(code__in=codes))
        return found if len(found) == len(codes) else None


class Domain(models.Model):
    """An integration field (axe): logement, santé… Codes are stable, labels editable."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=120)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("actif", default=True)

    objects = DomainQuerySet.as_manager()

    class Meta:
        ordering = ["position", "label"]
        verbose_name = "domaine"

    def __str__(self) -> str:
        return self.label


class Priority(models.Model):
    """A priority of the national strategy for the reception and integration of refugees (stratégie
    nationale pour l'accueil et l'intégration des personnes réfugiées, 5 June 2018): each CTAI action
    names the one it serves (F13), the Diair checks it (F22). Codes are stable, labels editable by
    administrators, as the domains'. Seeded by `programme/migrations/0005_seed_strategy_priorities.py`."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=200)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["position", "label"]
        verbose_name = "priorité de la stratégie nationale"
        verbose_name_plural = "priorités de la stratégie nationale"

    def __str__(self) -> str:
        return self.label


class BudgetLine(models.Model):
    """A budget line of programme 104 (action 15: réfugiés; action 12: autres primo-arrivants)."""

    code = models.CharField("code", max_length=10, unique=True, choices=BudgetLineCode.choices)
    label = models.CharField("libellé", max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = "ligne budgétaire"

    def __str__(self) -> str:
        return self.label


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def with_parameters(self) -> CampaignQuerySet:
        """Everything `rules()` and the campaign page read, in a fixed number of queries."""
        return self.prefetch_related("budget_lines", "ctai_mandatory_domains", "ptai_mandatory_domains")

    def current(self) -> Campaign | None:
        """The campaign of this year, or the latest before it (the one files are filed on now); the
        first campaign when all are in the future."""
        year = timezone.localdate().year
        return self.filter(year__lte=year).order_by("-year").first() or self.order_by("year").first()

    def current_year(self) -> int:
        """The year of the campaign open now: this year's, or the latest before it; this year when none."""
        year = timezone.localdate().year
        latest = self.filter(year__lte=year).order_by("-year").values_list("year", flat=True).first()
        return latest if latest is not None else year


class Campaign(models.Model):
    """A year of the programme with all its rules. Decisions copy what they use (`rules()`)."""

    year = models.PositiveSmallIntegerField(
        "année", unique=True, validators=[MinValueValidator(2019), MaxValueValidator(2100)]
    )
    national_envelope = models.DecimalField("enveloppe nationale (€)", **MONEY)  # type: ignore[arg-type]
    budget_lines = models.ManyToManyField(BudgetLine, verbose_name="lignes budgétaires")
    base_min = models.DecimalField("socle CTAI minimum (€)", **MONEY)  # type: ignore[arg-type]
    base_max = models.DecimalField("socle CTAI maximum (€)", **MONEY)  # type: ignore[arg-type]
    complement_rule = models.CharField(
        "règle des crédits complémentaires",
        max_length=20,
        choices=ComplementRule.choices,
        default=ComplementRule.PROPORTIONAL,
    )
    complement_cap = models.DecimalField("plafond des crédits complémentaires (€)", **MONEY)  # type: ignore[arg-type]
    letter_deadline = models.DateField(
        "date limite de la lettre d'engagement", help_text="Pour une signature du CTAI l'année suivante."
    )
    ctai_mandatory_domains = models.ManyToManyField(
        Domain, blank=True, related_name="mandatory_in_ctai", verbose_name="domaines obligatoires (CTAI)"
    )
    ctai_min_domains = models.PositiveSmallIntegerField("nombre minimum de domaines (CTAI)", default=1)
    ptai_mandatory_domains = models.ManyToManyField(
        Domain, blank=True, related_name="mandatory_in_ptai", verbose_name="domaines obligatoires (PTAI)"
    )
    ptai_min_domains = models.PositiveSmallIntegerField("nombre minimum de domaines (PTAI)", default=1)
    signatory_natures = models.JSONField(
        "signataires de CTAI sans justification",
        default=list,
        blank=True,
        help_text="Natures d'EPCI (METRO, MET69, CU…) et types de collectivité (departement, region).",
    )
    evaluation_threshold = models.DecimalField("seuil d'évaluation qualitative (€)", **MONEY)  # type: ignore[arg-type]
    bpi_only_needs_justification = models.BooleanField(
        "un PTAI réservé aux BPI exige une justification et une perspective d'élargissement", default=True
    )
    advance_rate = models.DecimalField(
        "part de l'avance (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    # The public side (F02, F04-F06 and the open data): how long after the first residence permit a
    # person is still a primo-arrivant, and under which count a number of people is never shown.
    newcomer_horizon_years = models.PositiveSmallIntegerField(
        "horizon du primo-arrivant (années)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Un étranger est primo-arrivant pendant ce nombre d'années après son premier titre de séjour.",
    )
    small_count_threshold = models.PositiveSmallIntegerField(
        "seuil de secret des petits effectifs",
        default=11,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Aucun nombre de personnes inférieur à ce seuil n'est publié (pages publiques, données ouvertes).",
    )
    notes = BoundedTextField(
        "notes et hypothèses",
        blank=True,
        default="",
        help_text="Sources des paramètres et valeurs choisies faute de texte (plafond, seuil…).",
    )

    objects = CampaignQuerySet.as_manager()
    # The national envelope is money: its every change is kept (who, when, before/after).
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        ordering = ["-year"]
        verbose_name = "campagne"
        constraints = [
            models.CheckConstraint(condition=Q(base_min__lte=F("base_max")), name="campaign_base_bounds_ordered"),
            models.CheckConstraint(
                condition=Q(advance_rate__gte=0) & Q(advance_rate__lte=100), name="campaign_advance_rate_percent"
            ),
            models.CheckConstraint(
                condition=Q(national_envelope__gte=0)
                & Q(base_min__gte=0)
                & Q(complement_cap__gte=0)
                & Q(evaluation_threshold__gte=0),
                name="campaign_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Campagne {self.year}"

    def opened_credits(self) -> Decimal:
        """The credits opened on this year's national envelopes (the ledger's allocations, reversals
        included). Read through the envelopes' relation: `finance` sits beside `programme` and
        writes them; the national envelope can never be set below this."""
        total = (
            self.envelopes.filter(level="national", entries__kind="allocation")
            .aggregate(total=models.Sum("entries__amount"))
            .get("total")
        )
        return Decimal("0.00") if total is None else Decimal(total).quantize(Decimal("0.01"))

    def rules(self) -> dict[str, Any]:
        """Every parameter as plain JSON data: what a decision records, so later edits never change it.

        `programme.rules.check()` reads this dict, never the model: a decision re-checked later
        uses the rules of its own year as they were when it was taken.
        """
        ctai_domains = sorted(self.ctai_mandatory_domains.all(), key=lambda d: d.code)
        ptai_domains = sorted(self.ptai_mandatory_domains.all(), key=lambda d: d.code)
        return {
            "year": self.year,
            "national_envelope": str(self.national_envelope),
            "budget_lines": sorted(line.code for line in self.budget_lines.all()),
            "base_min": str(self.base_min),
            "base_max": str(self.base_max),
            "complement_rule": self.complement_rule,
            "complement_cap": str(self.complement_cap),
            "letter_deadline": self.letter_deadline.isoformat(),
            "ctai_mandatory_domains": [d.code for d in ctai_domains],
            "ctai_min_domains": self.ctai_min_domains,
            "ptai_mandatory_domains": [d.code for d in ptai_domains],
            "ptai_min_domains": self.ptai_min_domains,
            "domain_labels": {d.code: d.label for d in [*ctai_domains, *ptai_domains]},
            "signatory_natures": sorted(self.signatory_natures),
            "evaluation_threshold": str(self.evaluation_threshold),
            "bpi_only_needs_justification": self.bpi_only_needs_justification,
            "advance_rate": str(self.advance_rate),
            "newcomer_horizon_years": self.newcomer_horizon_years,
            "small_count_threshold": self.small_count_threshold,
        }


class Derogation(models.Model):
    """A derogation rule lifted by a written justification, on any file (PTAI, CTAI…). Append-only."""

    rule_id = models.CharField("règle", max_length=60)
    justification = BoundedTextField("justification")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=40)
    target = GenericForeignKey("target_type", "target_id")
    campaign_year = models.PositiveSmallIntegerField("année de campagne", null=True, blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "dérogation"
        indexes = [models.Index(fields=["target_type", "target_id"], name="derogation_by_target")]
        constraints = [
            models.CheckConstraint(condition=~Q(justification=""), name="derogation_justification_not_blank"),
        ]

    def __str__(self) -> str:
        return f"Dérogation {self.rule_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A derogation is never modified: record a new one.")
        super().save(*args, **kwargs)
