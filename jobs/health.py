"""What /healthz says of the task queue and the file storage."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from jobs.models import EmailStatus, OutgoingEmail, WorkerHeartbeat


def queue_status() -> dict[str, Any]:
    """Oldest waiting task, failed tasks and e-mails, last worker heartbeat; `healthy` is False when
    tasks have waited longer than WORKER_LOST_AFTER_SECONDS and no worker beat within that time."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    limit = int(settings.WORKER_LOST_AFTER_SECONDS)
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    last_beat = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    waiting_seconds = round((now - oldest).total_seconds()) if oldest else 0
    worker_seconds = round((now - last_beat).total_seconds()) if last_beat else None
    worker_lost = worker_seconds is None or worker_seconds > limit
    return {
        "healthy": not (waiting_seconds > limit and worker_lost),
        "waiting": DBTaskResult.objects.ready().count(),
        "oldest_waiting_seconds": waiting_seconds,
        "failed_tasks": DBTaskResult.objects.failed().count(),
        "failed_emails": OutgoingEmail.objects.filter(status=EmailStatus.FAILED).count(),
        "pending_emails": OutgoingEmail.objects.filter(status=EmailStatus.PENDING).count(),
        "last_worker_heartbeat_seconds": worker_seconds,
    }


def storage_status() -> dict[str, Any]:
    """Writes, reads back and deletes a small file on the default storage."""
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        with default_storage.open(saved, "rb") as handle:
            ok = handle.read() == b"ok"
        default_storage.delete(saved)
    except Exception as error:  # any storage failure is reported, never raised
        return {"healthy": False, "backend": settings.STORAGE_BACKEND, "reason": f"{type(error).__name__}: {error}"}
    return {"healthy": ok, "backend": settings.STORAGE_BACKEND}
