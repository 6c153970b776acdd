"""E-mails after a programming's transition, sent after the commit (`transaction.on_commit`), as
the PTAI's (`projects.notifications`): no e-mail leaves for a transition that was rolled back.

Who is told, by transition: `present` → the Diair (to examine it); `request_changes` → the
collectivité's agents (with the reason); `approve` → the agents and the préfets of the département
or région (to commit); `commit` → the agents (the amounts committed).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q

from accounts.enums import Role
from accounts.models import User
from contracts.enums import ProgrammingState, ProgrammingTransitionName
from contracts.models import ProgrammingTransition
from core.formats import format_euros

T = ProgrammingTransitionName


def _emails(condition: Q) -> list[str]:
    return sorted(User.objects.filter(condition, is_active=True).values_list("email", flat=True).distinct())


def notify_programming_transition(transition_id: int) -> None:
    log = ProgrammingTransition.objects.select_related(
        "programming__campaign", "programming__contract__authority", "programming__contract__department"
    ).get(pk=transition_id)
    programming = log.programming
    contract = programming.contract
    agents = Q(memberships__role=Role.AGENT, memberships__authority_id=contract.authority_id)
    prefects = Q(memberships__role=Role.PREFECT) & (
        Q(memberships__department_id=contract.department_id) | Q(memberships__region_id=contract.department.region_id)
    )
    conditions: dict[str, Q] = {
        T.PRESENT: Q(memberships__role=Role.DIAIR),
        T.REQUEST_CHANGES: agents,
        T.APPROVE: agents | prefects,
        T.COMMIT: agents,
    }
    condition = conditions.get(log.transition)
    if condition is None:
        return
    recipients = _emails(condition)
    if not recipients:
        return
    state = ProgrammingState(log.target).label.lower()
    title = f"Programmation {programming.year} du CTAI de {contract.authority.name}"
    lines = ["Bonjour,", "", f"La {title[0].lower()}{title[1:]} est maintenant : {state}."]
    if log.transition == T.COMMIT:
        lines.append(
            f"Crédits engagés : socle {format_euros(programming.base_amount)} (programme 104, action 15), "
            f"complément {format_euros(programming.complement_amount)} (action 12)."
        )
    if log.reason:
        lines += ["", "Motif :" if log.transition == T.REQUEST_CHANGES else "Message :", log.reason]
    lines += ["", "Retrouvez la programmation sur la plateforme Territoires d'intégration."]
    send_mail(
        subject=f"[Territoires d'intégration] {title} : {state}",
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
