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
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from contracts import permissions as perm
from contracts.enums import IN_FORCE_STATES, OPEN_STATES, ContractKind, ContractState
from programme.enums import Instrument
from programme.errors import TransitionError
from programme.models import Campaign
from programme.rules import RuleSubject, blocking, check
from programme.workflow import TransitionLog
from referential.models import Authority, Department, scope_of

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


def _as_date(value: Any, what: str, code: str) -> date:
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
    closed_reason = models.TextField("motif de clôture", blank=True, default="")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ContractQuerySet.as_manager()

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
        ]

    def __str__(self) -> str:
        return self.title or f"{ContractKind(self.kind).label} {self.authority}"

    # --- Rules ----------------------------------------------------------------------------------

    def rule_subject(self) -> RuleSubject:
        authority = self.authority
        return RuleSubject(
            instrument=Instrument.CTAI,
            signatory_kind=authority.kind,
            signatory_epci_nature=authority.epci_nature or None,
            letter_date=self.letter_date,
            signature_year=self.signature_year,
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
        self.letter_date = _as_date(data.get("letter_date"), "la date de la lettre d'engagement", "letter_date")
        year = data.get("signature_year") or self.campaign.year + 1
        self.signature_year = int(year)
        rules = self.campaign.rules()
        self._refuse_if_blocking(rules)
        self.rules = rules

    @transition(field=state, source=[S.LETTER_RECEIVED], target=S.DIAGNOSIS, permission=perm.may_diagnose)
    def start_diagnosis(self, *, user: Any, reason: str = "", **data: Any) -> None:
        pass

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
        """Re-checked with the rules the contract kept at its letter; needs the completed diagnostic,
        the coordinator (or "being recruited"), the elected official and the préfet."""
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
            self.coordinator_recruiting = bool(data["coordinator_recruiting"])
        if not self.coordinator_name and not self.coordinator_recruiting:
            problems.append(
                ("ctai.coordinator.required", "Nommez le coordinateur ou indiquez qu'il est en cours de recrutement.")
            )
        if not self.elected_official_name or not self.prefect_name:
            problems.append(("ctai.signatories.required", "Indiquez l'élu et le préfet signataires."))
        if problems:
            raise TransitionError([m for _, m in problems], code="sign_incomplete", rule_ids=[r for r, _ in problems])
        self._refuse_if_blocking(dict(self.rules) or self.campaign.rules())
        self.signed_on = _as_date(data.get("signed_on"), "la date de signature", "signed_on")
        self.effective_from = _as_date(
            data.get("effective_from") or self.signed_on, "la date de prise d'effet", "effective_from"
        )
        if data.get("effective_to"):
            self.effective_to = _as_date(data["effective_to"], "la date de fin d'effet", "effective_to")
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
        _require_reason(reason, "de l'abandon")
        self.closed_reason = reason

    @transition(field=state, source=[S.SIGNED], target=S.WIDENED, permission=perm.never)
    def close_as_widened(self, *, user: Any, reason: str = "", **data: Any) -> None:
        """A CTAIR replaced by the CTAI signed in its place (applied by `services` at that `sign`)."""
        if self.kind != ContractKind.CTAIR:
            raise TransitionError("Seul un CTAIR est élargi en CTAI.", code="not_ctair")
        self.closed_reason = reason


class Diagnosis(models.Model):
    """The diagnostic territorial of a contract (structured; the attached document comes later)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="diagnosis")
    bpi_count = models.PositiveIntegerField(
        "BPI (bénéficiaires de la protection internationale)", null=True, blank=True
    )
    other_newcomers_count = models.PositiveIntegerField("autres primo-arrivants", null=True, blank=True)
    needs_by_domain = models.JSONField("besoins par domaine", default=dict, blank=True)  # domain code -> text
    existing_offer = models.TextField("offre existante", blank=True, default="")
    gaps = models.TextField("manques", blank=True, default="")
    completed_at = models.DateTimeField("terminé le", null=True, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "diagnostic territorial"

    def __str__(self) -> str:
        return f"Diagnostic de {self.contract}"

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
