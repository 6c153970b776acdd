from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jobs.health import queue_status, storage_status
from referential.importer import referential_counts
from referential.models import ReferentialImport


def _database_error(error: DatabaseError) -> JsonResponse:
    return JsonResponse(
        {"status": "error", "database": "unreachable", "reason": str(error).strip() or type(error).__name__},
        status=503,
    )


@login_not_required
@require_GET
@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """For monitoring: the database, the referential, the task queue and the file storage.

    503 when the database does not answer, when tasks wait and no worker has run for
    WORKER_LOST_AFTER_SECONDS, or when the storage refuses a small file."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        counts = referential_counts()
        latest = ReferentialImport.objects.order_by("-imported_at").values_list("vintage", flat=True).first()
        queue = queue_status()
    except DatabaseError as error:
        return _database_error(error)
    storage = storage_status()
    referential = {"vintage": latest, **{k: counts[k] for k in ("regions", "departements", "communes", "epci", "ept")}}
    healthy = queue["healthy"] and storage["healthy"]
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": "ok",
            "referential": referential,
            "tasks": queue,
            "storage": storage,
            "worker_lost_after_seconds": settings.WORKER_LOST_AFTER_SECONDS,
        },
        status=200 if healthy else 503,
    )


@login_not_required
@require_GET
@never_cache
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 as soon as this instance answers and reaches its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return _database_error(error)
    return JsonResponse({"status": "ok"})
