"""`manage.py worker`: django-tasks-db's `db_worker`, plus a heartbeat.

Every `HEARTBEAT_SECONDS` a thread writes this worker's id and the time to `WorkerHeartbeat`.
/healthz answers 503 when no worker has beaten for `WORKER_LOST_AFTER_SECONDS`, and
`jobs.tasks.recover_tasks` puts back in the queue a task that a silent worker left running.
Run as many as the queue needs, on as many machines: they share the queue through the database
(rows claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.models import WorkerHeartbeat

logger = logging.getLogger("jobs")

HEARTBEAT_SECONDS = 5


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": timezone.now(), "hostname": f"{socket.gethostname()}:{os.getpid()}"[:255]},
    )


def _heartbeat_loop(worker_id: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            beat(worker_id)
        except DatabaseError as error:  # the database is away: try again at the next beat
            logger.warning("worker %s: heartbeat not written: %s", worker_id, error)
        stop.wait(HEARTBEAT_SECONDS)
    connection.close()


class Command(DbWorkerCommand):
    help = "Run a task worker (django-tasks-db) that writes its heartbeat for /healthz and task recovery."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        stop = threading.Event()
        beat(worker_id)
        thread = threading.Thread(target=_heartbeat_loop, args=(worker_id, stop), name="heartbeat", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
