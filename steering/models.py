"""Steering (F23): national and départemental committees with their decisions, and the
qualitative evaluations of the actions they retain. (A contract's own committee is
`contracts.SteeringCommittee`; the dashboards are queries in `steering.dashboards`.)

A decision names the file it concerns (a CTAI, a PTAI or an action of a CTAI) and is written on that
file's timeline (an audit event on the contract or the project) when it is recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from contracts.models import Action, Contract
from core.fields import BoundedTextField
from projects.models import Project
from referential.models import Department, scope_of
from steering.enums import CommitteeLevel


class CommitteeQuerySet(models.QuerySet["Committee"]):
    def for_user(self, user: object) -> CommitteeQuerySet:
        """National roles: all; others with a territory: the national committees and those of their
        départements (and régions); the rest: none."""
        scope = scope_of(user)  # type: ignore[arg-type]
        if scope.national:
            return self
        if not (scope.department_ids or scope.region_ids or scope.authority_ids):
            return self.none()
        from referential.models import Authority

        spanned = Authority.objects.filter(pk__in=scope.authority_ids).values("department_id")
        return self.filter(
            Q(level=CommitteeLevel.NATIONAL)
            | Q(department_id__in=scope.department_ids)
            | Q(department__region_id__in=scope.region_ids)
            | Q(department_id__in=spanned)
        )


class Committee(models.Model):
    level = models.CharField("niveau", max_length=10, choices=CommitteeLevel.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="département"
    )
    held_on = models.DateField("date du comité")
    title = models.CharField("intitulé", max_length=200)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="participants (comptes)"
    )
    external_participants = BoundedTextField("autres participants", blank=True, default="")
    agenda = BoundedTextField("ordre du jour")
    minutes = BoundedTextField("compte rendu", blank=True, default="")
    contracts = models.ManyToManyField(Contract, blank=True, related_name="+", verbose_name="CTAI examinés")
    projects = models.ManyToManyField(Project, blank=True, related_name="+", verbose_name="PTAI examinés")
    actions = models.ManyToManyField(Action, blank=True, related_name="+", verbose_name="actions examinées")
    organised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "comité de pilotage"
        constraints = [
            models.CheckConstraint(
                condition=Q(level=CommitteeLevel.NATIONAL, department__isnull=True)
                | Q(level=CommitteeLevel.DEPARTMENT, department__isnull=False),
                name="committee_department_iff_departmental",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"


class Decision(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="decisions")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    text = BoundedTextField("décision")
    due_on = models.DateField("échéance", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        ordering = ["committee", "pk"]
        verbose_name = "décision"

    def __str__(self) -> str:
        return str(self.text)[:80]


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def for_user(self, user: object) -> EvaluationQuerySet:
        scope = scope_of(user)  # type: ignore[arg-type]
        if scope.national:
            return self
        return self.filter(
            Q(department_id__in=scope.department_ids)
            | Q(department__region_id__in=scope.region_ids)
            | Q(authority_id__in=scope.authority_ids)
        )


class Evaluation(models.Model):
    """The qualitative evaluation of one action (a PTAI or an action of a CTAI), F23."""

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    title = models.CharField("action évaluée", max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey("referential.Authority", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name="retenue par le comité",
    )
    evaluator = models.CharField("évaluateur", max_length=200)
    questions = BoundedTextField("questions évaluatives")
    method = BoundedTextField("méthode")
    findings = BoundedTextField("constats", blank=True, default="")
    recommendations = BoundedTextField("recommandations", blank=True, default="")
    summary = BoundedTextField("synthèse", blank=True, default="")
    completed_on = models.DateField("rendue le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = "évaluation"
        constraints = [
            models.UniqueConstraint(fields=["target_type", "target_id"], name="one_evaluation_per_action"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | ~Q(summary=""), name="evaluation_completed_has_summary"
            ),
        ]

    def __str__(self) -> str:
        return f"Évaluation de « {self.title} »"


class Summary(models.Model):
    """The steering figures of one département, kept for the national dashboards (`steering.summaries`).

    `key` is the département's id; `0` holds what belongs to no département (the ledger of the national
    and regional envelopes); `-1` holds France as a whole (the sum of the others, with the map's values
    per département). `data` holds the grouped rows the dashboards fold (counts, sums as strings)."""

    key = models.IntegerField("département (id ; 0 : hors département ; -1 : France entière)", unique=True)
    data = models.JSONField("chiffres")
    computed_at = models.DateTimeField("calculés le")

    class Meta:
        verbose_name = "chiffres de pilotage"
        verbose_name_plural = "chiffres de pilotage"

    def __str__(self) -> str:
        return f"Chiffres de pilotage {self.key} ({self.computed_at:%d/%m/%Y %H:%M})"


class SummaryChange(models.Model):
    """A département whose figures changed since its summary was computed, written in the same
    transaction as the change (`steering.summaries.touch`); read and deleted when the summaries are
    refreshed. `key` as in `Summary`; `-1`: every département (a domain or a priority renamed)."""

    key = models.IntegerField("département touché")

    class Meta:
        verbose_name = "changement à reporter dans les chiffres de pilotage"
        verbose_name_plural = "changements à reporter dans les chiffres de pilotage"

    def __str__(self) -> str:
        return f"Changement {self.key}"
