from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from referential.importer import referential_counts
from referential.models import ReferentialImport


@login_not_required
@require_GET
@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the referential counts when the database answers, 503 with the reason otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        counts = referential_counts()
        latest = ReferentialImport.objects.order_by("-imported_at").values_list("vintage", flat=True).first()
    except DatabaseError as error:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "reason": str(error).strip() or type(error).__name__},
            status=503,
        )
    referential = {"vintage": latest, **{k: counts[k] for k in ("regions", "departements", "communes", "epci", "ept")}}
    return JsonResponse({"status": "ok", "database": "ok", "referential": referential})
