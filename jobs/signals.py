"""Around every task, whatever its backend: the e-mail idempotence scope and one log line.

`task_started` opens an e-mail scope named after the task and its arguments (`jobs.mail`), so the
e-mails a retried task writes again are recognised; `task_finished` closes it and logs one
structured line (task, status, duration, query count, error).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from contextvars import Token
from typing import Any

from django.db import connection
from django.tasks.signals import task_finished, task_started

from jobs.mail import reset_scope, set_scope

logger = logging.getLogger("jobs.task")


class QueryCounter:
    """A database execute wrapper that counts the queries of a request or a task."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


_running: dict[str, tuple[Token[str | None], float, QueryCounter]] = {}


def _on_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    scope = f"{task_result.task.module_path}:" + json.dumps(
        [list(task_result.args), task_result.kwargs], sort_keys=True, default=str
    )
    counter = QueryCounter()
    connection.execute_wrappers.append(counter)
    _running[str(task_result.id)] = (set_scope(scope), time.monotonic(), counter)


def _on_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    started = _running.pop(str(task_result.id), None)
    duration_ms = queries = None
    if started is not None:
        token, began, counter = started
        duration_ms = round((time.monotonic() - began) * 1000)
        queries = counter.count
        if counter in connection.execute_wrappers:
            connection.execute_wrappers.remove(counter)
        with contextlib.suppress(ValueError):  # finished in another context: nothing to restore
            reset_scope(token)
    error = task_result.errors[-1].exception_class_path if task_result.errors else None
    logger.info(
        "task %s %s",
        task_result.task.name,
        task_result.status,
        extra={
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "status": str(task_result.status),
            "duration_ms": duration_ms,
            "queries": queries,
            "error": error,
            "worker": (task_result.worker_ids or [None])[-1],
        },
    )


task_started.connect(_on_started, dispatch_uid="jobs.task_started")
task_finished.connect(_on_finished, dispatch_uid="jobs.task_finished")
