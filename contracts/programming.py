"""Writing the yearly programmings of a signed CTAI: their actions, the Diair's check of each
action, and the programming's life (present → changes requested / approved → committed → closed).

Keyword-only functions; each checks the permission, writes, records the audit `Event` in the same
transaction. A refusal is a `TransitionError` (French messages, rule ids) or a `PermissionDenied`,
and nothing is written. The transitions go through the platform's one mechanism
(`programme.workflow`), as the PTAI's and the contract's; the e-mails leave after the commit
(`contracts.tasks.after_programming_transition`).

Money (F41, F43), the one path of a funded file (`finance.services`, as the PTAI's): at `commit`
the authorising officer of the contract's département (its préfet, or an instructeur with his
délégation de signature) commits the socle on the département's envelope of budget line 104-15
(réfugiés) and the complement on 104-12 (autres primo-arrivants), each a `finance.Commitment` of the
programming with its advance paid at the campaign's rate (`fund`); both or neither (one
transaction, envelopes locked). At `close`, on the year's report, the final amount spent on each
line pays its balance and releases the rest (`settle`). `cancel_commitment` reverses the payments
then the commitments (`finance.services.cancel_commitment`) and sends the programming back to
`approved`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record_event
from contracts import permissions
from contracts.enums import (
    ActionPart,
    ActionReview,
    CarrierKind,
    ContractState,
    ProgrammingState,
    ProgrammingTransitionName,
)
from contracts.models import Action, Contract, Programming, ProgrammingTransition
from contracts.tasks import after_programming_transition
from core.formats import format_euros
from core.validators import validate_rna, validate_siret
from finance.balances import commitment_totals
from finance.models import Commitment
from finance.services import FinanceError, cancel_commitment, department_envelope, fund, parse_amount, settle
from programme.enums import BudgetLineCode
from programme.errors import TransitionError
from programme.models import Campaign, Domain, Priority
from programme.workflow import AvailableTransition, TransitionForm, Workflow
from reporting.services import require_accepted_final_report

T = ProgrammingTransitionName

FORMS: dict[str, TransitionForm] = {
    T.PRESENT: TransitionForm(reason="optional", reason_label="Message à la Diair"),
    T.REQUEST_CHANGES: TransitionForm(
        reason="required", reason_label="Modifications demandées", notifies_applicant=True
    ),
    T.APPROVE: TransitionForm(reason="optional", reason_label="Observations", notifies_applicant=True),
    T.COMMIT: TransitionForm(notifies_applicant=True),
    T.CANCEL_COMMITMENT: TransitionForm(
        reason="required", reason_label="Motif de l'annulation de l'engagement", notifies_applicant=True
    ),
    T.CLOSE: TransitionForm(
        reason="optional",
        reason_label="Observations sur le bilan",
        fields=("report_received_on", "final_base_amount", "final_complement_amount"),
        notifies_applicant=True,
    ),
}

PROGRAMMING = Workflow(
    names=ProgrammingTransitionName,
    states=ProgrammingState,
    forms=FORMS,
    noun="Cette programmation",
    pronoun="elle",
)

ACTION_FIELDS = frozenset(
    {
        "title",
        "description",
        "diagnosis_need",
        "cir_link",
        "carrier_kind",
        "carrier_name",
        "siret",
        "rna",
        "operator",
        "public",
        "planned_bpi",
        "planned_newcomers",
        "budget",
        "state_amount",
        "part",
        "priority",
    }
)


def available_transitions(programming: Programming, user: Any) -> list[AvailableTransition]:
    return PROGRAMMING.available(programming, user)


def _money(value: Any, what: str) -> Decimal:
    """Zero or more euros, in cents (`finance.services.parse_amount`); refused with `what` named."""
    try:
        return parse_amount(value, allow_zero=True)
    except FinanceError as exc:
        raise TransitionError(f"{what[0].upper()}{what[1:]} : {' '.join(exc.messages)}", code="amount") from exc


def _lock_editable(programming: Programming, user: Any) -> Programming:
    locked = (
        Programming.objects.select_for_update(of=("self",))
        .select_related("contract__department", "contract__authority", "campaign")
        .get(pk=programming.pk)
    )
    if not permissions.may_edit_programming(locked, user):
        raise PermissionDenied("Seuls les agents de la collectivité préparent la programmation.")
    if not locked.is_editable:
        raise TransitionError(
            f"La programmation est « {locked.get_state_display().lower()} » : elle ne se modifie plus.",
            code="not_editable",
        )
    return locked


# --- The programming ---------------------------------------------------------------------------


@transaction.atomic
def create_programming(
    *, user: Any, contract: Contract, campaign: Campaign, base_amount: Any = 0, complement_amount: Any = 0
) -> Programming:
    """A programming for `campaign`'s year of a signed contract (one per year), prepared by the
    collectivité's agents."""
    locked = Contract.objects.select_for_update(of=("self",)).select_related("department").get(pk=contract.pk)
    if not permissions.is_agent(locked, user):
        raise PermissionDenied("Seuls les agents de la collectivité préparent la programmation.")
    if locked.state != ContractState.SIGNED:
        raise TransitionError("Une programmation se prépare pour un contrat signé et en vigueur.", code="not_signed")
    if locked.signed_on and campaign.year < locked.signed_on.year:
        raise TransitionError(
            f"Le contrat est signé en {locked.signed_on.year} : pas de programmation {campaign.year}.", code="year"
        )
    if locked.effective_to and campaign.year > locked.effective_to.year:
        raise TransitionError(
            f"Le contrat prend fin en {locked.effective_to.year} : pas de programmation {campaign.year}.", code="year"
        )
    if Programming.objects.filter(contract=locked, campaign=campaign).exists():
        raise TransitionError(f"Ce contrat a déjà une programmation {campaign.year}.", code="duplicate_year")
    programming = Programming(
        contract=locked,
        campaign=campaign,
        base_amount=_money(base_amount, "le socle"),
        complement_amount=_money(complement_amount, "les crédits complémentaires"),
    )
    try:
        with transaction.atomic():
            programming.save()
    except IntegrityError:
        raise TransitionError(f"Ce contrat a déjà une programmation {campaign.year}.", code="duplicate_year") from None
    record_event(
        actor=user,
        verb="contracts.programming_created",
        target=locked,
        details={"année": campaign.year, "programmation": f"n° {programming.pk}"},
    )
    return programming


@transaction.atomic
def set_amounts(*, user: Any, programming: Programming, base_amount: Any, complement_amount: Any) -> Programming:
    """The socle and the complement the collectivité asks for this year. The bounds and the cap
    are the campaign's rules: shown by `findings()`, enforced at `present`."""
    locked = _lock_editable(programming, user)
    locked.base_amount = _money(base_amount, "le socle")
    locked.complement_amount = _money(complement_amount, "les crédits complémentaires")
    locked.save(update_fields=["base_amount", "complement_amount", "updated_at"])
    record_event(
        actor=user,
        verb="contracts.programming_amounts",
        target=locked.contract,
        details={
            "année": locked.year,
            "socle": format_euros(locked.base_amount),
            "complément": format_euros(locked.complement_amount),
        },
    )
    return locked


def _clean_action(action: Action) -> None:
    errors: dict[str, list[str]] = {}
    if not action.title.strip():
        errors["title"] = ["Indiquez l'intitulé de l'action."]
    if action.carrier_kind == CarrierKind.ASSOCIATION:
        if not action.carrier_name.strip() and action.operator is None:
            errors["carrier_name"] = ["Indiquez le nom de l'association porteuse."]
        try:
            validate_siret(action.siret)
        except ValidationError as exc:
            errors["siret"] = list(exc.messages)
        if action.rna:
            try:
                validate_rna(action.rna)
            except ValidationError as exc:
                errors["rna"] = list(exc.messages)
    else:
        action.siret = action.rna = ""
        action.operator = None
    if action.part not in ActionPart.values:
        errors["part"] = ["Choisissez la part du financement qui porte l'action : le socle ou le complément."]
    if action.state_amount > action.budget:
        errors["state_amount"] = ["Le montant demandé à l'État ne peut pas dépasser le budget total de l'action."]
    if errors:
        raise ValidationError(errors)


def _write_action(action: Action, fields: dict[str, Any]) -> None:
    unknown = set(fields) - ACTION_FIELDS - {"domains"}
    if unknown:
        raise TypeError(f"Unknown action fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "domains":
            continue
        if name == "priority":
            value = _priority(value)
        elif name in ("budget", "state_amount"):
            value = _money(value, "le budget" if name == "budget" else "le montant demandé à l'État")
        elif name in ("planned_bpi", "planned_newcomers"):
            value = int(value or 0)
        elif isinstance(value, str):
            value = value.strip()
        setattr(action, name, value)
    _clean_action(action)


def _priority(value: Any) -> Priority | None:
    """The priority of the national strategy named by `value` (a Priority or its code; blank: none)."""
    if value in (None, ""):
        return None
    if isinstance(value, Priority):
        return value
    found = Priority.objects.filter(is_active=True, code=str(value)).first()
    if found is None:
        raise ValidationError(
            {"priority": ["Choisissez une priorité de la stratégie nationale parmi celles du programme."]}
        )
    return found


def _set_domains(action: Action, domains: Any) -> None:
    found = Domain.objects.filter(is_active=True).matching(domains)
    if not found:
        raise ValidationError({"domains": ["Choisissez au moins un domaine parmi ceux du programme."]})
    action.domains.set(found)


@transaction.atomic
def add_action(*, user: Any, programming: Programming, domains: Any, **fields: Any) -> Action:
    """An action of the programming (draft or changes requested), by the collectivité's agents.
    `domains`: Domain objects or codes. Returns the saved action."""
    locked = _lock_editable(programming, user)
    action = Action(programming=locked)
    _write_action(action, fields)
    action.save()
    _set_domains(action, domains)
    record_event(
        actor=user,
        verb="contracts.action_added",
        target=locked.contract,
        details={"année": locked.year, "action": action.title, "montant État": format_euros(action.state_amount)},
    )
    return action


@transaction.atomic
def update_action(*, user: Any, action: Action, domains: Any = None, **fields: Any) -> Action:
    """Edit an action; one the Diair sent back is examined again at the next presentation."""
    locked_programming = _lock_editable(action.programming, user)
    locked = Action.objects.select_for_update(of=("self",)).get(pk=action.pk, programming=locked_programming)
    _write_action(locked, fields)
    if locked.review == ActionReview.SENT_BACK:
        locked.review = ActionReview.PENDING
    locked.save()
    if domains is not None:
        _set_domains(locked, domains)
    record_event(
        actor=user,
        verb="contracts.action_updated",
        target=locked_programming.contract,
        details={"année": locked_programming.year, "action": locked.title},
    )
    return locked


@transaction.atomic
def remove_action(*, user: Any, action: Action) -> None:
    locked_programming = _lock_editable(action.programming, user)
    locked = Action.objects.select_for_update(of=("self",)).get(pk=action.pk, programming=locked_programming)
    if locked.application_id is not None:
        application = locked.application
        assert application is not None
        from contracts.enums import ApplicationStatus

        application.status = ApplicationStatus.SUBMITTED
        application.save(update_fields=["status"])
    title = locked.title
    locked.delete()
    record_event(
        actor=user,
        verb="contracts.action_removed",
        target=locked_programming.contract,
        details={"année": locked_programming.year, "action": title},
    )


@transaction.atomic
def review_action(*, user: Any, action: Action, decision: str, reason: str = "") -> Action:
    """The Diair accepts an action or sends it back (with a reason) while the programming is
    presented. An action whose public is outside the programme cannot be accepted."""
    programming = (
        Programming.objects.select_for_update(of=("self",))
        .select_related("contract__department", "campaign")
        .get(pk=action.programming_id)
    )
    if not permissions.may_review_programming(programming, user):
        raise PermissionDenied("Seule la Diair examine les actions d'une programmation.")
    if programming.state != ProgrammingState.PRESENTED:
        raise TransitionError("Les actions s'examinent quand la programmation est présentée.", code="not_presented")
    locked = Action.objects.select_for_update(of=("self",)).get(pk=action.pk, programming=programming)
    reason = reason.strip()
    if decision == ActionReview.ACCEPTED:
        if not locked.in_programme:
            raise TransitionError(
                f"Le public de l'action « {locked.title} » ({locked.get_public_display()}) est hors du programme, "
                "qui finance l'accueil et l'intégration des BPI et des autres primo-arrivants : renvoyez-la.",
                code="public_outside",
                rule_ids=["ctai.action.public"],
            )
    elif decision == ActionReview.SENT_BACK:
        if not reason:
            raise TransitionError("Indiquez le motif du renvoi de l'action.", code="reason_required")
    else:
        raise TransitionError("Acceptez ou renvoyez l'action.", code="decision")
    locked.review = decision
    locked.review_reason = reason if decision == ActionReview.SENT_BACK else ""
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["review", "review_reason", "reviewed_by", "reviewed_at"])
    details = {"année": programming.year, "action": locked.title, "examen": ActionReview(decision).label}
    if reason:
        details["motif"] = reason
    record_event(actor=user, verb="contracts.action_reviewed", target=programming.contract, details=details)
    return locked


# --- Transitions ---------------------------------------------------------------------------------


def _label(programming: Programming) -> str:
    return f"CTAI {programming.contract.authority} — programmation {programming.year}"[:200]


def _commit_credits(programming: Programming, user: Any) -> None:
    """Socle on 104-15, complement on 104-12 of the contract's département, each with its advance
    paid at the campaign's rate kept in the programming's rules; both or neither."""
    rules = programming.current_rules()
    department = programming.contract.department
    parts = [
        (BudgetLineCode.REFUGEES, programming.base_amount, "base_commitment"),
        (BudgetLineCode.NEWCOMERS, programming.complement_amount, "complement_commitment"),
    ]
    if programming.base_amount <= 0:
        raise TransitionError("Le socle de la programmation est de 0 € : rien à engager.", code="amount")
    for code, amount, attribute in parts:
        if amount <= 0:
            continue
        envelope = department_envelope(
            campaign=programming.campaign, line_code=code, department=department, rules=rules
        )
        commitment = fund(
            actor=user, envelope=envelope, amount=amount, funded=programming, label=_label(programming), rules=rules
        )
        setattr(programming, attribute, commitment)


def _commitments(programming: Programming) -> list[tuple[str, Commitment]]:
    """The programming's commitments, by attribute (the complement's may not exist)."""
    found = []
    for attribute in ("base_commitment", "complement_commitment"):
        commitment = getattr(programming, attribute)
        if commitment is not None:
            found.append((attribute, commitment))
    return found


def _cancel_commitments(programming: Programming, user: Any, reason: str) -> None:
    """Reverse the payments then the commitments (the money goes back to the envelopes); the
    programming is approved again, to be committed anew."""
    for attribute, commitment in _commitments(programming):
        cancel_commitment(actor=user, commitment=commitment, reason=f"{_label(programming)} : {reason}")
        setattr(programming, attribute, None)


def _settle(programming: Programming, user: Any, data: dict[str, Any]) -> None:
    """On the year's report: each line's final amount spent (blank: the whole commitment) pays its
    balance and releases the rest (`finance.services.settle`)."""
    reason = f"Bilan {programming.year} de {programming.contract.authority}"
    base = programming.base_commitment
    assert base is not None, "a committed programming has its socle's commitment"
    programming.final_base_amount = settle(
        actor=user, commitment=base, final=data.get("final_base_amount"), reason=f"{reason} (socle)"
    )
    complement = programming.complement_commitment
    if complement is None:
        if _money(data.get("final_complement_amount"), "le montant dépensé sur le complément") > 0:
            raise TransitionError(
                "Aucun crédit complémentaire n'a été engagé cette année : rien n'a pu être dépensé dessus.",
                code="final_complement_amount",
            )
        programming.final_complement_amount = Decimal("0.00")
    else:
        programming.final_complement_amount = settle(
            actor=user,
            commitment=complement,
            final=data.get("final_complement_amount"),
            reason=f"{reason} (complément)",
        )


def _paid(programming: Programming) -> Decimal:
    ids = [commitment.pk for _, commitment in _commitments(programming)]
    return sum((paid for _, paid in commitment_totals(ids).values()), Decimal("0.00"))


@dataclass(frozen=True)
class MoneyLine:
    """One budget line of a committed programming, as the ledger says (`finance.balances`)."""

    label: str
    code: str
    committed: Decimal  # net of what was released at the year's report
    paid: Decimal
    spent: Decimal | None  # the final amount of the year's report, once closed

    @property
    def to_pay(self) -> Decimal:
        return self.committed - self.paid


def money_lines(programming: Programming) -> list[MoneyLine]:
    """Committed, paid and to pay on each line of the programming's commitments (one grouped query)."""
    lines = [
        ("Socle", BudgetLineCode.REFUGEES, programming.base_commitment_id, programming.final_base_amount),
        (
            "Complément",
            BudgetLineCode.NEWCOMERS,
            programming.complement_commitment_id,
            programming.final_complement_amount,
        ),
    ]
    totals = commitment_totals([pk for _, _, pk, _ in lines if pk is not None])
    return [MoneyLine(label, str(code), *totals[pk], spent) for label, code, pk, spent in lines if pk is not None]


def _move_money(programming: Programming, name: str, user: Any, reason: str, data: dict[str, Any]) -> None:
    """What each transition does on the ledger (`finance.services`, the PTAI's one money path)."""
    try:
        if name == T.COMMIT:
            _commit_credits(programming, user)
        elif name == T.CANCEL_COMMITMENT:
            _cancel_commitments(programming, user, reason)
        elif name == T.CLOSE:
            require_accepted_final_report(
                programming.actions.filter(review=ActionReview.ACCEPTED).order_by("pk"), "des actions de l'année"
            )
            _settle(programming, user, data)
    except FinanceError as exc:
        raise TransitionError(exc.messages, code=f"finance_{exc.code or 'refused'}") from exc


@transaction.atomic
def apply_transition(*, programming: Programming, name: str, user: Any, reason: str = "", **data: Any) -> Programming:
    """Apply the transition `name` for `user`, once (lock, re-read, guard of `programme.workflow`),
    run its checks (rules at `present`, every action examined at `approve`), move the money (commit
    and advance at `commit`, balance and release at `close`, reversals at `cancel_commitment`), write
    the log row and the audit event, and enqueue after the commit the task that sends the e-mails.
    Returns the programming as saved."""
    locked = PROGRAMMING.lock(
        Programming.objects.select_related("contract__department", "contract__authority", "campaign"), programming
    )
    PROGRAMMING.guard(locked, programming.state, name, user)
    source = locked.state
    reason = reason.strip()
    getattr(locked, name)(user=user, reason=reason, **data)
    _move_money(locked, name, user, reason, data)
    locked.state_changed_at = timezone.now()
    locked.save()
    log = ProgrammingTransition.objects.create(
        programming=locked, transition=name, source=source, target=locked.state, actor=user, reason=reason
    )
    details: dict[str, Any] = {
        "année": locked.year,
        "de": ProgrammingState(source).label,
        "vers": ProgrammingState(locked.state).label,
    }
    if reason:
        details["motif"] = reason
    if name == T.COMMIT:
        details["socle (104-15)"] = format_euros(locked.base_amount)
        details["complément (104-12)"] = format_euros(locked.complement_amount)
        details["avance versée"] = format_euros(_paid(locked))
    if name == T.CLOSE and locked.report_received_on:
        details["bilan reçu le"] = locked.report_received_on.strftime("%d/%m/%Y")
        details["dépensé sur le socle"] = format_euros(locked.final_base_amount)
        details["dépensé sur le complément"] = format_euros(locked.final_complement_amount)
        details["versé en tout"] = format_euros(_paid(locked))
    record_event(actor=user, verb=f"contracts.programming_{name}", target=locked.contract, details=details)
    # E-mails once the transition is committed, whatever door applied it.
    transaction.on_commit(partial(after_programming_transition.enqueue, log.pk))
    return locked
