"""E-mails to the applicant after a transition (sent after the commit; messaging will take over).

`notify_transition` is scheduled by `services.apply_transition` with `transaction.on_commit`, so no
e-mail leaves for a transition that was rolled back. The recipients are the users holding an agent
membership on the lead collectivité.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from accounts.enums import Role
from accounts.models import User
from core.formats import format_euros
from projects.enums import ProjectState
from projects.models import ProjectTransition
from projects.workflow import FORMS


def applicant_emails(lead_authority_id: int) -> list[str]:
    return sorted(
        User.objects.filter(is_active=True, memberships__role=Role.AGENT, memberships__authority_id=lead_authority_id)
        .values_list("email", flat=True)
        .distinct()
    )


def notify_transition(transition_id: int) -> None:
    log = ProjectTransition.objects.select_related("project", "project__campaign").get(pk=transition_id)
    form = FORMS.get(log.transition)
    if form is None or not form.notifies_applicant:
        return
    recipients = applicant_emails(log.project.lead_authority_id)
    if not recipients:
        return
    project = log.project
    state = ProjectState(log.target).label.lower()
    lines = [
        "Bonjour,",
        "",
        f"Le PTAI « {project.title} » ({project.reference}) est maintenant : {state}.",
    ]
    if log.amount is not None:
        lines.append(f"Montant : {format_euros(log.amount)}.")
    if log.reason:
        lines += ["", "Motif :", log.reason]
    lines += ["", "Retrouvez le dossier sur la plateforme Territoires d'intégration."]
    send_mail(
        subject=f"[Territoires d'intégration] {project.reference} : {state}",
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
