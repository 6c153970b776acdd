"""The PTAI (projet territorial d'accueil et d'intégration): a collectivité's request for funding.

The workflow is declared here with django-fsm-2: one method per transition, explicit sources,
a permission by role and scope (`projects.permissions`) and the checks that belong to the file
itself (reason required, amounts, two different people). Everything that crosses aggregates —
locking, money, the log, the audit event, e-mails — is `projects.services.apply_transition`,
the only caller of these methods.

`requested_amount` is denormalised: the total of the `state_request` resources, kept in sync by
`projects.services.set_budget` (the only writer of the budget), so that lists filter and sort on
it with an index and the database itself checks `granted_amount <= requested_amount`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from core.fields import BoundedTextField
from core.formats import format_euros
from core.validators import validate_rna, validate_siret
from finance.enums import EntryKind
from finance.models import Commitment, LedgerEntry
from finance.services import FinanceError, parse_amount
from programme.enums import ContributionKind, TargetPublic
from programme.models import Campaign, Domain
from programme.rules import blocking
from programme.workflow import TransitionLog
from projects import permissions as perm
from projects.enums import (
    DISMISSABLE_STATES,
    FUNDED_STATES,
    GRANTED_STATES,
    NOT_REVIEWED_STATES,
    OPEN_STATES,
    REVIEWED_STATES,
    CarrierKind,
    Opinion,
    ProjectState,
    ResourceKind,
)
from projects.errors import TransitionError
from projects.subject import findings
from referential.models import Authority, Department, scope_of

S = ProjectState
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
ZERO = Decimal("0.00")


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_user(self, user: Any) -> ProjectQuerySet:
        """National roles: all; préfets and instructeurs: the files instructed in their département(s)
        or région(s); agents: the files their collectivité leads or joins as a partner; others: none."""
        scope = scope_of(user)
        if scope.national:
            return self
        # One indexed lookup per way of seeing a file, united: an OR with an EXISTS over the partners
        # would scan every file to find the few of a collectivité (docs/PERFORMANCE.md).
        ways: list[models.QuerySet[Any, Any]] = []
        if scope.authority_ids:
            ways.append(Project.objects.filter(lead_authority_id__in=scope.authority_ids).values("pk"))
            partners = Project.partners.through.objects.filter(authority_id__in=scope.authority_ids)
            ways.append(partners.values("project_id"))
        if scope.department_ids:
            ways.append(Project.objects.filter(department_id__in=scope.department_ids).values("pk"))
        if scope.region_ids:
            ways.append(Project.objects.filter(department__region_id__in=scope.region_ids).values("pk"))
        if not ways:
            return self.none()
        ids = ways[0].order_by().union(*(way.order_by() for way in ways[1:])) if len(ways) > 1 else ways[0]
        return self.filter(pk__in=ids)

    def with_money(self) -> ProjectQuerySet:
        """Annotate `committed_amount` (net of what was released) and `paid_amount` from the ledger
        (two subqueries, no N+1). `requested_amount` and `granted_amount` are fields."""
        money = DecimalField(max_digits=14, decimal_places=2)
        zero = Value(ZERO, output_field=money)

        def total(amount: Any, *kinds: str) -> Coalesce:
            sums = (
                LedgerEntry.objects.filter(commitment_id=OuterRef("commitment_id"), kind__in=kinds)
                .order_by()
                .values("commitment_id")
                .annotate(total=Sum(amount))
                .values("total")
            )
            return Coalesce(Subquery(sums, output_field=money), zero)

        released_negative = Case(When(kind=EntryKind.RELEASE, then=-F("amount")), default=F("amount"))
        return self.annotate(
            committed_amount=total(released_negative, EntryKind.COMMITMENT, EntryKind.RELEASE),
            paid_amount=total(F("amount"), EntryKind.PAYMENT),
        )

    def for_list(self) -> ProjectQuerySet:
        """What a list row shows, in a fixed number of queries."""
        return self.select_related("campaign", "lead_authority", "department").prefetch_related("domains")


def _require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise TransitionError(f"Indiquez le motif {what}.", code="reason_required")


def _amount(value: Any, what: str) -> Decimal:
    if value is None or value == "":
        raise TransitionError(f"Indiquez {what}.", code="amount_required")
    try:
        return parse_amount(value)
    except FinanceError as exc:
        raise TransitionError(exc.messages, code="amount_invalid") from exc


class Project(FSMModelMixin, models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="projects", verbose_name="campagne")
    lead_authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="led_projects", verbose_name="collectivité porteuse"
    )
    partners = models.ManyToManyField(
        Authority, blank=True, related_name="partner_projects", verbose_name="collectivités partenaires"
    )
    # The instructing département: the lead's main département (chosen among the région's for a région).
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="projects", verbose_name="département instructeur"
    )
    state = FSMField("état", max_length=24, choices=S.choices, default=S.DRAFT, protected=True, db_index=True)
    state_changed_at = models.DateTimeField("dans cet état depuis", default=timezone.now)

    title = models.CharField("titre", max_length=200, blank=True, default="")
    summary = BoundedTextField("résumé", blank=True, default="")
    domains = models.ManyToManyField(Domain, blank=True, related_name="projects", verbose_name="domaines")
    target_public = models.CharField(
        "public cible", max_length=10, choices=TargetPublic.choices, default=TargetPublic.ALL
    )
    bpi_justification = BoundedTextField("justification du public BPI", blank=True, default="")
    widening_perspective = BoundedTextField("perspective d'élargissement", blank=True, default="")
    planned_bpi = models.PositiveIntegerField("BPI prévus", null=True, blank=True)
    planned_newcomers = models.PositiveIntegerField("autres primo-arrivants prévus", null=True, blank=True)
    # F07: how the project complements the contrat d'intégration républicaine of the people it serves.
    cir_link = BoundedTextField("articulation avec le contrat d'intégration républicaine (CIR)", blank=True, default="")
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    carrier_kind = models.CharField(
        "porteur de l'action", max_length=12, choices=CarrierKind.choices, default=CarrierKind.AUTHORITY
    )
    carrier_name = models.CharField("nom du porteur", max_length=200, blank=True, default="")
    siret = models.CharField("SIRET", max_length=14, blank=True, default="", validators=[validate_siret])
    rna = models.CharField("numéro RNA", max_length=10, blank=True, default="", validators=[validate_rna])
    diagnostic = BoundedTextField("diagnostic territorial (synthèse)", blank=True, default="")
    requested_amount = models.DecimalField("montant demandé à l'État (€)", default=ZERO, **MONEY)

    reference = models.CharField("référence", max_length=30, blank=True, default="")
    rules = models.JSONField("règles de la campagne appliquées", default=dict, blank=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créé par"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    # Decisions.
    opinion = models.CharField("avis", max_length=12, choices=Opinion.choices, blank=True, default="")
    opinion_text = BoundedTextField("texte de l'avis", blank=True, default="")
    proposed_amount = models.DecimalField("montant proposé (€)", null=True, blank=True, **MONEY)
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prefect_decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_amount = models.DecimalField("montant accordé (€)", null=True, blank=True, **MONEY)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="engagement"
    )

    # A past PTAI taken from a spreadsheet (docs/adr/0004-historical-ptai.md): money spent outside the
    # platform, recorded as `closed` with its granted amount, no avis, no préfet's decision, no
    # commitment and no ledger entry. `imported_from` names the file.
    historical = models.BooleanField("dossier repris d'un tableau", default=False, db_index=True)
    imported_from = models.CharField("repris du fichier", max_length=200, blank=True, default="")

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "PTAI"
        verbose_name_plural = "PTAI"
        indexes = [
            models.Index(fields=["department", "state"], name="project_by_department_state"),
            models.Index(fields=["state", "state_changed_at"], name="project_by_state_age"),
            # The sorts of the lists and of the API (newest first, amount), each with the pk that
            # breaks ties; the text filter's trigram indexes are PostgreSQL-only (migration 0004).
            models.Index(fields=["created_at", "id"], name="project_by_created"),
            models.Index(fields=["requested_amount", "id"], name="project_by_requested"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="project_unique_reference"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="project_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__gte=0)
                & (Q(proposed_amount__isnull=True) | Q(proposed_amount__gte=0))
                & (Q(granted_amount__isnull=True) | Q(granted_amount__gt=0)),
                name="project_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__lte=F("requested_amount")),
                name="project_granted_within_requested",
            ),
            models.CheckConstraint(
                condition=Q(state__in=GRANTED_STATES, granted_amount__isnull=False)
                | (~Q(state__in=GRANTED_STATES) & Q(granted_amount__isnull=True)),
                name="project_granted_iff_approved",
            ),
            # A historical file (taken from a spreadsheet) is closed with no commitment: its money
            # never moved through the ledger.
            models.CheckConstraint(
                condition=Q(state__in=FUNDED_STATES, commitment__isnull=False, historical=False)
                | (~Q(state__in=FUNDED_STATES) & Q(commitment__isnull=True))
                | Q(historical=True, state=S.CLOSED, commitment__isnull=True),
                name="project_commitment_iff_funded",
            ),
            models.CheckConstraint(
                condition=Q(state__in=REVIEWED_STATES, opinion__gt="", opinion_by__isnull=False, historical=False)
                | (Q(state__in=NOT_REVIEWED_STATES) & Q(opinion="", opinion_by__isnull=True))
                | Q(state__in=[S.DISMISSED, S.WITHDRAWN])
                | Q(historical=True, opinion="", opinion_by__isnull=True),
                name="project_opinion_iff_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(historical=False, imported_from="")
                | Q(
                    historical=True,
                    state=S.CLOSED,
                    imported_from__gt="",
                    prefect_decision_by__isnull=True,
                    proposed_amount__isnull=True,
                ),
                name="project_historical_closed_and_named",
            ),
            models.CheckConstraint(
                condition=Q(state=S.DRAFT, reference="")
                | (~Q(state=S.DRAFT) & ~Q(reference=""))
                | Q(state=S.WITHDRAWN),
                name="project_reference_iff_submitted",
            ),
            models.CheckConstraint(
                condition=Q(opinion_by__isnull=True)
                | Q(prefect_decision_by__isnull=True)
                | ~Q(opinion_by=F("prefect_decision_by")),
                name="project_opinion_and_decision_by_two_people",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.title or f"PTAI n° {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("web:project_detail", args=[self.pk])

    @property
    def year(self) -> int:
        return self.campaign.year

    @property
    def is_editable(self) -> bool:
        return self.state in (S.DRAFT, S.CORRECTION_REQUESTED)

    def people(self, *groups: str) -> Any:
        """The active users of `groups` for this file — who its e-mails tell: "agents" (of the lead
        collectivité), "instructors" (of its département), "prefects" (of its département or
        région), "authorising" (the préfets and the instructeurs holding their signing delegation),
        "ministry"."""
        from accounts.enums import Role
        from accounts.models import User

        department = Q(memberships__department_id=self.department_id)
        conditions = {
            "agents": Q(memberships__role=Role.AGENT, memberships__authority_id=self.lead_authority_id),
            "instructors": Q(memberships__role=Role.INSTRUCTOR) & department,
            "prefects": Q(memberships__role=Role.PREFECT)
            & (department | Q(memberships__region_id=self.department.region_id)),
            "delegates": Q(memberships__role=Role.INSTRUCTOR, memberships__signing_delegation=True) & department,
            "ministry": Q(memberships__role=Role.MINISTRY),
        }
        condition = Q(pk__in=[])
        for group in groups:
            for name in ("prefects", "delegates") if group == "authorising" else (group,):
                condition |= conditions[name]
        return User.objects.filter(condition, is_active=True).distinct().order_by("pk")

    def compute_requested_amount(self) -> Decimal:
        """The total of the State request lines (exact Decimal, summed in Python)."""
        amounts = self.resources.filter(kind=ResourceKind.STATE_REQUEST).values_list("amount", flat=True)
        return sum(amounts, ZERO)

    # --- The workflow. Every method takes the same keywords; apply_transition is the only caller. ---
    # Each body checks what belongs to the file; the permission (role and scope) is declared.

    def _refuse_if_blocking(self, rules: dict[str, Any]) -> None:
        stoppers = blocking(findings(self, rules=rules))
        if stoppers:
            raise TransitionError([f.message for f in stoppers], code="rules", rule_ids=[f.rule_id for f in stoppers])

    @transition(field=state, source=[S.DRAFT], target=S.SUBMITTED, permission=perm.may_submit)
    def submit(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """Checked with the campaign's rules of today, which the file then keeps (its year's rules)."""
        rules = self.campaign.rules()
        self._refuse_if_blocking(rules)
        self.rules = rules
        self.submitted_at = timezone.now()

    @transition(field=state, source=[S.SUBMITTED], target=S.IN_REVIEW, permission=perm.may_review)
    def start_review(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        pass

    @transition(field=state, source=[S.IN_REVIEW], target=S.CORRECTION_REQUESTED, permission=perm.may_review)
    def request_correction(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        _require_reason(reason, "de la demande de correction (ce qu'il faut corriger)")

    @transition(field=state, source=[S.CORRECTION_REQUESTED], target=S.IN_REVIEW, permission=perm.may_submit)
    def resubmit(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """Checked with the rules the file kept at its submission."""
        self._refuse_if_blocking(dict(self.rules))

    @transition(field=state, source=[S.IN_REVIEW], target=S.REVIEWED, permission=perm.may_review)
    def give_opinion(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        if opinion not in Opinion.values:
            raise TransitionError("Choisissez l'avis : favorable ou défavorable.", code="opinion_required")
        if not reason.strip():
            raise TransitionError("Rédigez le texte de l'avis.", code="opinion_text_required")
        proposed = None
        if opinion == Opinion.FAVORABLE or amount not in (None, ""):
            proposed = _amount(amount, "le montant proposé")
            if proposed > self.requested_amount:
                raise TransitionError(
                    "Le montant proposé ne peut pas dépasser le montant demandé.", code="amount_above_requested"
                )
        self.opinion = opinion
        self.opinion_text = reason.strip()
        self.proposed_amount = proposed
        self.opinion_by = user

    def _check_two_people(self, user: Any) -> None:
        if user.pk == self.opinion_by_id:
            raise TransitionError(
                "L'avis d'instruction et la décision du préfet doivent venir de deux personnes différentes.",
                code="same_person",
            )

    @transition(field=state, source=[S.REVIEWED], target=S.PREFECT_APPROVED, permission=perm.may_decide_as_prefect)
    def prefect_approve(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        self._check_two_people(user)
        self.prefect_decision_by = user

    @transition(field=state, source=[S.REVIEWED], target=S.PREFECT_REFUSED, permission=perm.may_decide_as_prefect)
    def prefect_refuse(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        self._check_two_people(user)
        _require_reason(reason, "du refus : il est communiqué à la collectivité")
        self.prefect_decision_by = user

    @transition(
        field=state, source=[S.PREFECT_APPROVED], target=S.MINISTRY_APPROVED, permission=perm.may_decide_as_ministry
    )
    def ministry_approve(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        granted = _amount(amount, "le montant accordé")
        if granted > self.requested_amount:
            raise TransitionError(
                f"Le montant accordé ({format_euros(granted)}) ne peut pas dépasser le montant demandé "
                f"({format_euros(self.requested_amount)}).",
                code="amount_above_requested",
            )
        self.granted_amount = granted

    @transition(
        field=state, source=[S.PREFECT_APPROVED], target=S.MINISTRY_REFUSED, permission=perm.may_decide_as_ministry
    )
    def ministry_refuse(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        _require_reason(reason, "du refus : il est communiqué à la collectivité")

    @transition(field=state, source=[S.PREFECT_APPROVED], target=S.IN_REVIEW, permission=perm.may_decide_as_ministry)
    def ministry_send_back(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """Back to instruction: the avis and the préfet's decision stay in the log, the file is open again."""
        _require_reason(reason, "du renvoi en instruction")
        self.opinion = ""
        self.opinion_text = ""
        self.proposed_amount = None
        self.opinion_by = None
        self.prefect_decision_by = None

    @transition(
        field=state,
        source=[S.MINISTRY_APPROVED],
        target=S.CREDITS_DELEGATED,
        permission=perm.may_decide_as_ministry,
    )
    def delegate_credits(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """The service delegates exactly the granted amount from the national envelope of the file's
        line to the département's (through the région when so organised), linked to the file."""

    @transition(
        field=state,
        source=[S.CREDITS_DELEGATED],
        target=S.MINISTRY_APPROVED,
        permission=perm.may_decide_as_ministry,
    )
    def cancel_delegation(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """The service takes the file's delegated credits back to the national envelope."""
        _require_reason(reason, "de la reprise des crédits délégués")

    @transition(field=state, source=[S.CREDITS_DELEGATED], target=S.FUNDED, permission=perm.may_commit)
    def commit(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """The service commits the delegated amount on the département's envelope and pays the advance
        (sets `commitment`); the décision attributive and the notification follow."""

    @transition(field=state, source=[S.FUNDED], target=S.CREDITS_DELEGATED, permission=perm.may_commit)
    def cancel_commitment(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """The service reverses the payments and the commitment: the credits are held for the file
        again on the département's envelope, to be committed anew."""
        _require_reason(reason, "de l'annulation de l'engagement")

    @transition(field=state, source=[S.FUNDED], target=S.CLOSED, permission=perm.may_commit)
    def close(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        """`amount`: the final amount spent (default: the amount committed); the service pays the
        balance and releases the rest."""
        if amount not in (None, ""):
            _amount(amount, "le montant final")

    @transition(field=state, source=list(DISMISSABLE_STATES), target=S.DISMISSED, permission=perm.may_dismiss)
    def dismiss(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        _require_reason(reason, "du classement sans suite")

    @transition(field=state, source=list(OPEN_STATES), target=S.WITHDRAWN, permission=perm.may_withdraw)
    def withdraw(self, *, user: Any, reason: str = "", opinion: str = "", amount: Any = None) -> None:
        pass


class BudgetItem(models.Model):
    """An expense of the project's budget, by nature."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_items")
    nature = models.CharField("nature de la dépense", max_length=200)
    amount = models.DecimalField("montant (€)", **MONEY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = "dépense"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_item_amount_not_negative"),
            models.CheckConstraint(condition=~Q(nature=""), name="budget_item_nature_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.nature} : {self.amount} €"


class Resource(models.Model):
    """A resource of the project's budget: the State request, the collectivité's co-funding, another funder."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField("nature", max_length=20, choices=ResourceKind.choices)
    funder = models.CharField("financeur", max_length=200, blank=True, default="")
    amount = models.DecimalField("montant (€)", **MONEY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = "ressource"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="resource_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind=ResourceKind.OTHER_COFUNDER) | ~Q(funder=""), name="resource_other_funder_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.amount} €"


class AuthorityContribution(models.Model):
    """The collectivité's engagement (F35): what it brings to the project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField("engagement", max_length=20, choices=ContributionKind.choices)
    description = BoundedTextField("description")
    amount = models.DecimalField("montant (€)", null=True, blank=True, **MONEY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = "engagement de la collectivité"
        verbose_name_plural = "engagements de la collectivité"
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="contribution_description_not_blank"),
            models.CheckConstraint(
                condition=~Q(kind=ContributionKind.COFUNDING) | Q(amount__isnull=False, amount__gt=0),
                name="contribution_cofunding_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="contribution_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProjectTransition(TransitionLog):
    """The log of the workflow: one row per applied transition. Append-only."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("état de départ", max_length=24, choices=S.choices)
    target = models.CharField("nouvel état", max_length=24, choices=S.choices)
    opinion = models.CharField("avis", max_length=12, choices=Opinion.choices, blank=True, default="")
    amount = models.DecimalField("montant (€)", null=True, blank=True, **MONEY)

    # Append-only, so its history only ever holds the creation (the audit guard wants every amount kept).
    history = HistoricalRecords()

    class Meta(TransitionLog.Meta):
        verbose_name = "étape du dossier"
        indexes = [models.Index(fields=["project", "created_at"], name="project_transition_by_project")]

    @property
    def label(self) -> str:
        from projects.enums import TransitionName

        return TransitionName(self.transition).label if self.transition in TransitionName.values else self.transition
