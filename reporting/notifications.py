"""E-mails about reports, sent after the commit: handed in → the State agents of the département;
completion asked or accepted → the collectivité's agents (and the invited opérateur); the
opérateur invited → its members; reminders before and after the due date → the collectivité and
the carrier (`steering.reminders`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from reporting.models import Report

CARRIER, STATE = "carrier", "state"


def people(report: Report, group: str) -> list[str]:
    """Active e-mail addresses of the report's carrier side (agents of the collectivité, members
    of the invited opérateur, or of the opérateur whatever the invitation when `group` is
    "carrier") or of the State side (instructeurs and préfets of the département or région)."""
    r = report
    if group == STATE:
        condition = Q(memberships__role__in=(Role.INSTRUCTOR, Role.PREFECT)) & (
            Q(memberships__department_id=r.department_id)
            | Q(memberships__role=Role.PREFECT, memberships__region_id=r.department.region_id)
        )
    else:
        condition = Q(memberships__role=Role.AGENT, memberships__authority_id=r.authority_id)
        if r.operator_id is not None:
            condition |= Q(memberships__role=Role.OPERATOR, memberships__operator_id=r.operator_id)
    emails = User.objects.filter(condition, is_active=True).values_list("email", flat=True).distinct()
    return sorted(set(emails))


def _send(to: list[str], subject: str, lines: list[str], report_id: int) -> None:
    if not to:
        return
    url = settings.SITE_URL.rstrip("/") + reverse("web:report_detail", args=[report_id])
    body = "\n".join(["Bonjour,", "", *lines, "", f"Le bilan : {url}"])
    send_mail(
        subject=f"[Territoires d'intégration] {subject}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=to,
    )


def notify_report_transition(report_id: int, event: str, reason: str) -> None:
    report = Report.objects.select_related("department").get(pk=report_id)
    label = f"{report.get_period_display()} de « {report.title} »"
    the = f"le {report.get_period_display().lower()} de « {report.title} »"
    if event == "submit":
        _send(people(report, STATE), f"{label} remis", [f"{label} a été remis : il attend votre examen."], report_id)
    elif event == "request_completion":
        _send(
            people(report, CARRIER),
            f"{label} à compléter",
            [f"L'agent de l'État demande des compléments sur {the} :", reason],
            report_id,
        )
    elif event == "accept":
        _send(people(report, CARRIER), f"{label} accepté", [f"{the[0].upper()}{the[1:]} est accepté."], report_id)
    elif event == "invited":
        _send(
            people(report, CARRIER),
            f"{label} : saisie par l'opérateur",
            [f"La collectivité invite l'opérateur de l'action à saisir {the}."],
            report_id,
        )


def send_reminder(report: Report, late: bool) -> None:
    """One reminder of a report's due date, before it (`late` False) or after it."""
    r = report
    label = f"{r.get_period_display()} de « {r.title} »"
    the = f"Le {r.get_period_display().lower()} de « {r.title} »"
    due = f"{r.due_on:%d/%m/%Y}"
    if late:
        subject, line = (
            f"{label} en retard",
            f"{the} était à remettre le {due} : il n'est pas encore remis.",
        )
    else:
        subject, line = f"{label} à remettre le {due}", f"{the} est à remettre le {due}."
    lines = [line, "Il ne contient que des nombres : aucune donnée personnelle sur les personnes accompagnées."]
    _send(people(report, CARRIER), subject, lines, r.pk)
