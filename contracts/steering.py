"""Step 7 of a CTAI (F23): the steering committees the Diair organises with the Ministry, and the
biggest actions they retain for a deeper qualitative evaluation.

`record_committee` is the only writer: the Diair or the Ministère records a committee of a contract
in force (or ended: the last committee reviews it), with its date, participants, minutes,
decisions and the actions retained for evaluation (among the contract's own). Audited; the
collectivité's agents and the préfets are told by e-mail after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from audit.services import record_event
from contracts.enums import ContractState
from contracts.models import Action, Contract, SteeringCommittee
from contracts.notifications import AGENTS, PREFECTS
from messaging.notifications import notify

STEERED_STATES = (ContractState.SIGNED, ContractState.ENDED)


def may_record_committee(contract: Contract, user: Any) -> bool:
    """The Diair (which organises them) or the Ministère, for a contract signed or ended."""
    if contract.state not in STEERED_STATES:
        return False
    return any(m.role in (Role.DIAIR, Role.MINISTRY) for m in getattr(user, "active_memberships", ()))


def actions_of(contract: Contract) -> Any:
    """The contract's actions a committee may retain for evaluation, biggest State amount first."""
    return (
        Action.objects.filter(programming__contract=contract)
        .select_related("programming__campaign")
        .order_by("-state_amount", "programming__campaign__year", "pk")
    )


def notify_committee(committee_id: int) -> None:
    committee = SteeringCommittee.objects.select_related("contract__authority", "contract__department").get(
        pk=committee_id
    )
    contract = committee.contract
    title = f"{contract} — comité de pilotage du {committee.held_on:%d/%m/%Y}"
    lines = [f"{title} : compte rendu disponible."]
    if committee.decisions:
        lines += ["", "Décisions :", committee.decisions]
    notify(
        list(contract.people(AGENTS, PREFECTS)),
        key=f"committee:{committee.pk}",
        subject=f"{title} : compte rendu disponible",
        lines=lines,
        path=contract.get_absolute_url(),
    )


@transaction.atomic
def record_committee(
    *,
    user: Any,
    contract: Contract,
    held_on: date,
    participants: str,
    summary: str,
    decisions: str = "",
    evaluated_actions: Iterable[Action] = (),
) -> SteeringCommittee:
    locked = Contract.objects.select_for_update(of=("self",)).select_related("department").get(pk=contract.pk)
    if not may_record_committee(locked, user):
        raise PermissionDenied("La Diair ou le Ministère enregistre les comités de pilotage d'un contrat signé.")
    errors: dict[str, list[str]] = {}
    if not isinstance(held_on, date):
        errors["held_on"] = ["Indiquez la date du comité."]
    elif held_on > timezone.localdate():
        errors["held_on"] = ["Un comité s'enregistre une fois tenu : sa date ne peut pas être dans le futur."]
    elif locked.signed_on and held_on < locked.signed_on:
        errors["held_on"] = [f"Le contrat est signé le {locked.signed_on:%d/%m/%Y} : le comité suit la signature."]
    if not participants.strip():
        errors["participants"] = ["Indiquez les participants."]
    if not summary.strip():
        errors["summary"] = ["Indiquez le compte rendu."]
    chosen = list(evaluated_actions)
    own = set(actions_of(locked).values_list("pk", flat=True))
    if any(a.pk not in own for a in chosen):
        errors["evaluated_actions"] = ["Choisissez des actions de ce contrat."]
    if errors:
        raise ValidationError(errors)
    committee = SteeringCommittee.objects.create(
        contract=locked,
        held_on=held_on,
        participants=participants.strip(),
        summary=summary.strip(),
        decisions=decisions.strip(),
        organised_by=user,
    )
    committee.evaluated_actions.set(chosen)
    details: dict[str, Any] = {"comité du": f"{held_on:%d/%m/%Y}"}
    if chosen:
        details["évaluation approfondie"] = ", ".join(a.title for a in chosen)
    record_event(actor=user, verb="contracts.committee_recorded", target=locked, details=details)
    transaction.on_commit(partial(notify_committee, committee.pk))
    return committee
