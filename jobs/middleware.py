"""Two middlewares placed first in settings.MIDDLEWARE.

- `RequestLogMiddleware`: one log line per request on "jobs.request" (JSON in production): method,
  path, status, duration, query count, user id.
- `BodySizeLimitMiddleware`: a request whose declared body is over `REQUEST_MAX_BYTES` is refused
  with 413 before anything reads it: JSON in French under /api/, the French 413 page elsewhere.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from jobs.signals import QueryCounter

logger = logging.getLogger("jobs.request")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = QueryCounter()
        began = time.monotonic()
        wrapped = []
        for alias in connections:
            connection = connections[alias]
            connection.execute_wrappers.append(counter)
            wrapped.append(connection)
        try:
            response = self.get_response(request)
        finally:
            for connection in wrapped:
                if counter in connection.execute_wrappers:
                    connection.execute_wrappers.remove(counter)
        user = getattr(request, "user", None)
        status = response.status_code
        logger.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round((time.monotonic() - began) * 1000),
                "queries": counter.count,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


def too_large_detail(limit: int) -> str:
    """The French refusal of a body over `limit` bytes."""
    megabytes = f"{limit / 1024 / 1024:.0f} Mo".replace(".", ",")
    return f"La requête est trop volumineuse : {megabytes} au plus sont acceptés."


def too_large_response(request: HttpRequest, size: int, limit: int) -> HttpResponse:
    detail = too_large_detail(limit)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": "request_too_large", "errors": {}, "rule_ids": []}, status=413)
    html = render_to_string("413.html", {"detail": detail}, request=request)
    return HttpResponse(html, status=413)


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.REQUEST_MAX_BYTES)
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > limit:
            return too_large_response(request, size, limit)
        return self.get_response(request)
