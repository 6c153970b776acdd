"""Reports on actions (bilans): aggregate indicators only, never personal data about foreigners.

A `Report` is one period (interim or final) of one action: a PTAI (`projects.Project`, which is one
action) or an action of a CTAI yearly programming (`contracts.Action`). Reporting sits below both
(floor 2): it names its target generically and keeps the territory, the campaign and the carrier
as plain foreign keys, so that scoping and the dashboards are simple grouped queries, and so that
`projects` and `contracts` can ask "is the final report accepted?" before paying the balance.

The indicator set belongs to the campaign (`Indicator`, editable like the domains); each report
keeps the set it was made with (`indicator_set`), so editing next year's set never changes a
report already made.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField
from programme.errors import TransitionError
from programme.models import Campaign
from programme.workflow import TransitionLog
from referential.models import Authority, Department, Operator, scope_of
from reporting import permissions as perm
from reporting.enums import Period, ReportState, TargetKind

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
S = ReportState

# The two core indicators every set holds: the dashboards' "beneficiaries reached".
CORE_INDICATORS = ("bpi_reached", "newcomers_reached")
# (code, label, group) of the set a campaign starts with.
DEFAULT_INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("bpi_reached", "BPI accompagnés", "Bénéficiaires"),
    ("newcomers_reached", "Autres primo-arrivants accompagnés", "Bénéficiaires"),
    ("women", "Femmes", "Par sexe"),
    ("men", "Hommes", "Par sexe"),
    ("age_under_18", "Moins de 18 ans", "Par tranche d'âge"),
    ("age_18_25", "18 à 25 ans", "Par tranche d'âge"),
    ("age_26_45", "26 à 45 ans", "Par tranche d'âge"),
    ("age_46_plus", "46 ans et plus", "Par tranche d'âge"),
    ("hours", "Heures d'accompagnement ou de formation délivrées", "Activité"),
    ("exits_housing", "Sorties vers un logement", "Sorties"),
    ("exits_employment", "Sorties vers l'emploi ou la formation", "Sorties"),
    ("language_progress", "Personnes ayant gagné au moins un niveau de français", "Langue française"),
)
# Groups whose counts, when given, split the people reached (BPI + others) exactly.
SPLIT_GROUPS = ("Par sexe", "Par tranche d'âge")


class Indicator(models.Model):
    """One aggregate indicator of a campaign's set (a count). Codes are stable, labels editable."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="indicators", verbose_name="année")
    code = models.SlugField("code", max_length=40)
    label = models.CharField("libellé", max_length=160)
    group = models.CharField("rubrique", max_length=80, blank=True, default="")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["campaign", "position", "pk"]
        verbose_name = "indicateur"
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="indicator_code_per_campaign")]

    def __str__(self) -> str:
        return f"{self.label} ({self.campaign_id})"


class ReportQuerySet(models.QuerySet["Report"]):
    def for_user(self, user: Any) -> ReportQuerySet:
        """National roles: all; préfets and instructeurs: their départements and régions; agents:
        their collectivité's; opérateurs: the reports they were invited to enter; others: none."""
        scope = scope_of(user)
        if scope.national:
            return self
        return self.filter(
            Q(authority_id__in=scope.authority_ids)
            | Q(department_id__in=scope.department_ids)
            | Q(department__region_id__in=scope.region_ids)
            | Q(operator_id__in=scope.operator_ids, operator_invited=True)
        )

    def late(self, today: Any = None) -> ReportQuerySet:
        """Due and not handed in (still expected, or sent back for completion)."""
        today = today or timezone.localdate()
        return self.filter(state__in=(S.EXPECTED, S.COMPLETION_REQUESTED), due_on__lt=today)

    def for_target(self, target: models.Model) -> ReportQuerySet:
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)


class Report(FSMModelMixin, models.Model):
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    target_kind = models.CharField("objet", max_length=10, choices=TargetKind.choices)
    title = models.CharField("action", max_length=200)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reports", verbose_name="année")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="reports", verbose_name="département"
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="reports", verbose_name="collectivité"
    )
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name="opérateur"
    )
    operator_invited = models.BooleanField("opérateur invité à saisir le bilan", default=False)
    period = models.CharField("période", max_length=10, choices=Period.choices)
    due_on = models.DateField("à remettre le")
    state = FSMField("état", max_length=24, choices=S.choices, default=S.EXPECTED, protected=True, db_index=True)
    state_changed_at = models.DateTimeField("dans cet état depuis", default=timezone.now)
    indicator_set = models.JSONField("indicateurs du bilan", default=list)  # [{"code", "label", "group"}]
    values = models.JSONField("valeurs", default=dict, blank=True)  # code -> count
    narrative = BoundedTextField("bilan qualitatif", blank=True, default="")
    budget = models.DecimalField("montant de l'État prévu (€)", default=Decimal("0"), **MONEY)
    spent_amount = models.DecimalField("dépensé (€)", null=True, blank=True, **MONEY)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("remis le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)
    review_reason = BoundedTextField("compléments demandés", blank=True, default="")
    reminded_before_at = models.DateTimeField("rappel avant l'échéance envoyé le", null=True, blank=True)
    reminded_after_at = models.DateTimeField("relance après l'échéance envoyée le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()  # the spending is money: every version kept

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "bilan"
        constraints = [
            models.UniqueConstraint(fields=["target_type", "target_id", "period"], name="one_report_per_period"),
            models.CheckConstraint(
                condition=Q(state=S.EXPECTED) | Q(submitted_at__isnull=False),
                name="report_handed_in_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="report_by_state_due"),
            # The list's order: its pages of ids are an index-only scan, deep pages included.
            models.Index(fields=["due_on", "id"], name="report_by_due"),
        ]

    def __str__(self) -> str:
        return f"{Period(self.period).label} — {self.title}"

    @property
    def is_late(self) -> bool:
        return self.state in (S.EXPECTED, S.COMPLETION_REQUESTED) and self.due_on < timezone.localdate()

    @property
    def reached(self) -> int:
        return sum(int(self.values.get(code) or 0) for code in CORE_INDICATORS)

    def rows(self) -> list[dict[str, Any]]:
        """The indicator set with this report's values, for the pages and the PDF."""
        return [{**item, "value": self.values.get(item["code"])} for item in self.indicator_set]

    @transition(field=state, source=[S.EXPECTED, S.COMPLETION_REQUESTED], target=S.SUBMITTED, permission=perm.may_enter)
    def submit(self, *, user: Any, reason: str = "") -> None:
        missing = [
            i["label"] for i in self.indicator_set if i["code"] in CORE_INDICATORS and i["code"] not in self.values
        ]
        if missing or not self.narrative.strip():
            raise TransitionError(
                "Le bilan n'est pas complet : indiquez au moins les bénéficiaires accompagnés et le bilan "
                "qualitatif avant de le remettre.",
                code="report_incomplete",
            )
        self.submitted_by = user
        self.submitted_at = timezone.now()

    @transition(field=state, source=[S.SUBMITTED], target=S.COMPLETION_REQUESTED, permission=perm.may_review)
    def request_completion(self, *, user: Any, reason: str = "") -> None:
        if not reason.strip():
            raise TransitionError("Indiquez les compléments demandés.", code="reason_required")
        self.review_reason = reason.strip()
        self.reviewed_by = user
        self.reviewed_at = timezone.now()

    @transition(field=state, source=[S.SUBMITTED], target=S.ACCEPTED, permission=perm.may_review)
    def accept(self, *, user: Any, reason: str = "") -> None:
        self.reviewed_by = user
        self.reviewed_at = timezone.now()


class ReportTransition(TransitionLog):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("état de départ", max_length=24, choices=S.choices)
    target = models.CharField("nouvel état", max_length=24, choices=S.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "transition de bilan"
