"""The queue's own jobs: deliver an e-mail, and the scheduled upkeep run by `manage.py crontask`.

- `deliver_email(id)`: hands one outbox e-mail to the `delivery` mailer (SMTP). A failure is
  recorded on the e-mail (attempts, error, next attempt with exponential backoff), never raised
  into a page; after `EMAIL_MAX_ATTEMPTS` the e-mail is « en échec » and listed for an
  administrator, who can send it again.
- `flush_outbox` (every minute): enqueues the e-mails whose next attempt is due.
- `recover_tasks` (every minute): puts back in the queue a task left « running » by a worker that
  stopped beating (killed in the middle of it), and enqueues again, with backoff, a failed task
  until `TASK_MAX_ATTEMPTS`. Every task of the platform must therefore be idempotent.
- `prune_task_results` (every night): forgets successful task results older than two weeks.

Adding a scheduled job: see docs/DEPLOY.md (« Ajouter une tâche planifiée »).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from crontask import cron
from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.mail import build_message
from jobs.models import EmailStatus, OutgoingEmail, WorkerHeartbeat

logger = logging.getLogger("jobs")


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the n-th failure, one hour at most."""
    base = int(getattr(settings, "RETRY_BACKOFF_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


@task
def deliver_email(email_id: int) -> str:
    now = timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != EmailStatus.PENDING:
            return "absent" if email is None else str(email.status)
        if email.next_attempt_at is not None and email.next_attempt_at > now:
            return "not due"
        try:
            mailers["delivery"].send_messages([build_message(email)])
        except Exception as error:  # any failure of the mail server: recorded, retried later
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= int(getattr(settings, "EMAIL_MAX_ATTEMPTS", 10)):
                email.status = EmailStatus.FAILED
                email.next_attempt_at = None
            else:
                email.next_attempt_at = now + backoff(email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("e-mail %s not delivered (attempt %s): %s", email.pk, email.attempts, email.last_error)
            return "retry" if email.status == EmailStatus.PENDING else "failed"
        email.status = EmailStatus.SENT
        email.attempts += 1
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        email.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])
    return "sent"


def due_emails() -> list[int]:
    """Pending e-mails to (re)try now: failed before and due, or written and not sent for 5 minutes."""
    now = timezone.now()
    return list(
        OutgoingEmail.objects.filter(status=EmailStatus.PENDING)
        .filter(Q(attempts__gt=0, next_attempt_at__lte=now) | Q(attempts=0, created_at__lte=now - timedelta(minutes=5)))
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


@cron("* * * * *")  # type: ignore[untyped-decorator]
@task
def flush_outbox() -> int:
    ids = due_emails()
    for pk in ids:
        deliver_email.enqueue(pk)
    return len(ids)


def lost_worker_cutoff() -> Any:
    return timezone.now() - timedelta(seconds=int(getattr(settings, "WORKER_LOST_AFTER_SECONDS", 60)))


def requeue_abandoned() -> int:
    """Tasks « running » on a worker whose heartbeat stopped go back to the queue (run again, once)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = lost_worker_cutoff()
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True))
    requeued = 0
    for result in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        with transaction.atomic():
            updated = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING", started_at=result.started_at).update(
                status="READY", started_at=None
            )
        if updated:
            logger.warning(
                "task %s (%s) abandoned by worker %s: back in the queue",
                result.pk,
                result.task_path,
                result.worker_ids[-1:] or "?",
            )
            requeued += 1
    return requeued


def retry_failed() -> int:
    """A failed task is enqueued again after a backoff, `TASK_MAX_ATTEMPTS` times in all."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    max_attempts = int(getattr(settings, "TASK_MAX_ATTEMPTS", 5))
    retried = 0
    seen: set[tuple[str, str]] = set()
    recent = DBTaskResult.objects.failed().filter(finished_at__gte=now - timedelta(days=1)).order_by("-finished_at")
    for result in recent[:200]:
        same = DBTaskResult.objects.filter(task_path=result.task_path, args_kwargs=result.args_kwargs)
        marker = (result.task_path, repr(result.args_kwargs))
        if marker in seen:
            continue
        seen.add(marker)
        if same.filter(enqueued_at__gt=result.enqueued_at).exists():
            continue  # already retried (or run again by an administrator)
        failures = same.failed().count()
        if failures >= max_attempts or result.finished_at is None or result.finished_at + backoff(failures) > now:
            continue
        try:
            import_string(result.task_path).enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        except ImportError:
            continue
        retried += 1
    return retried


@cron("* * * * *")  # type: ignore[untyped-decorator]
@task
def recover_tasks() -> dict[str, int]:
    return {"requeued": requeue_abandoned(), "retried": retry_failed()}


@cron("17 3 * * *")  # type: ignore[untyped-decorator]
@task
def prune_task_results() -> int:
    from django_tasks_db.models import DBTaskResult

    deleted, _ = DBTaskResult.objects.successful().filter(finished_at__lt=timezone.now() - timedelta(days=14)).delete()
    return deleted


@cron("43 2 * * *")  # type: ignore[untyped-decorator]
@task
def purge_expired() -> dict[str, int]:
    """Every night: purge what has outlived its RGPD retention (jobs.retention; docs/RGPD.md)."""
    from jobs import retention

    return retention.purge()
