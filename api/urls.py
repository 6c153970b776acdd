"""/api/v1/: the routes, the schema and its documentation, and a JSON 404 for any other address.

Every view here is a DRF view that authenticates by itself (token or session, CSRF enforced for
sessions): each is exempted from the site's LoginRequiredMiddleware (which would redirect to the
log-in page) by `drf_views_only()`, which refuses any view that is not a DRF view.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, path, re_path
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from api import views
from api.amendments import AmendmentViewSet
from api.calls import ApplicationViewSet, CallViewSet
from api.ctai import CtaiViewSet, PriorityViewSet, ProgrammingViewSet
from api.docs import DocsView, SchemaView
from api.finance import LedgerViewSet
from api.ptai import PtaiViewSet
from api.steering import CommitteeViewSet, EvaluationViewSet, ReportViewSet

app_name = "api"


class NotFoundView(APIView):
    """Any address under /api/v1/ that is not an endpoint: a JSON 404 (not the HTML page)."""

    permission_classes = [permissions.AllowAny]
    schema = None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        path = request.path
        if not path.endswith("/"):
            raise exceptions.NotFound(f"Introuvable. Les adresses de l'API finissent par « / » : {path}/")
        raise exceptions.NotFound("Introuvable.")

    post = put = patch = delete = head = options = get

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        """No `Allow` header: there is no resource here to list the methods of."""
        response = super().finalize_response(request, response, *args, **kwargs)
        del response["Allow"]
        return response


def drf_views_only(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            drf_views_only(pattern.url_patterns)
            continue
        view_class = getattr(pattern.callback, "cls", None)
        if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
            raise ImproperlyConfigured(f"{pattern.pattern} is not a DRF view: the API authenticates in DRF only.")
        login_not_required(pattern.callback)
    return patterns


router = SimpleRouter()
router.register("authorities", views.AuthorityViewSet, basename="authority")
router.register("departements", views.DepartmentViewSet, basename="departement")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("envelopes", views.EnvelopeViewSet, basename="envelope")
router.register("ledger", LedgerViewSet, basename="ledger")
router.register("ptai", PtaiViewSet, basename="ptai")
router.register("ctai", CtaiViewSet, basename="ctai")
router.register("programmings", ProgrammingViewSet, basename="programming")
router.register("calls", CallViewSet, basename="call")
router.register("applications", ApplicationViewSet, basename="application")
router.register("amendments", AmendmentViewSet, basename="amendment")
router.register("priorities", PriorityViewSet, basename="priority")
router.register("reports", ReportViewSet, basename="report")
router.register("committees", CommitteeViewSet, basename="committee")
router.register("evaluations", EvaluationViewSet, basename="evaluation")

urlpatterns = drf_views_only(
    [
        path("me/", views.MeView.as_view(), name="me"),
        *router.urls,
        path("schema/", SchemaView.as_view(), name="schema"),
        path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
        re_path(r"^.*$", NotFoundView.as_view(), name="not_found"),
    ]
)
