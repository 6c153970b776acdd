"""Writing CTAI: a contract's creation, its diagnostic, its coordinator, and every transition of its
life (the widening of a CTAIR included).

Keyword-only functions; each checks the permission, writes, and records the audit `Event` in the
same transaction. A refusal is a `TransitionError` (French messages, rule ids) or a
`PermissionDenied`, and nothing is written. What follows a transition (e-mails) is a task enqueued
after the commit (`contracts.tasks`), whatever door applied it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record_event
from contracts import permissions
from contracts.amendments import open_amendment
from contracts.enums import COORDINATOR_STATES, ContractKind, ContractState, CoordinatorStatus, TransitionName
from contracts.models import Contract, ContractTransition, Diagnosis, widening_date
from contracts.tasks import after_contract_transition
from contracts.workflow import CONTRACT, AvailableTransition, available_transitions
from programme.errors import TransitionError
from programme.models import Campaign
from referential.models import Authority, Department

__all__ = [
    "AvailableTransition",
    "TransitionError",
    "apply_transition",
    "available_transitions",
    "create_contract",
    "department_for",
    "record_coordinator",
    "save_diagnosis",
]

IN_FORCE_MESSAGE = "{authority} a déjà un contrat en vigueur : un seul contrat en vigueur par collectivité."


def department_for(authority: Authority) -> Department:
    """The préfet's département: the authority's main one; for a région, its first by code."""
    if authority.department_id is not None:
        return Department.objects.get(pk=authority.department_id)
    department = Department.objects.filter(region_id=authority.region_id).order_by("code").first()
    if department is None:
        raise TransitionError("Cette collectivité n'a pas de département.", code="department")
    return department


@transaction.atomic
def create_contract(
    *,
    user: Any,
    authority: Authority,
    campaign: Campaign,
    kind: str = ContractKind.CTAI,
    title: str = "",
) -> Contract:
    """A contract at `contact`, opened by an agent of the collectivité, the préfet of its
    département or the Diair. The CTAI that widens a CTAIR is not opened here: it starts from the
    collectivité's declaration of intent, the CTAIR's transition `declare_widening` (F16)."""
    contract = Contract(
        kind=kind, campaign=campaign, authority=authority, department=department_for(authority), title=title
    )
    contract.created_by = user
    if not (
        permissions.is_agent(contract, user)
        or permissions.is_prefect(contract, user)
        or permissions.is_diair(contract, user)
    ):
        raise PermissionDenied("Seuls la collectivité, le préfet de son département et la Diair ouvrent un contrat.")
    contract.save()
    details = {"type": ContractKind(kind).label, "collectivité": str(authority)}
    record_event(actor=user, verb="contracts.created", target=contract, details=details)
    return contract


DIAGNOSIS_FIELDS = frozenset({"bpi_count", "other_newcomers_count", "needs_by_domain", "existing_offer", "gaps"})


@transaction.atomic
def save_diagnosis(*, user: Any, contract: Contract, **fields: Any) -> Diagnosis:
    """Save the diagnostic while the contract is at `diagnosis`: the préfet, the Diair or the
    collectivité's agents fill it in."""
    locked = Contract.objects.select_for_update(of=("self",)).select_related("department").get(pk=contract.pk)
    if not (permissions.is_agent(locked, user) or permissions.may_diagnose(locked, user)):
        raise PermissionDenied("Seuls la collectivité, le préfet et la Diair remplissent le diagnostic.")
    if locked.state != ContractState.DIAGNOSIS:
        raise TransitionError("Le diagnostic se remplit à l'étape « diagnostic territorial ».", code="not_editable")
    unknown = set(fields) - DIAGNOSIS_FIELDS
    if unknown:
        raise TypeError(f"Unknown diagnosis fields: {sorted(unknown)}")
    diagnosis, _ = Diagnosis.objects.get_or_create(contract=locked)
    for name, value in fields.items():
        setattr(diagnosis, name, value)
    diagnosis.full_clean(exclude=["contract"])
    diagnosis.save()
    labels = [str(getattr(Diagnosis._meta.get_field(name), "verbose_name", name)) for name in sorted(fields)]
    record_event(actor=user, verb="contracts.diagnosis_saved", target=locked, details={"champs": ", ".join(labels)})
    return diagnosis


def _coordinator_label(contract: Contract) -> str:
    status = contract.coordinator_status
    if status == CoordinatorStatus.NAMED:
        return ", ".join(part for part in (contract.coordinator_name, contract.coordinator_role) if part)
    return str(status.label).lower()


@transaction.atomic
def record_coordinator(
    *, user: Any, contract: Contract, name: str = "", role: str = "", contact: str = "", recruiting: bool = False
) -> Contract:
    """F20: the collectivité MAY name or recruit a dedicated coordinator. Its agents (or the préfet)
    record it — named, being recruited, or none — at any step before the signature and while the
    contract is in force. A new version of the contract (its history) and an audit event."""
    locked = Contract.objects.select_for_update(of=("self",)).select_related("department").get(pk=contract.pk)
    if not permissions.may_record_coordinator(locked, user):
        raise PermissionDenied("Seuls la collectivité et le préfet enregistrent le coordinateur du contrat.")
    if locked.state not in COORDINATOR_STATES:
        raise TransitionError(
            f"Le contrat est « {locked.get_state_display().lower()} » : son coordinateur ne se modifie plus.",
            code="not_editable",
        )
    name, role, contact = name.strip(), role.strip(), contact.strip()
    if name and recruiting:
        raise TransitionError(
            "Un coordinateur nommé n'est pas en cours de recrutement : indiquez son nom, ou cochez « en cours "
            "de recrutement » sans nom.",
            code="coordinator",
        )
    if (role or contact) and not name and not recruiting:
        raise TransitionError("Indiquez le nom du coordinateur.", code="coordinator")
    before = _coordinator_label(locked)
    locked.coordinator_name, locked.coordinator_role, locked.coordinator_contact = name, role, contact
    locked.coordinator_recruiting = recruiting
    after = _coordinator_label(locked)
    locked._history_user = user  # type: ignore[attr-defined]
    locked._change_reason = "Coordinateur enregistré"  # type: ignore[attr-defined]
    locked.save()
    details = {"coordinateur": f"{before} → {after}"}
    record_event(actor=user, verb="contracts.coordinator_recorded", target=locked, details=details)
    return locked


def _campaign_of(day: Any) -> Campaign:
    """The campaign of a declaration made on `day`: its year's, else the latest before it."""
    campaign = Campaign.objects.filter(year__lte=day.year).order_by("-year").first()
    if campaign is None:
        raise TransitionError(f"Aucune campagne n'est ouverte en {day.year}.", code="campaign")
    return campaign


def _open_widening_ctai(ctair: Contract, user: Any, reason: str, declared_on: Any) -> Contract:
    """F16, a signed CTAIR: the CTAI to be signed in its place, opened at `widening_declared` from the
    collectivité's declaration (no lettre d'engagement), with the campaign's rules of today."""
    campaign = _campaign_of(declared_on)
    ctai = Contract(
        kind=ContractKind.CTAI,
        campaign=campaign,
        authority=ctair.authority,
        department=ctair.department,
        title=f"CTAI — {ctair.authority.name}"[:200],
        state=ContractState.WIDENING_DECLARED,
        widens=ctair,
        widening_declared_on=declared_on,
        widening_declared_by=user,
        widening_declaration=reason,
        rules=campaign.rules(),
        created_by=user,
    )
    ctai._history_user = user  # type: ignore[attr-defined]
    ctai._change_reason = "Ouvert par la déclaration d'intention d'élargir le CTAIR"  # type: ignore[attr-defined]
    ctai.save()
    record_event(
        actor=user,
        verb="contracts.created",
        target=ctai,
        details={
            "type": ContractKind.CTAI.label,
            "collectivité": str(ctai.authority),
            "élargit": f"{ctair} (n° {ctair.pk})",
            "intention déclarée le": declared_on.strftime("%d/%m/%Y"),
        },
    )
    return ctai


def _in_force_elsewhere(contract: Contract) -> bool:
    others = Contract.objects.filter(authority_id=contract.authority_id, state=ContractState.SIGNED)
    others = others.exclude(pk=contract.pk)
    if contract.widens_id is not None:
        others = others.exclude(pk=contract.widens_id)
    return others.exists()


def _close_widened(contract: Contract, user: Any) -> Contract | None:
    """At the signature of a CTAI that widens a CTAIR: close the CTAIR as `widened`, logged and
    audited with the link on both sides."""
    if contract.widens_id is None:
        return None
    ctair = Contract.objects.select_for_update(of=("self",)).get(pk=contract.widens_id)
    source = ctair.state
    if source != ContractState.SIGNED:
        raise TransitionError("Le CTAIR élargi n'est plus en vigueur.", code="widens")
    reason = f"Élargi en CTAI : {contract} (n° {contract.pk})."
    ctair.close_as_widened(user=user, reason=reason)
    ctair.state_changed_at = timezone.now()
    ctair.save()
    ContractTransition.objects.create(
        contract=ctair, transition="close_as_widened", source=source, target=ctair.state, actor=user, reason=reason
    )
    record_event(
        actor=user,
        verb="contracts.widened",
        target=ctair,
        details={
            "de": ContractState(source).label,
            "vers": ContractState(ctair.state).label,
            "CTAI": f"n° {contract.pk}",
        },
    )
    return ctair


@transaction.atomic
def apply_transition(*, contract: Contract, name: str, user: Any, reason: str = "", **data: Any) -> Contract:
    """Apply the transition `name` for `user`, once: lock the row, re-read its state, check that it
    is available to this user, run its checks (programme rules, diagnostic, signatories), open the
    CTAI that widens a signed CTAIR at `declare_widening`, close a widened CTAIR at `sign`, write the
    log row and the audit event, and enqueue after the commit the task that sends the e-mails
    (`contracts.tasks.after_contract_transition`). Returns the contract as saved.

    Refusals: `TransitionError` — "state_changed" (moved since read: a double click applies once),
    "not_allowed", "rules" with the rule ids, "in_force" (one contract in force per collectivité).
    """
    locked = CONTRACT.lock(Contract.objects.select_related("campaign", "department", "authority"), contract)
    CONTRACT.guard(locked, contract.state, name, user)
    source = locked.state
    reason = reason.strip()
    getattr(locked, name)(user=user, reason=reason, **data)
    amendment = (
        open_amendment(contract=locked, user=user, summary=reason, **data) if name == TransitionName.AMEND else None
    )
    widened = opened = None
    declared_on = None
    if name == TransitionName.DECLARE_WIDENING:
        declared_on = widening_date(data.get("declared_on"))
        if source == ContractState.SIGNED:
            opened = _open_widening_ctai(locked, user, reason, declared_on)
        else:  # a CTAIR in negotiation, carried on as the CTAI (its history shows the change)
            if not locked.rules:
                locked.rules = _campaign_of(declared_on).rules()
            locked._history_user = user  # type: ignore[attr-defined]
            locked._change_reason = "CTAIR élargi en CTAI (déclaration d'intention)"  # type: ignore[attr-defined]
    if name == TransitionName.SIGN:
        if _in_force_elsewhere(locked):
            raise TransitionError(
                IN_FORCE_MESSAGE.format(authority=locked.authority), code="in_force", rule_ids=["ctai.in_force.unique"]
            )
        widened = _close_widened(locked, user)
    locked.state_changed_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:  # a concurrent signature: the database constraint decides
        raise TransitionError(
            IN_FORCE_MESSAGE.format(authority=locked.authority), code="in_force", rule_ids=["ctai.in_force.unique"]
        ) from exc
    log = ContractTransition.objects.create(
        contract=locked, transition=name, source=source, target=locked.state, actor=user, reason=reason
    )
    # E-mails once the transition is committed, whatever door applied it.
    transaction.on_commit(partial(after_contract_transition.enqueue, log.pk))
    details: dict[str, Any] = {"de": ContractState(source).label, "vers": ContractState(locked.state).label}
    if reason:
        details["motif"] = reason
    if name == TransitionName.RECORD_LETTER and locked.letter_date:
        details["lettre du"] = locked.letter_date.strftime("%d/%m/%Y")
    if name == TransitionName.SIGN and locked.signed_on:
        details["signé le"] = locked.signed_on.strftime("%d/%m/%Y")
    if widened is not None:
        details["élargit"] = f"{widened} (n° {widened.pk})"
    if declared_on is not None:
        details["intention déclarée le"] = declared_on.strftime("%d/%m/%Y")
        if opened is not None:
            details["CTAI"] = f"{opened} (n° {opened.pk})"
        else:
            details["type"] = f"{ContractKind.CTAIR.label} → {ContractKind.CTAI.label}"
    if amendment is not None:
        details["avenant"] = f"n° {amendment.number} ({', '.join(amendment.objects_labels())})"
    record_event(actor=user, verb=f"contracts.{name}", target=locked, details=details)
    return locked
