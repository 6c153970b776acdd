"""RGPD retention (docs/RGPD.md): what has outlived its retention duration, and its purge.

`expired()` counts, `purge()` deletes, in one transaction: the attachments of files closed for
`RETENTION_CLOSED_FILES_YEARS` (PTAI and CTAI in a final state since then), accounts without a log-in
for `RETENTION_ACCOUNT_DEACTIVATE_DAYS` (deactivated) then `RETENTION_ACCOUNT_ANONYMISE_DAYS`
(anonymised: name, e-mail, password, ProConnect link and authenticators gone, the row kept for the
trail), notifications, sent e-mails, log-in logs, expired sessions and audit events older than their
durations. Never purged: the money trail — the ledger, commitments, the transition logs of every
workflow and the audit events of `finance.*` — nor the files themselves (PTAI, CTAI).

Run by `manage.py purge_expired` (dry run unless `--apply`) and every night by
`jobs.tasks.purge_expired`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

ANONYMOUS_DOMAIN = "anonyme.invalid"
MONEY_VERBS = "finance."  # audit events of money: kept as long as the ledger


@dataclass(frozen=True)
class Category:
    label: str  # French: what the command prints
    rows: Callable[[], models.QuerySet[Any]]
    purge: Callable[[models.QuerySet[Any]], None]


def _ago(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


def _closed_since(model: type[models.Model], states: tuple[str, ...], cutoff: Any) -> models.QuerySet[Any]:
    """The objects in a final state whose last transition is older than `cutoff`."""
    rows: models.QuerySet[Any] = model._default_manager.filter(state__in=states)
    closed: models.QuerySet[Any] = rows.annotate(closed_at=Max("transitions__created_at")).filter(closed_at__lt=cutoff)
    return closed


def _closed_files_documents() -> models.QuerySet[Any]:
    from django.contrib.contenttypes.models import ContentType

    from contracts.enums import FINAL_STATES
    from contracts.models import Contract
    from documents.models import Document
    from projects.enums import ProjectState
    from projects.models import Project

    cutoff = _ago(365 * settings.RETENTION_CLOSED_FILES_YEARS)
    project_states = (
        ProjectState.CLOSED,
        ProjectState.WITHDRAWN,
        ProjectState.DISMISSED,
        ProjectState.PREFECT_REFUSED,
        ProjectState.MINISTRY_REFUSED,
    )
    condition = Q(pk__in=[])
    for model, states in ((Project, project_states), (Contract, FINAL_STATES)):
        ids = [str(pk) for pk in _closed_since(model, states, cutoff).values_list("pk", flat=True)]
        condition |= Q(target_type=ContentType.objects.get_for_model(model), target_id__in=ids)
    return Document.objects.filter(condition)


def _delete_documents(documents: models.QuerySet[Any]) -> None:
    for document in documents:
        document.file.delete(save=False)
    documents.delete()


def _inactive(days: int) -> models.QuerySet[Any]:
    from accounts.models import User

    cutoff = _ago(days)
    never_used = Q(last_login__isnull=True, date_joined__lt=cutoff)
    return User.objects.filter(Q(last_login__lt=cutoff) | never_used).exclude(email__endswith=f"@{ANONYMOUS_DOMAIN}")


def _deactivate(users: models.QuerySet[Any]) -> None:
    users.update(is_active=False)


def _anonymise(users: models.QuerySet[Any]) -> None:
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from identity.models import ProConnectIdentity

    ids = list(users.values_list("pk", flat=True))
    ProConnectIdentity.objects.filter(user_id__in=ids).delete()
    TOTPDevice.objects.filter(user_id__in=ids).delete()
    StaticDevice.objects.filter(user_id__in=ids).delete()
    for pk in ids:
        users.model._default_manager.filter(pk=pk).update(
            email=f"compte-{pk}@{ANONYMOUS_DOMAIN}",
            first_name="",
            last_name="",
            password=make_password(None),
            is_active=False,
        )


def _delete(rows: models.QuerySet[Any]) -> None:
    rows.delete()


def categories() -> list[Category]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    from audit.models import Event
    from jobs.models import EmailStatus, OutgoingEmail
    from messaging.models import Notification

    logs_cutoff = _ago(settings.RETENTION_LOGIN_LOGS_DAYS)
    return [
        Category("pièces jointes de dossiers clos", _closed_files_documents, _delete_documents),
        Category(
            "comptes inactifs à désactiver",
            lambda: _inactive(settings.RETENTION_ACCOUNT_DEACTIVATE_DAYS).filter(is_active=True),
            _deactivate,
        ),
        Category(
            "comptes inactifs à anonymiser", lambda: _inactive(settings.RETENTION_ACCOUNT_ANONYMISE_DAYS), _anonymise
        ),
        Category(
            "notifications",
            lambda: Notification.objects.filter(created_at__lt=_ago(settings.RETENTION_NOTIFICATIONS_DAYS)),
            _delete,
        ),
        Category(
            "e-mails envoyés",
            lambda: OutgoingEmail.objects.filter(
                created_at__lt=_ago(settings.RETENTION_EMAILS_DAYS), status=EmailStatus.SENT
            ),
            _delete,
        ),
        Category("journaux de connexion", lambda: AccessLog.objects.filter(attempt_time__lt=logs_cutoff), _delete),
        Category(
            "échecs de connexion",
            lambda: AccessFailureLog.objects.filter(attempt_time__lt=logs_cutoff),
            _delete,
        ),
        Category(
            "verrouillages de connexion", lambda: AccessAttempt.objects.filter(attempt_time__lt=logs_cutoff), _delete
        ),
        Category("sessions expirées", lambda: Session.objects.filter(expire_date__lt=timezone.now()), _delete),
        Category(
            "événements du journal (hors argent)",
            lambda: Event.objects.filter(created_at__lt=_ago(settings.RETENTION_AUDIT_DAYS)).exclude(
                verb__startswith=MONEY_VERBS
            ),
            _delete,
        ),
    ]


def expired() -> dict[str, int]:
    """How many rows of each category have expired (nothing changed)."""
    return {category.label: category.rows().count() for category in categories()}


@transaction.atomic
def purge() -> dict[str, int]:
    """Purge what has expired; returns what was purged, per category, and records it in the audit trail."""
    from audit.services import record_event

    counts = {}
    for category in categories():
        rows = category.rows()
        counts[category.label] = rows.count()
        if counts[category.label]:
            category.purge(rows)
    if any(counts.values()):
        record_event(actor=None, verb="rgpd.purged", target=None, details=counts)
    return counts
