"""E-mails after a contract's, a programming's or an amendment's transition, sent by the tasks of
`contracts.tasks` that the services enqueue after the commit, as the PTAI's
(`projects.notifications`): no e-mail leaves for a transition that was rolled back. Each transition
tells the people whose move is next.

Contract: `record_letter` → the préfets of the département or région and the Diair;
`declare_widening` → the agents, the préfets and the Diair; `start_diagnosis`,
`complete_diagnosis` → the collectivité's agents; `sign` → the agents and the Diair; `end`,
`abandon` → the agents, the préfets and the Diair; `amend` → the préfets and the Diair.
Programming: `present` → the Diair; `request_changes` → the agents (with the reason); `approve` →
the agents and the préfets (who commit); `commit` → the agents (the amounts committed, the advance
paid); `cancel_commitment` → the agents and the Diair (with the reason); `close` → the agents (the
amounts spent, the balance paid). Amendment: `sign` → the agents and the Diair; `abandon` → the
agents and the préfets.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from accounts.enums import Role
from accounts.models import User
from contracts.enums import (
    AmendmentState,
    AmendmentTransitionName,
    ContractState,
    ProgrammingState,
    ProgrammingTransitionName,
    TransitionName,
)
from contracts.models import AmendmentTransition, Contract, ContractTransition, ProgrammingTransition
from core.formats import format_euros
from finance.balances import commitment_totals

P, C, A = ProgrammingTransitionName, TransitionName, AmendmentTransitionName
AGENTS, PREFECTS, DIAIR = "agents", "prefects", "diair"

CONTRACT_RECIPIENTS: dict[str, tuple[str, ...]] = {
    C.RECORD_LETTER: (PREFECTS, DIAIR),
    C.START_DIAGNOSIS: (AGENTS,),
    C.COMPLETE_DIAGNOSIS: (AGENTS,),
    C.SIGN: (AGENTS, DIAIR),
    C.END: (AGENTS, PREFECTS, DIAIR),
    C.ABANDON: (AGENTS, PREFECTS, DIAIR),
    C.AMEND: (PREFECTS, DIAIR),
    C.DECLARE_WIDENING: (AGENTS, PREFECTS, DIAIR),
}
PROGRAMMING_RECIPIENTS: dict[str, tuple[str, ...]] = {
    P.PRESENT: (DIAIR,),
    P.REQUEST_CHANGES: (AGENTS,),
    P.APPROVE: (AGENTS, PREFECTS),
    P.COMMIT: (AGENTS,),
    P.CANCEL_COMMITMENT: (AGENTS, DIAIR),
    P.CLOSE: (AGENTS,),
}
AMENDMENT_RECIPIENTS: dict[str, tuple[str, ...]] = {
    A.SIGN: (AGENTS, DIAIR),
    A.ABANDON: (AGENTS, PREFECTS),
}


def recipients(contract: Contract, groups: tuple[str, ...]) -> list[str]:
    """The e-mail addresses of the active users of `groups` for this contract (`Contract.people`)."""
    return sorted({user.email for user in contract.people(*groups)})


def send_notification(to: list[str], title: str, state: str, extra: list[str], reason: str, reason_label: str) -> None:
    """One e-mail « {title} : {state}. » with its extra lines and the reason, to `to` (none: nothing)."""
    if not to:
        return
    lines = ["Bonjour,", "", f"{title} : {state}.", *extra]
    if reason:
        lines += ["", reason_label, reason]
    lines += ["", "Retrouvez le dossier sur la plateforme Territoires d'intégration."]
    send_mail(
        subject=f"[Territoires d'intégration] {title} : {state}",
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=to,
    )


def notify_contract_transition(transition_id: int) -> None:
    log = ContractTransition.objects.select_related("contract__authority", "contract__department").get(pk=transition_id)
    groups = CONTRACT_RECIPIENTS.get(log.transition)
    if groups is None:
        return
    contract = log.contract
    state = ContractState(log.target).label.lower()
    extra: list[str] = []
    reason_label = "Motif :"
    if log.transition == C.AMEND:
        state = "avenant en rédaction"
    elif log.transition == C.DECLARE_WIDENING:
        state = "intention d'élargissement en CTAI déclarée"
        reason_label = "Déclaration de la collectivité :"
        widening = Contract.objects.filter(widens=contract).order_by("-pk").first()
        if widening is not None:
            extra.append(f"Le CTAI qui sera signé à sa place est ouvert : « {widening} ».")
        else:
            extra.append("Le CTAIR en cours de négociation se poursuit en CTAI, ses étapes conservées.")
    send_notification(recipients(contract, groups), str(contract), state, extra, log.reason, reason_label)


def notify_programming_transition(transition_id: int) -> None:
    log = ProgrammingTransition.objects.select_related(
        "programming__campaign", "programming__contract__authority", "programming__contract__department"
    ).get(pk=transition_id)
    groups = PROGRAMMING_RECIPIENTS.get(log.transition)
    if groups is None:
        return
    programming = log.programming
    contract = programming.contract
    extra = []
    if log.transition == P.COMMIT:
        extra.append(
            f"Crédits engagés : socle {format_euros(programming.base_amount)} (programme 104, action 15), "
            f"complément {format_euros(programming.complement_amount)} (action 12)."
        )
        extra.append(f"Avance versée : {format_euros(_paid(programming))}.")
    elif log.transition == P.CLOSE:
        extra.append(
            f"Bilan reçu le {programming.report_received_on:%d/%m/%Y} : dépensé "
            f"{format_euros(programming.final_base_amount)} sur le socle et "
            f"{format_euros(programming.final_complement_amount)} sur le complément ; "
            f"{format_euros(_paid(programming))} versés en tout, le solde est payé."
        )
    send_notification(
        recipients(contract, groups),
        f"Programmation {programming.year} du CTAI de {contract.authority.name}",
        ProgrammingState(log.target).label.lower(),
        extra,
        log.reason,
        "Motif :" if log.transition in (P.REQUEST_CHANGES, P.CANCEL_COMMITMENT) else "Message :",
    )


def _paid(programming: Any) -> Any:
    """What the ledger says was paid on the programming's commitments."""
    ids = [pk for pk in (programming.base_commitment_id, programming.complement_commitment_id) if pk]
    return sum((paid for _, paid in commitment_totals(ids).values()), Decimal("0.00"))


def notify_amendment_transition(transition_id: int) -> None:
    log = AmendmentTransition.objects.select_related(
        "amendment__contract__authority", "amendment__contract__department"
    ).get(pk=transition_id)
    groups = AMENDMENT_RECIPIENTS.get(log.transition)
    if groups is None:
        return
    amendment = log.amendment
    extra = [f"Objet : {', '.join(amendment.objects_labels())}."]
    if amendment.signed_on:
        extra.append(f"Signé le {amendment.signed_on:%d/%m/%Y}.")
    send_notification(
        recipients(amendment.contract, groups),
        f"Avenant n° {amendment.number} — {amendment.contract}",
        AmendmentState(log.target).label.lower(),
        extra,
        log.reason,
        "Motif :",
    )


def notify_application(application_id: int, event: str) -> None:
    """Calls for projects: a new application tells the collectivité's agents (`event`
    "submitted"); a decision tells the opérateur's members ("selected", "rejected")."""
    from contracts.models import CallApplication

    application = CallApplication.objects.select_related("call__contract__department", "operator").get(
        pk=application_id
    )
    call = application.call
    if event == "submitted":
        to = recipients(call.contract, (AGENTS,))
        title = f"Appel à projets « {call.title} »"
        state = f"nouvelle candidature de {application.operator.name}"
        extra = [f"Action proposée : {application.title} ({format_euros(application.requested_amount)} demandés)."]
    else:
        to = sorted(
            User.objects.filter(
                is_active=True, memberships__role=Role.OPERATOR, memberships__operator_id=application.operator_id
            )
            .values_list("email", flat=True)
            .distinct()
        )
        title = f"Votre candidature « {application.title} »"
        state = "retenue" if event == "selected" else "non retenue"
        extra = [f"Appel à projets « {call.title} » de {call.authority}."]
    send_notification(to, title, state, extra, "", "")
