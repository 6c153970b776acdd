"""Money on an append-only ledger: envelopes, their entries, commitments.

An `Envelope` is the credits of one campaign and one budget line at one level (national, a région,
a département). Every movement is a `LedgerEntry`; a correction is a reversal entry (negative
amount pointing at the entry it cancels), never an edit or a delete. Balances are derived from
the entries (`finance.balances`). A `Commitment` is the decision to fund a file (PTAI, CTAI
programming year) — finance knows it only through a generic reference.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField
from finance.enums import COMMITMENT_KINDS, EntryKind, EnvelopeLevel, Tranche
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region, scope_of

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class EnvelopeQuerySet(models.QuerySet["Envelope"]):
    def for_user(self, user: Any) -> EnvelopeQuerySet:
        """National envelopes for national roles; a région's and its départements' for the région;
        a département's for the département."""
        scope = scope_of(user)
        if scope.national:
            return self
        return self.filter(
            Q(department_id__in=scope.department_ids)
            | Q(region_id__in=scope.region_ids)
            | Q(department__region_id__in=scope.region_ids)
        )


class Envelope(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="envelopes", verbose_name="campagne")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, verbose_name="ligne budgétaire")
    level = models.CharField("niveau", max_length=12, choices=EnvelopeLevel.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="région")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="déléguée par"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnvelopeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "enveloppe"
        ordering = ["campaign", "budget_line", "level", "region", "department"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level=EnvelopeLevel.NATIONAL, region__isnull=True, department__isnull=True, parent__isnull=True)
                    | Q(level=EnvelopeLevel.REGION, region__isnull=False, department__isnull=True, parent__isnull=False)
                    | Q(
                        level=EnvelopeLevel.DEPARTMENT,
                        region__isnull=True,
                        department__isnull=False,
                        parent__isnull=False,
                    )
                ),
                name="envelope_level_fits_scope",
            ),
            models.UniqueConstraint(
                fields=["campaign", "budget_line"],
                condition=Q(level=EnvelopeLevel.NATIONAL),
                name="envelope_one_national_per_line",
            ),
            models.UniqueConstraint(
                fields=["campaign", "budget_line", "region"],
                condition=Q(level=EnvelopeLevel.REGION),
                name="envelope_one_per_region_and_line",
            ),
            models.UniqueConstraint(
                fields=["campaign", "budget_line", "department"],
                condition=Q(level=EnvelopeLevel.DEPARTMENT),
                name="envelope_one_per_department_and_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.year} — {self.budget_line.code} — {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.department_id:
            return str(self.department)
        if self.region_id:
            return str(self.region)
        return "National"


class Commitment(models.Model):
    """The decision to fund a file, on one envelope. Its amount is the sum of its ledger entries."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="commitments")
    funded_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    funded_id = models.CharField(max_length=40)
    funded = GenericForeignKey("funded_type", "funded_id")
    label = models.CharField("objet", max_length=200)
    # The campaign's rules when the decision was taken: editing the year later never changes it.
    rules = models.JSONField("règles de la campagne appliquées", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "engagement"
        indexes = [models.Index(fields=["funded_type", "funded_id"], name="commitment_by_file")]

    def __str__(self) -> str:
        return self.label


class LedgerEntry(models.Model):
    """One movement of money. Append-only: never modified, never deleted."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("mouvement", max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField("montant (€)", **AMOUNT)  # type: ignore[arg-type]
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    tranche = models.CharField("tranche", max_length=10, choices=Tranche.choices, blank=True, default="")
    # The other side of a delegation (out <-> in).
    counterpart = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="counterpart_of"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name="annule"
    )
    reason = BoundedTextField("motif", blank=True, default="")
    # The file a delegation was made for (a PTAI's credits delegated by the Ministère to the
    # département, through the région): finance knows it only through a generic reference.
    funded_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    funded_id = models.CharField(max_length=40, blank=True, default="")
    funded = GenericForeignKey("funded_type", "funded_id")
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "écriture"
        verbose_name_plural = "écritures"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["envelope", "kind"], name="entry_by_envelope_kind"),
            # The ledger's order (newest first): its pages of ids are an index-only scan.
            models.Index(fields=["created_at", "id"], name="entry_by_created"),
            models.Index(
                fields=["funded_type", "funded_id"], condition=Q(funded_type__isnull=False), name="entry_by_file"
            ),
        ]
        constraints = [
            # An entry moves a positive amount; its reversal the opposite amount, with a reason.
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True, amount__gt=0) | Q(reverses__isnull=False, amount__lt=0)),
                name="entry_sign_matches_reversal",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""), name="entry_reversal_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=COMMITMENT_KINDS, commitment__isnull=False)
                | (~Q(kind__in=COMMITMENT_KINDS) & Q(commitment__isnull=True)),
                name="entry_commitment_iff_commitment_or_payment",
            ),
            # Only a delegation is made for a file (its commitment and payments point at it already).
            models.CheckConstraint(
                condition=Q(funded_type__isnull=True, funded_id="")
                | Q(
                    kind__in=[EntryKind.DELEGATION_OUT, EntryKind.DELEGATION_IN],
                    funded_type__isnull=False,
                    funded_id__gt="",
                ),
                name="entry_file_only_on_a_delegation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} €"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A ledger entry is never modified: write a reversal entry.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A ledger entry is never deleted: write a reversal entry.")
