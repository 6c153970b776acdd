"""The CTAI (contrat territorial d'accueil et d'intégration) and the CTAIR it may widen.

The life of the contract is declared here with django-fsm-2, as the PTAI's (`projects.models`):
one method per transition, explicit sources, a permission by role and scope
(`contracts.permissions`) and the checks that belong to the contract itself (programme rules
through `programme.rules.check`, reason, diagnostic, signatories). Locking, the log, the audit
event and the widened CTAIR are `contracts.services.apply_transition`, the only caller.

"In force" is `signed`: the database keeps at most one contract in force per collectivité
(`contract_one_in_force_per_authority`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from accounts.enums import Role
from contracts import permissions as perm
from contracts.enums import (
    EDITABLE_PROGRAMMING_STATES,
    IN_FORCE_STATES,
    NEGOTIATION_STATES,
    OPEN_STATES,
    ActionPart,
    ActionReview,
    AmendmentObject,
    AmendmentState,
    ApplicationStatus,
    CallState,
    CarrierKind,
    ContractKind,
    ContractState,
    CoordinatorStatus,
    ProgrammingState,
)
from core.fields import LONG_TEXT_MAX_LENGTH, BoundedTextField
from programme.enums import Instrument
from programme.errors import TransitionError
from programme.funding import CtaiFunding, ctai_funding
from programme.models import Campaign, Domain, Priority
from programme.rules import RuleSubject, blocking, check
from programme.workflow import TransitionLog
from referential.models import Authority, Department, Operator, scope_of

S = ContractState

# The programme rules checked on the contract itself. The domains, the socle and the complement
# are checked on each yearly programming (next step of the CTAI issue).
CONTRACT_RULE_IDS = frozenset({"ctai.signatory.type", "ctai.letter.required", "ctai.letter.deadline"})


class ContractQuerySet(models.QuerySet["Contract"]):
    def for_user(self, user: Any) -> ContractQuerySet:
        """National roles: all; préfets and instructeurs: the contracts of their département(s) or
        région(s); agents: their collectivité's contracts; others: none."""
        scope = scope_of(user)
        if scope.national:
            return self
        return self.filter(
            Q(authority_id__in=scope.authority_ids)
            | Q(department_id__in=scope.department_ids)
            | Q(department__region_id__in=scope.region_ids)
        )

    def for_list(self) -> ContractQuerySet:
        return self.select_related("campaign", "authority", "department", "widens")


def _require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise TransitionError(f"Indiquez le motif {what}.", code="reason_required")


def as_date(value: Any, what: str, code: str) -> date:
    """A date (or its ISO text) given to a transition or a service; else a French refusal naming `what`."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise TransitionError(f"Indiquez {what} (AAAA-MM-JJ).", code=code)


class Contract(FSMModelMixin, models.Model):
    kind = models.CharField("type", max_length=5, choices=ContractKind.choices, default=ContractKind.CTAI)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="contracts", verbose_name="campagne")
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="contracts", verbose_name="collectivité signataire"
    )
    # The préfet's département: the authority's main département (the first of a région by code).
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="contracts", verbose_name="département"
    )
    title = models.CharField("titre", max_length=200, blank=True, default="")
    state = FSMField("état", max_length=20, choices=S.choices, default=S.CONTACT, protected=True, db_index=True)
    state_changed_at = models.DateTimeField("dans cet état depuis", default=timezone.now)
    widens = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="widened_into",
        verbose_name="CTAIR élargi",
        limit_choices_to={"kind": ContractKind.CTAIR},
    )

    # F16: the collectivité's declaration to the préfet of its intention to widen its CTAIR to the
    # other primo-arrivants (not a lettre d'engagement: no deadline). Kept on the CTAI that widens it:
    # the new CTAI for a signed CTAIR, the same contract (carried on as a CTAI) for one in negotiation.
    widening_declared_on = models.DateField("intention d'élargissement déclarée le", null=True, blank=True)
    widening_declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déclaration enregistrée par",
    )
    widening_declaration = BoundedTextField("déclaration d'intention d'élargissement", blank=True, default="")
    widened_in_negotiation = models.BooleanField("CTAIR en négociation élargi en CTAI", default=False)

    # Lettre d'engagement (the document itself is uploaded in a later step).
    letter_date = models.DateField("date de la lettre d'engagement", null=True, blank=True)
    signature_year = models.PositiveSmallIntegerField("année de signature visée", null=True, blank=True)
    rules = models.JSONField("règles de la campagne appliquées", default=dict, blank=True)

    # Coordinateur (named, or being recruited).
    coordinator_name = models.CharField("coordinateur", max_length=200, blank=True, default="")
    coordinator_role = models.CharField("fonction du coordinateur", max_length=200, blank=True, default="")
    coordinator_contact = models.CharField("contact du coordinateur", max_length=200, blank=True, default="")
    coordinator_recruiting = models.BooleanField("coordinateur en cours de recrutement", default=False)

    # Signature.
    elected_official_name = models.CharField("élu signataire", max_length=200, blank=True, default="")
    prefect_name = models.CharField("préfet signataire", max_length=200, blank=True, default="")
    delegate_name = models.CharField("délégué interministériel signataire", max_length=200, blank=True, default="")
    signed_on = models.DateField("signé le", null=True, blank=True)
    effective_from = models.DateField("effet à partir du", null=True, blank=True)
    effective_to = models.DateField("effet jusqu'au", null=True, blank=True)
    duration_years = models.PositiveSmallIntegerField(
        "durée (années)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    closed_reason = BoundedTextField("motif de clôture", blank=True, default="")
    # The contract's text: pre-filled from a model (`contracts.documents.draft_text`), edited by the
    # collectivité, the préfet and the Diair while drafting, printed to PDF.
    text = BoundedTextField("texte du contrat", max_length=LONG_TEXT_MAX_LENGTH, blank=True, default="")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ContractQuerySet.as_manager()
    # The contract's versions (signature, amendments: dates, duration, signatories).
    history = HistoricalRecords(excluded_fields=["updated_at", "state_changed_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "contrat (CTAI)"
        verbose_name_plural = "contrats (CTAI)"
        indexes = [models.Index(fields=["department", "state"], name="contract_by_department_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["authority"],
                condition=Q(state__in=IN_FORCE_STATES),
                name="contract_one_in_force_per_authority",
                violation_error_message="Cette collectivité a déjà un contrat en vigueur.",
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="contract_effect_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[S.SIGNED, S.ENDED]) | Q(signed_on__isnull=False),
                name="contract_signed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(widens__isnull=True) | Q(kind=ContractKind.CTAI), name="contract_only_ctai_widens"
            ),
            models.CheckConstraint(
                condition=~Q(state=S.WIDENED) | Q(kind=ContractKind.CTAIR), name="contract_only_ctair_widened"
            ),
            # F16: a widening starts from a recorded declaration of intent.
            models.CheckConstraint(
                condition=Q(widening_declared_on__isnull=False)
                | (Q(widens__isnull=True, widened_in_negotiation=False) & ~Q(state=S.WIDENING_DECLARED)),
                name="contract_widening_has_declaration",
            ),
            models.CheckConstraint(
                condition=Q(widened_in_negotiation=False) | Q(kind=ContractKind.CTAI),
                name="contract_widened_in_negotiation_is_ctai",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{ContractKind(self.kind).label} {self.authority}"

    def get_absolute_url(self) -> str:
        return reverse("web:contract_detail", args=[self.pk])

    def people(self, *groups: str) -> Any:
        """The active users of `groups` for this contract: "agents" (of the collectivité),
        "prefects" (of its département or région), "diair" — who the e-mails and the thread tell."""
        from accounts.models import User

        conditions = {
            "agents": Q(memberships__role=Role.AGENT, memberships__authority_id=self.authority_id),
            "prefects": Q(memberships__role=Role.PREFECT)
            & (Q(memberships__department_id=self.department_id) | Q(memberships__region_id=self.department.region_id)),
            "diair": Q(memberships__role=Role.DIAIR),
        }
        condition = Q(pk__in=[])
        for group in groups:
            condition |= conditions[group]
        return User.objects.filter(condition, is_active=True).distinct().order_by("pk")

    def may_derogate(self, user: Any) -> bool:
        """Who records a derogation on the contract (`programme.services.record_derogation`): its
        préfet or the Diair, while it is negotiated (a signed contract takes none)."""
        return self.state in OPEN_STATES and (perm.is_prefect(self, user) or perm.is_diair(self, user))

    def notification_recipients(self, internal: bool) -> list[Any]:
        """Who `messaging` tells of a new message on the contract's thread (F19: the Diair's
        support): the préfets of its département or région and the Diair; for a message that is
        not an internal note, the collectivité's agents too."""
        groups = ("prefects", "diair") if internal else ("prefects", "diair", "agents")
        return list(self.people(*groups))

    # --- The coordinator (F20) and the widening (F16) --------------------------------------------

    @property
    def coordinator_status(self) -> CoordinatorStatus:
        """F20: the collectivité MAY name or recruit a dedicated coordinator: named, being
        recruited, or none (the contract is signed all the same)."""
        if self.coordinator_name:
            return CoordinatorStatus.NAMED
        if self.coordinator_recruiting:
            return CoordinatorStatus.RECRUITING
        return CoordinatorStatus.NONE

    @property
    def is_widening(self) -> bool:
        """A CTAI that widens a CTAIR (F16): signed in its place, or the CTAIR itself carried on."""
        return self.widening_declared_on is not None and (self.widens_id is not None or self.widened_in_negotiation)

    # --- Rules ----------------------------------------------------------------------------------

    def rule_subject(self) -> RuleSubject:
        authority = self.authority
        return RuleSubject(
            instrument=Instrument.CTAI,
            signatory_kind=authority.kind,
            signatory_epci_nature=authority.epci_nature or None,
            letter_date=self.letter_date,
            signature_year=self.signature_year,
            widening=self.is_widening,
        )

    def findings(self, rules: dict[str, Any] | None = None) -> list[Any]:
        """The contract's findings (`CONTRACT_RULE_IDS`) with the derogations recorded on it."""
        from programme.services import lifted_for

        lifted = lifted_for(self) if self.pk else {}
        found = check(self.rule_subject(), rules if rules is not None else self.campaign.rules(), lifted=lifted)
        return [f for f in found if f.rule_id in CONTRACT_RULE_IDS]

    def _refuse_if_blocking(self, rules: dict[str, Any]) -> None:
        stoppers = blocking(self.findings(rules))
        if stoppers:
            raise TransitionError([f.message for f in stoppers], code="rules", rule_ids=[f.rule_id for f in stoppers])

    # --- The workflow. apply_transition is the only caller; `data` are the transition's inputs. ---

    @transition(field=state, source=[S.CONTACT], target=S.LETTER_RECEIVED, permission=perm.may_record_letter)
    def record_letter(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """Checked with the campaign's rules of today, which the contract then keeps."""
        self.letter_date = as_date(data.get("letter_date"), "la date de la lettre d'engagement", "letter_date")
        year = data.get("signature_year") or self.campaign.year + 1
        self.signature_year = int(year)
        rules = self.campaign.rules()
        self._refuse_if_blocking(rules)
        self.rules = rules

    @transition(
        field=state, source=[S.LETTER_RECEIVED, S.WIDENING_DECLARED], target=S.DIAGNOSIS, permission=perm.may_diagnose
    )
    def start_diagnosis(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """After the letter; for a CTAI widening a signed CTAIR, right after the declaration (F16)."""

    @transition(field=state, source=[S.DIAGNOSIS], target=S.DRAFTING, permission=perm.may_diagnose)
    def complete_diagnosis(self, *, user: Any, reason: str = "", **data: Any) -> None:
        diagnosis = Diagnosis.objects.filter(contract=self).first()
        if diagnosis is None or diagnosis.missing():
            missing = diagnosis.missing() if diagnosis else ["le diagnostic"]
            raise TransitionError(
                f"Complétez le diagnostic territorial : {', '.join(missing)}.",
                code="diagnosis_incomplete",
                rule_ids=["ctai.diagnosis.required"],
            )
        diagnosis.completed_at = timezone.now()
        diagnosis.save(update_fields=["completed_at"])

    @transition(field=state, source=[S.DRAFTING], target=S.SIGNED, permission=perm.may_decide)
    def sign(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """Re-checked with the rules the contract kept at its letter (or its declaration of widening);
        needs the completed diagnostic, the elected official and the préfet. The coordinator may be
        given here (named, or being recruited) but is not required (F20: the collectivité MAY name
        or recruit one)."""
        problems: list[tuple[str, str]] = []
        if not Diagnosis.objects.filter(contract=self, completed_at__isnull=False).exists():
            problems.append(
                ("ctai.diagnosis.required", "Le diagnostic territorial doit être terminé avant la signature.")
            )
        for name in (
            "coordinator_name",
            "coordinator_role",
            "coordinator_contact",
            "elected_official_name",
            "prefect_name",
            "delegate_name",
        ):
            if name in data:
                setattr(self, name, str(data[name] or "").strip())
        if "coordinator_recruiting" in data:
            self.coordinator_recruiting = bool(data["coordinator_recruiting"]) and not self.coordinator_name
        if not self.elected_official_name or not self.prefect_name:
            problems.append(("ctai.signatories.required", "Indiquez l'élu et le préfet signataires."))
        if problems:
            raise TransitionError([m for _, m in problems], code="sign_incomplete", rule_ids=[r for r, _ in problems])
        self._refuse_if_blocking(dict(self.rules) or self.campaign.rules())
        self.signed_on = as_date(data.get("signed_on"), "la date de signature", "signed_on")
        self.effective_from = as_date(
            data.get("effective_from") or self.signed_on, "la date de prise d'effet", "effective_from"
        )
        if data.get("effective_to"):
            self.effective_to = as_date(data["effective_to"], "la date de fin d'effet", "effective_to")
            if self.effective_to < self.effective_from:
                raise TransitionError("La fin d'effet précède la prise d'effet.", code="effective_to")
        if data.get("duration_years") not in (None, ""):
            try:
                self.duration_years = int(data["duration_years"])
            except (TypeError, ValueError):
                self.duration_years = 0
            if self.duration_years < 1:
                raise TransitionError("La durée du contrat est d'au moins un an.", code="duration_years")

    @transition(field=state, source=[S.SIGNED], target=S.ENDED, permission=perm.may_decide)
    def end(self, *, user: Any, reason: str = "", **data: Any) -> None:
        self.closed_reason = reason

    @transition(field=state, source=list(OPEN_STATES), target=S.ABANDONED, permission=perm.may_abandon)
    def abandon(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """A CTAI that was to widen a CTAIR lets it go: the CTAIR stays in force and may be widened
        by another CTAI (the link stays in the reason and in both timelines' events)."""
        _require_reason(reason, "de l'abandon")
        self.closed_reason = reason
        if self.widens_id is not None:
            self.closed_reason = (
                f"{reason}\n(Ce CTAI devait élargir le CTAIR n° {self.widens_id}, qui reste en vigueur.)"
            )
            self.widens = None

    @transition(field=state, source=[S.SIGNED], target=S.SIGNED, permission=perm.may_abandon)
    def amend(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """Open an amendment (avenant) of a signed contract; `services` creates it, drafted, with
        its objects and its text (`reason`). The contract stays in force meanwhile."""
        _require_reason(reason, "de l'avenant (ce qui change)")

    # F16: the collectivité tells the préfet of its intention to widen its CTAIR to the other
    # primo-arrivants. A signed CTAIR stays in force (`services` opens the CTAI that will be signed in
    # its place, at `widening_declared`); a CTAIR still in negotiation becomes that CTAI, each step
    # already done kept (from `contact`, the declaration stands for the letter).
    @transition(field=state, source=[S.SIGNED], target=S.SIGNED, permission=perm.may_declare_widening)
    @transition(field=state, source=[S.CONTACT], target=S.WIDENING_DECLARED, permission=perm.may_declare_widening)
    @transition(field=state, source=[S.LETTER_RECEIVED], target=S.LETTER_RECEIVED, permission=perm.may_declare_widening)
    @transition(field=state, source=[S.DIAGNOSIS], target=S.DIAGNOSIS, permission=perm.may_declare_widening)
    @transition(field=state, source=[S.DRAFTING], target=S.DRAFTING, permission=perm.may_declare_widening)
    def declare_widening(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """The declaration (`reason`: its text, `declared_on`: when the collectivité made it, today by
        default) is not a lettre d'engagement: no deadline applies to it."""
        _require_reason(reason, "de l'élargissement (le texte de la déclaration d'intention)")
        declared_on = widening_date(data.get("declared_on"))
        if self.state in NEGOTIATION_STATES:
            self.kind = ContractKind.CTAI
            self.widened_in_negotiation = True
            self.widening_declared_on = declared_on
            self.widening_declared_by = user
            self.widening_declaration = reason
            if self.title.startswith("CTAIR"):
                self.title = f"CTAI{self.title[len('CTAIR') :]}"

    @transition(field=state, source=[S.SIGNED], target=S.WIDENED, permission=perm.never)
    def close_as_widened(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """A CTAIR replaced by the CTAI signed in its place (applied by `services` at that `sign`)."""
        if self.kind != ContractKind.CTAIR:
            raise TransitionError("Seul un CTAIR est élargi en CTAI.", code="not_ctair")
        self.closed_reason = reason


def widening_date(value: Any) -> date:
    """The date the collectivité declared its intention to widen its CTAIR (F16): given, or today;
    never in the future."""
    declared_on = as_date(value or timezone.localdate(), "la date de la déclaration d'intention", "declared_on")
    if declared_on > timezone.localdate():
        raise TransitionError("La déclaration d'intention ne peut pas être datée dans le futur.", code="declared_on")
    return declared_on


class Diagnosis(models.Model):
    """The diagnostic territorial of a contract (structured; the attached document comes later)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="diagnosis")
    bpi_count = models.PositiveIntegerField(
        "BPI (bénéficiaires de la protection internationale)", null=True, blank=True
    )
    other_newcomers_count = models.PositiveIntegerField("autres primo-arrivants", null=True, blank=True)
    needs_by_domain = models.JSONField("besoins par domaine", default=dict, blank=True)  # domain code -> text
    existing_offer = BoundedTextField("offre existante", blank=True, default="")
    gaps = BoundedTextField("manques", blank=True, default="")
    completed_at = models.DateTimeField("terminé le", null=True, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "diagnostic territorial"

    def __str__(self) -> str:
        return f"Diagnostic de {self.contract}"

    def needs_labelled(self) -> list[tuple[str, str]]:
        """The needs by domain with the domains' labels, in the domains' order (one query)."""
        needs = {code: str(text) for code, text in (self.needs_by_domain or {}).items() if str(text).strip()}
        if not needs:
            return []
        domains = Domain.objects.filter(code__in=needs).order_by("position", "label").values_list("code", "label")
        labelled = [(label, needs.pop(code)) for code, label in domains]
        return labelled + sorted(needs.items())

    def missing(self) -> list[str]:
        """What the diagnostic still lacks, in French (empty when complete)."""
        missing = []
        if self.bpi_count is None or self.other_newcomers_count is None:
            missing.append("les effectifs du public cible (BPI, autres primo-arrivants)")
        if not any(str(text).strip() for text in (self.needs_by_domain or {}).values()):
            missing.append("les besoins par domaine")
        if not self.existing_offer.strip():
            missing.append("l'offre existante")
        if not self.gaps.strip():
            missing.append("les manques")
        return missing


class ContractTransition(TransitionLog):
    """The log of the contract's life: one row per applied transition. Append-only."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("état de départ", max_length=20, choices=S.choices)
    target = models.CharField("nouvel état", max_length=20, choices=S.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "étape du contrat"
        indexes = [models.Index(fields=["contract", "created_at"], name="contract_transition_by_file")]


# --- Yearly programming of actions ---------------------------------------------------------------

# The campaign's rules checked on a programming (`programme.rules`, instrument PROGRAMMING).
PROGRAMMING_RULE_IDS = frozenset(
    {"ctai.domains.mandatory", "ctai.domains.min", "ctai.base.bounds", "ctai.complement.cap"}
)

P = ProgrammingState
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class ActionPublic(models.TextChoices):
    """Who an action is for. The programme funds actions for BPI and other primo-arrivants (a first
    residence permit for less than five years); other publics are outside it."""

    BPI = "bpi", "BPI uniquement"
    NEWCOMERS = "newcomers", "BPI et autres primo-arrivants"
    ASYLUM_SEEKERS = "asylum_seekers", "Demandeurs d'asile (hors programme)"
    SETTLED = "settled", "Étrangers installés depuis plus de cinq ans (hors programme)"


PROGRAMME_PUBLICS = (ActionPublic.BPI, ActionPublic.NEWCOMERS)


class ProgrammingQuerySet(models.QuerySet["Programming"]):
    def for_user(self, user: Any) -> ProgrammingQuerySet:
        return self.filter(contract__in=Contract.objects.for_user(user))


class Programming(FSMModelMixin, models.Model):
    """A signed contract's programming of actions for one year, and its State funding: the socle
    (budget line 104-15) and the complement (104-12) of `programme.funding`."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="programmings")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="programmings", verbose_name="année")
    state = FSMField("état", max_length=20, choices=P.choices, default=P.DRAFT, protected=True, db_index=True)
    state_changed_at = models.DateTimeField("dans cet état depuis", default=timezone.now)
    base_amount = models.DecimalField("socle demandé (€, action 15)", default=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    complement_amount = models.DecimalField(
        "crédits complémentaires demandés (€, action 12)",
        default=Decimal("0"),
        **MONEY,  # type: ignore[arg-type]
    )
    rules = models.JSONField("règles de la campagne appliquées", default=dict, blank=True)
    changes_reason = BoundedTextField("modifications demandées", blank=True, default="")
    base_commitment = models.OneToOneField(
        "finance.Commitment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    complement_commitment = models.OneToOneField(
        "finance.Commitment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The year's report (bilan), recorded by the authorising officer at `close`: what was spent on
    # each line, which settles the commitments (balance paid, the rest released).
    report_received_on = models.DateField("bilan de l'année reçu le", null=True, blank=True)
    final_base_amount = models.DecimalField("dépensé sur le socle (€, action 15)", null=True, blank=True, **MONEY)  # type: ignore[arg-type]
    final_complement_amount = models.DecimalField(
        "dépensé sur le complément (€, action 12)",
        null=True,
        blank=True,
        **MONEY,  # type: ignore[arg-type]
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = ProgrammingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "state_changed_at"])

    class Meta:
        ordering = ["contract", "campaign__year"]
        verbose_name = "programmation annuelle"
        verbose_name_plural = "programmations annuelles"
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "campaign"],
                name="programming_one_per_contract_year",
                violation_error_message="Ce contrat a déjà une programmation pour cette année.",
            ),
            models.CheckConstraint(
                condition=Q(base_amount__gte=0) & Q(complement_amount__gte=0), name="programming_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[P.COMMITTED, P.CLOSED]) | Q(base_commitment__isnull=False),
                name="programming_committed_has_commitment",
            ),
            models.CheckConstraint(
                condition=~Q(state=P.CLOSED)
                | Q(
                    report_received_on__isnull=False,
                    final_base_amount__isnull=False,
                    final_complement_amount__isnull=False,
                ),
                name="programming_closed_has_report",
            ),
            models.CheckConstraint(
                condition=(Q(final_base_amount__isnull=True) | Q(final_base_amount__lte=F("base_amount")))
                & (Q(final_complement_amount__isnull=True) | Q(final_complement_amount__lte=F("complement_amount"))),
                name="programming_spent_within_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"Programmation {self.campaign.year} — {self.contract}"

    @property
    def year(self) -> int:
        return self.campaign.year

    @property
    def total_amount(self) -> Decimal:
        return self.base_amount + self.complement_amount

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_PROGRAMMING_STATES

    # --- Rules and funding ----------------------------------------------------------------------

    def counted_actions(self) -> list[Action]:
        """The actions that make the programming: all of them, except those the Diair sent back
        (they count again once edited and presented anew)."""
        return [a for a in self.actions.all() if a.review != ActionReview.SENT_BACK]

    def rule_subject(self) -> RuleSubject:
        actions = self.counted_actions()
        return RuleSubject(
            instrument=Instrument.PROGRAMMING,
            domains=frozenset(d.code for a in actions for d in a.domains.all()),
            base_amount=self.base_amount,
            complement_amount=self.complement_amount,
            planned_bpi=sum(a.planned_bpi for a in actions),
            planned_newcomers=sum(a.planned_newcomers for a in actions),
        )

    def current_rules(self) -> dict[str, Any]:
        return dict(self.rules) or self.campaign.rules()

    def findings(self, rules: dict[str, Any] | None = None) -> list[Any]:
        """The campaign's rules on this year's programming (domains incl. housing, socle bounds,
        complement cap) and the programming's own checks (`contracts.checks`: each action's part,
        priority, need and CIR link; at least one action; the socle's actions add up to the socle and
        the complement's to the complement)."""
        from contracts.checks import programming_checks

        found = [
            f
            for f in check(self.rule_subject(), rules if rules is not None else self.current_rules())
            if f.rule_id in PROGRAMMING_RULE_IDS
        ]
        return found + programming_checks(
            self.counted_actions(), base_amount=self.base_amount, complement_amount=self.complement_amount
        )

    def funding(self) -> CtaiFunding:
        """The computation the page shows: the highest complement the campaign's rule allows with
        this socle and the planned beneficiaries of the actions."""
        subject = self.rule_subject()
        return ctai_funding(
            base=self.base_amount,
            planned_bpi=subject.planned_bpi or 0,
            planned_newcomers=subject.planned_newcomers or 0,
            rules=self.current_rules(),
        )

    def _refuse_if_blocking(self, rules: dict[str, Any]) -> None:
        stoppers = blocking(self.findings(rules))
        if stoppers:
            raise TransitionError([f.message for f in stoppers], code="rules", rule_ids=[f.rule_id for f in stoppers])

    # --- The workflow (applied by `contracts.programming.apply_transition` only) -----------------

    @transition(
        field=state,
        source=[P.DRAFT, P.CHANGES_REQUESTED],
        target=P.PRESENTED,
        permission=perm.may_edit_programming,
    )
    def present(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """Checked with the campaign's rules of today, which the programming then keeps. An action
        the Diair sent back is edited (it is then examined again) or removed first."""
        if any(a.review == ActionReview.SENT_BACK for a in self.actions.all()):
            raise TransitionError(
                "Modifiez ou retirez d'abord les actions renvoyées par la Diair.", code="actions_sent_back"
            )
        rules = self.campaign.rules()
        self._refuse_if_blocking(rules)
        self.rules = rules
        self.changes_reason = ""

    @transition(field=state, source=[P.PRESENTED], target=P.CHANGES_REQUESTED, permission=perm.may_review_programming)
    def request_changes(self, *, user: Any, reason: str = "", **data: Any) -> None:
        _require_reason(reason, "de la demande de modifications")
        self.changes_reason = reason

    @transition(field=state, source=[P.PRESENTED], target=P.APPROVED, permission=perm.may_review_programming)
    def approve(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """Every action examined; those sent back leave the programming, which must still follow
        the rules (housing, domains, amounts)."""
        actions = list(self.actions.all())
        pending = [a for a in actions if a.review == ActionReview.PENDING]
        if pending:
            raise TransitionError(
                f"Examinez chaque action avant d'approuver : {len(pending)} restent à examiner.",
                code="actions_pending",
            )
        if any(a.review == ActionReview.SENT_BACK for a in actions):
            raise TransitionError(
                "Des actions sont renvoyées : demandez des modifications à la collectivité.",
                code="actions_sent_back",
            )
        self._refuse_if_blocking(self.current_rules())

    @transition(field=state, source=[P.APPROVED], target=P.COMMITTED, permission=perm.may_pay_programming)
    def commit(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """The money moves in `contracts.programming`: socle on 104-15, complement on 104-12, each
        committed with its advance paid (`finance.services.fund`)."""

    @transition(field=state, source=[P.COMMITTED], target=P.APPROVED, permission=perm.may_pay_programming)
    def cancel_commitment(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """The commitments are cancelled in `contracts.programming` (payments reversed first)."""
        _require_reason(reason, "de l'annulation de l'engagement")

    @transition(field=state, source=[P.COMMITTED], target=P.CLOSED, permission=perm.may_pay_programming)
    def close(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """The year's report is received (`report_received_on`, not in the future); the final
        amounts spent per line settle the commitments in `contracts.programming`."""
        received = as_date(data.get("report_received_on"), "la date de réception du bilan", "report_received_on")
        if received > timezone.localdate():
            raise TransitionError("Le bilan ne peut pas être reçu dans le futur.", code="report_received_on")
        self.report_received_on = received


class Action(models.Model):
    """An action of a yearly programming: its carrier, domains, public, beneficiaries and money,
    and the Diair's check of it."""

    programming = models.ForeignKey(Programming, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField("intitulé", max_length=200)
    description = BoundedTextField("description", blank=True, default="")
    carrier_kind = models.CharField(
        "porteur", max_length=12, choices=CarrierKind.choices, default=CarrierKind.AUTHORITY
    )
    carrier_name = models.CharField("nom du porteur", max_length=200, blank=True, default="")
    siret = models.CharField("SIRET du porteur", max_length=14, blank=True, default="")
    rna = models.CharField("RNA du porteur", max_length=10, blank=True, default="")
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="ctai_actions", verbose_name="opérateur"
    )
    domains = models.ManyToManyField(Domain, related_name="ctai_actions", verbose_name="domaines")
    public = models.CharField(
        "public cible", max_length=16, choices=ActionPublic.choices, default=ActionPublic.NEWCOMERS
    )
    planned_bpi = models.PositiveIntegerField("BPI prévus", default=0)
    planned_newcomers = models.PositiveIntegerField("autres primo-arrivants prévus", default=0)
    budget = models.DecimalField("budget total (€)", default=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    state_amount = models.DecimalField("montant demandé à l'État (€)", default=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    # F11: the part of the State funding that carries the action — the socle (BPI, 104-15) or the
    # complement (other primo-arrivants, 104-12).
    part = models.CharField("part du financement", max_length=10, choices=ActionPart.choices, default=ActionPart.BASE)
    # F13: the priority of the national strategy for refugees the action serves.
    priority = models.ForeignKey(
        Priority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ctai_actions",
        verbose_name="priorité de la stratégie nationale",
    )
    # F13: the need of the territorial diagnostic the action answers; F07: how it complements the
    # contrat d'intégration républicaine (CIR) its public signed.
    diagnosis_need = BoundedTextField("besoin du diagnostic auquel l'action répond", blank=True, default="")
    cir_link = BoundedTextField("articulation avec le contrat d'intégration républicaine (CIR)", blank=True, default="")
    review = models.CharField(
        "examen de la Diair", max_length=10, choices=ActionReview.choices, default=ActionReview.PENDING
    )
    review_reason = BoundedTextField("motif du renvoi", blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("examinée le", null=True, blank=True)
    application = models.OneToOneField(
        "CallApplication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action",
        verbose_name="candidature retenue",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programming", "pk"]
        verbose_name = "action"
        constraints = [
            models.CheckConstraint(condition=Q(state_amount__lte=F("budget")), name="action_state_within_budget"),
            models.CheckConstraint(
                condition=~Q(carrier_kind=CarrierKind.ASSOCIATION) | ~Q(siret=""), name="action_association_has_siret"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def in_programme(self) -> bool:
        return self.public in PROGRAMME_PUBLICS

    def above_evaluation_threshold(self, rules: dict[str, Any]) -> bool:
        """F23: the biggest actions (State amount at or above the campaign's evaluation threshold)
        may get a deeper qualitative evaluation, decided in steering committee."""
        return self.state_amount >= Decimal(rules["evaluation_threshold"])


class ProgrammingTransition(TransitionLog):
    """The log of a programming's life: one row per applied transition. Append-only."""

    programming = models.ForeignKey(Programming, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("état de départ", max_length=20, choices=P.choices)
    target = models.CharField("nouvel état", max_length=20, choices=P.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "étape de la programmation"
        indexes = [models.Index(fields=["programming", "created_at"], name="programming_transition_by_file")]


# --- Calls for projects (appels à projets) -------------------------------------------------------


class CallQuerySet(models.QuerySet["Call"]):
    def published(self) -> CallQuerySet:
        return self.filter(state=CallState.PUBLISHED)

    def open(self, today: date | None = None) -> CallQuerySet:
        """Published and not past their deadline: what the public and the opérateurs see."""
        return self.published().filter(deadline__gte=today or timezone.localdate())

    def for_user(self, user: Any) -> CallQuerySet:
        """Agents: their collectivité's calls; State roles: those of their territory; opérateurs
        and everyone else: the published ones."""
        scope = scope_of(user)
        if scope.national:
            return self
        return self.filter(
            Q(authority_id__in=scope.authority_ids)
            | Q(contract__department_id__in=scope.department_ids)
            | Q(contract__department__region_id__in=scope.region_ids)
            | Q(state__in=[CallState.PUBLISHED, CallState.CLOSED])
        )


class Call(models.Model):
    """An appel à projets a collectivité publishes to select the actions of its programming."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="calls", verbose_name="contrat")
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="calls", verbose_name="collectivité"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="calls", verbose_name="année")
    title = models.CharField("titre", max_length=200)
    text = BoundedTextField("texte de l'appel")
    domains = models.ManyToManyField(Domain, related_name="calls", verbose_name="domaines")
    deadline = models.DateField("date limite de dépôt")
    budget = models.DecimalField("budget (€)", **MONEY)  # type: ignore[arg-type]
    state = models.CharField("état", max_length=10, choices=CallState.choices, default=CallState.DRAFT, db_index=True)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = CallQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deadline", "-pk"]
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=CallState.PUBLISHED) | Q(published_at__isnull=False), name="call_published_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: date | None = None) -> bool:
        return self.state == CallState.PUBLISHED and self.deadline >= (today or timezone.localdate())


class CallApplication(models.Model):
    """An opérateur's answer to a call; scored and selected (or not) by the collectivité."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name="appel")
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="applications", verbose_name="opérateur"
    )
    title = models.CharField("intitulé de l'action", max_length=200)
    description = BoundedTextField("description")
    domains = models.ManyToManyField(Domain, related_name="call_applications", verbose_name="domaines")
    public = models.CharField(
        "public cible", max_length=16, choices=ActionPublic.choices, default=ActionPublic.NEWCOMERS
    )
    planned_bpi = models.PositiveIntegerField("BPI prévus", default=0)
    planned_newcomers = models.PositiveIntegerField("autres primo-arrivants prévus", default=0)
    budget = models.DecimalField("budget total (€)", **MONEY)  # type: ignore[arg-type]
    requested_amount = models.DecimalField("montant demandé (€)", **MONEY)  # type: ignore[arg-type]
    status = models.CharField(
        "décision", max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    score = models.PositiveSmallIntegerField(
        "note (sur 20)", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(20)]
    )
    score_comment = BoundedTextField("appréciation", blank=True, default="")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("déposée le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "-score", "pk"]
        verbose_name = "candidature"
        constraints = [
            models.UniqueConstraint(
                fields=["call", "operator", "title"],
                name="application_unique_per_operator_title",
                violation_error_message="Cet opérateur a déjà déposé une action de ce titre sur cet appel.",
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__lte=F("budget")), name="application_request_within_budget"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=20)), name="application_score_0_20"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.operator})"


# --- Amendments (avenants) -----------------------------------------------------------------------


class Amendment(FSMModelMixin, models.Model):
    """An avenant to a signed contract: what it changes, its own small life (drafted → signed)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField("numéro")
    objects_changed = models.JSONField("objets", default=list)  # AmendmentObject values
    summary = BoundedTextField("ce que l'avenant change")
    new_effective_to = models.DateField("nouvelle fin d'effet", null=True, blank=True)
    new_duration_years = models.PositiveSmallIntegerField(
        "nouvelle durée (années)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    state = FSMField(
        "état", max_length=10, choices=AmendmentState.choices, default=AmendmentState.DRAFTED, protected=True
    )
    signed_on = models.DateField("signé le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = "avenant"
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_number_unique"),
            models.CheckConstraint(
                condition=~Q(state=AmendmentState.SIGNED) | Q(signed_on__isnull=False), name="amendment_signed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number} — {self.contract}"

    def objects_labels(self) -> list[str]:
        return [str(AmendmentObject(o).label) for o in self.objects_changed if o in AmendmentObject.values]

    # --- Its own workflow (F24), applied by `contracts.amendments.apply_transition` only ----------

    @transition(
        field=state, source=[AmendmentState.DRAFTED], target=AmendmentState.SIGNED, permission=perm.may_sign_amendment
    )
    def sign(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """The préfet records the signature (`signed_on`); the new end of effect and duration apply
        to the contract, which `contracts.amendments` saves (its history keeps the new version)."""
        contract = self.contract
        if contract.state != S.SIGNED:
            raise TransitionError(
                "Le contrat n'est plus en vigueur : l'avenant ne peut plus être signé.", code="contract_not_in_force"
            )
        self.signed_on = as_date(data.get("signed_on"), "la date de signature de l'avenant", "signed_on")
        if contract.signed_on and self.signed_on < contract.signed_on:
            raise TransitionError("L'avenant ne peut pas être signé avant le contrat.", code="signed_on")
        if self.new_effective_to is not None:
            if contract.effective_from and self.new_effective_to < contract.effective_from:
                raise TransitionError(
                    "La nouvelle fin d'effet précède la prise d'effet du contrat.", code="effective_to"
                )
            contract.effective_to = self.new_effective_to
        if self.new_duration_years is not None:
            contract.duration_years = self.new_duration_years

    @transition(
        field=state,
        source=[AmendmentState.DRAFTED],
        target=AmendmentState.ABANDONED,
        permission=perm.may_abandon_amendment,
    )
    def abandon(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """The reason is kept on the log row (`AmendmentTransition`)."""
        _require_reason(reason, "de l'abandon de l'avenant")


class AmendmentTransition(TransitionLog):
    """The log of an amendment's life: one row per applied transition. Append-only."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("état de départ", max_length=10, choices=AmendmentState.choices)
    target = models.CharField("nouvel état", max_length=10, choices=AmendmentState.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "étape de l'avenant"
        indexes = [models.Index(fields=["amendment", "created_at"], name="amendment_transition_by_file")]


# --- Steering committees (comités de pilotage, step 7) ---------------------------------------------


class SteeringCommittee(models.Model):
    """A steering committee of a contract in force, organised by the Diair with the Ministry (F23):
    when it met, who sat, its minutes and decisions, and the biggest actions it retains for a deeper
    qualitative evaluation."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="committees")
    held_on = models.DateField("date du comité")
    participants = BoundedTextField("participants")
    summary = BoundedTextField("compte rendu")
    decisions = BoundedTextField("décisions et suites", blank=True, default="")
    evaluated_actions = models.ManyToManyField(
        Action, blank=True, related_name="committees", verbose_name="actions retenues pour une évaluation approfondie"
    )
    organised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        ordering = ["contract", "-held_on", "-pk"]
        verbose_name = "comité de pilotage"
        verbose_name_plural = "comités de pilotage"
        indexes = [models.Index(fields=["contract", "held_on"], name="committee_by_contract")]

    def __str__(self) -> str:
        return f"Comité de pilotage du {self.held_on:%d/%m/%Y} — {self.contract}"
