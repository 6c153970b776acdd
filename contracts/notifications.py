"""E-mails after a contract's or a programming's transition, sent after the commit
(`transaction.on_commit`), as the PTAI's (`projects.notifications`): no e-mail leaves for a
transition that was rolled back. Each transition tells the people whose move is next.

Contract: `record_letter` → the préfets of the département or région and the Diair;
`start_diagnosis`, `complete_diagnosis` → the collectivité's agents; `sign` → the agents and the
Diair; `end`, `abandon` → the agents, the préfets and the Diair; `amend` → the préfets and the Diair.
Programming: `present` → the Diair; `request_changes` → the agents (with the reason); `approve` →
the agents and the préfets (who commit); `commit` → the agents (the amounts committed).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from accounts.enums import Role
from accounts.models import User
from contracts.enums import ContractState, ProgrammingState, ProgrammingTransitionName, TransitionName
from contracts.models import Contract, ContractTransition, ProgrammingTransition
from core.formats import format_euros

P, C = ProgrammingTransitionName, TransitionName
AGENTS, PREFECTS, DIAIR = "agents", "prefects", "diair"

CONTRACT_RECIPIENTS: dict[str, tuple[str, ...]] = {
    C.RECORD_LETTER: (PREFECTS, DIAIR),
    C.START_DIAGNOSIS: (AGENTS,),
    C.COMPLETE_DIAGNOSIS: (AGENTS,),
    C.SIGN: (AGENTS, DIAIR),
    C.END: (AGENTS, PREFECTS, DIAIR),
    C.ABANDON: (AGENTS, PREFECTS, DIAIR),
    C.AMEND: (PREFECTS, DIAIR),
}
PROGRAMMING_RECIPIENTS: dict[str, tuple[str, ...]] = {
    P.PRESENT: (DIAIR,),
    P.REQUEST_CHANGES: (AGENTS,),
    P.APPROVE: (AGENTS, PREFECTS),
    P.COMMIT: (AGENTS,),
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
    if log.transition == C.AMEND:
        state = "avenant en rédaction"
    send_notification(recipients(contract, groups), str(contract), state, [], log.reason, "Motif :")


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
    send_notification(
        recipients(contract, groups),
        f"Programmation {programming.year} du CTAI de {contract.authority.name}",
        ProgrammingState(log.target).label.lower(),
        extra,
        log.reason,
        "Motif :" if log.transition == P.REQUEST_CHANGES else "Message :",
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
