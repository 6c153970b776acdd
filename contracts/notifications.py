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

from django.urls import reverse

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
from messaging.notifications import notify

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


# What each group is expected to do after a transition (none: told for information).
EXPECTED: dict[tuple[str, str], str] = {
    ("contract:" + C.RECORD_LETTER, PREFECTS): "accompagner la collectivité et ouvrir le diagnostic territorial.",
    ("contract:" + C.START_DIAGNOSIS, AGENTS): "conduire le diagnostic territorial et l'enregistrer.",
    ("contract:" + C.COMPLETE_DIAGNOSIS, AGENTS): "rédiger le contrat avec la préfecture et le faire signer.",
    ("contract:" + C.SIGN, AGENTS): "présenter la programmation de la première année.",
    ("contract:" + C.AMEND, PREFECTS): "instruire l'avenant et le faire signer.",
    ("contract:" + C.DECLARE_WIDENING, PREFECTS): "accompagner l'élargissement du CTAIR en CTAI.",
    (
        "programming:" + P.PRESENT,
        DIAIR,
    ): "examiner chaque action, puis approuver la programmation ou demander des modifications.",
    (
        "programming:" + P.REQUEST_CHANGES,
        AGENTS,
    ): "modifier la programmation comme demandé, puis la présenter de nouveau.",
    ("programming:" + P.APPROVE, PREFECTS): "engager les crédits de la programmation et verser l'avance.",
    ("programming:" + P.COMMIT, AGENTS): "mettre en œuvre les actions, puis transmettre le bilan de l'année.",
}


def send_notification(
    contract: Contract,
    groups: tuple[str, ...],
    *,
    about: str,
    log: Any,
    title: str,
    state: str,
    extra: list[str],
    reason_label: str,
    path: str,
) -> None:
    """Tell `groups` of `contract` « {title} : {state}. », with the extra lines, the reason, what each
    group is expected to do (`EXPECTED[about:transition, group]`) and a link to `path`
    (`messaging.notifications`; the key `about:log id` tells each person once)."""
    lines = [f"{title} : {state}.", *extra]
    if log.reason:
        lines += ["", reason_label, log.reason]
    told: set[int] = {log.actor_id} if log.actor_id else set()
    for group in groups:
        users = [user for user in contract.people(group) if user.pk not in told]
        told.update(user.pk for user in users)
        notify(
            users,
            key=f"{about}:{log.pk}",
            subject=f"{title} : {state}",
            lines=lines,
            expected=EXPECTED.get((f"{about}:{log.transition}", group), ""),
            path=path,
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
    send_notification(
        contract,
        groups,
        about="contract",
        log=log,
        title=str(contract),
        state=state,
        extra=extra,
        reason_label=reason_label,
        path=contract.get_absolute_url(),
    )


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
        contract,
        groups,
        about="programming",
        log=log,
        title=f"Programmation {programming.year} du CTAI de {contract.authority.name}",
        state=ProgrammingState(log.target).label.lower(),
        extra=extra,
        reason_label="Motif :" if log.transition in (P.REQUEST_CHANGES, P.CANCEL_COMMITMENT) else "Message :",
        path=reverse("web:programming_detail", args=[programming.pk]),
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
        amendment.contract,
        groups,
        about="amendment",
        log=log,
        title=f"Avenant n° {amendment.number} — {amendment.contract}",
        state=AmendmentState(log.target).label.lower(),
        extra=extra,
        reason_label="Motif :",
        path=amendment.contract.get_absolute_url(),
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
        users = list(call.contract.people(AGENTS))
        title = f"Appel à projets « {call.title} »"
        state = f"nouvelle candidature de {application.operator.name}"
        lines = [f"Action proposée : {application.title} ({format_euros(application.requested_amount)} demandés)."]
        expected = "étudier la candidature, la noter, puis la retenir ou non."
        path = reverse("web:call_application", args=[application.pk])
    else:
        users = list(
            User.objects.filter(
                is_active=True, memberships__role=Role.OPERATOR, memberships__operator_id=application.operator_id
            ).distinct()
        )
        title = f"Votre candidature « {application.title} »"
        state = "retenue" if event == "selected" else "non retenue"
        lines = [f"Appel à projets « {call.title} » de {call.authority}."]
        expected = (
            "" if event != "selected" else "préparer l'action avec la collectivité, qui l'inscrit à sa programmation."
        )
        path = reverse("web:call_my_applications")
    notify(
        users,
        key=f"application:{application.pk}:{event}",
        subject=f"{title} : {state}",
        lines=[f"{title} : {state}.", *lines],
        expected=expected,
        path=path,
    )
