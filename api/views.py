"""The API's read endpoints. A door like `web/`: scoped querysets (`for_user`) for reading, the
domain's own predicates for who may read what, `finance.balances` for money. No rule is re-coded.

Objects outside the caller's scope answer 404 (their existence is not disclosed); an endpoint the
caller's role may not use answers 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api import serializers
from api.finance import CampaignCreditsMixin, EnvelopeDelegateMixin
from finance.balances import balances
from finance.models import Envelope
from programme import services as programme
from programme.models import Campaign
from referential.models import Authority, Department

SEARCH_LIMIT = 50


class CanReadProgramme(permissions.BasePermission):
    message = "Seuls l'administration, la Diair et le Ministère consultent les campagnes."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return programme.can_read_programme(request.user)


class MeView(APIView):
    """The caller: who they are and the roles they hold, each in its scope."""

    @extend_schema(summary="L'appelant et ses rôles", responses=serializers.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(serializers.MeSerializer(cast(User, request.user)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Rechercher une collectivité",
        description=(
            "La recherche du sélecteur de collectivités, sur tout le référentiel (données publiques du "
            f"Code officiel géographique) : par nom, code INSEE, SIREN ou code postal ; au plus {SEARCH_LIMIT} "
            "résultats, le code exact puis les plus peuplées d'abord. Sans `q`, la liste est vide."
        ),
        parameters=[serializers.AuthorityQuerySerializer],
    )
)
class AuthorityViewSet(viewsets.GenericViewSet[Authority]):
    serializer_class = serializers.AuthoritySerializer
    queryset = Authority.objects.none()

    def list(self, request: Request) -> Response:
        query = serializers.AuthorityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data.get("q", "")
        results = Authority.objects.search(text, limit=SEARCH_LIMIT)
        page = self.paginate_queryset(results)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Départements du périmètre de l'appelant"),
    retrieve=extend_schema(summary="Un département (par code INSEE)"),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet[Department]):
    serializer_class = serializers.DepartmentSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9AB]{2,3}"

    def get_queryset(self) -> QuerySet[Department]:
        return Department.objects.for_user(self.request.user).select_related("region").order_by("code")


@extend_schema_view(
    list=extend_schema(summary="Campagnes (une par année) et leurs règles"),
    retrieve=extend_schema(
        summary="Les règles d'une année",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH, description="Année.")],
    ),
)
class CampaignViewSet(CampaignCreditsMixin, viewsets.ReadOnlyModelViewSet[Campaign]):
    serializer_class = serializers.CampaignSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadProgramme]
    lookup_field = "year"
    lookup_value_regex = r"[0-9]{4}"

    def get_queryset(self) -> QuerySet[Campaign]:
        return Campaign.objects.with_parameters().order_by("year")


@extend_schema_view(
    list=extend_schema(
        summary="Enveloppes du périmètre de l'appelant, avec leurs soldes",
        parameters=[serializers.EnvelopeFilterSerializer],
    ),
    retrieve=extend_schema(summary="Une enveloppe et son solde"),
)
class EnvelopeViewSet(EnvelopeDelegateMixin, viewsets.ReadOnlyModelViewSet[Envelope]):
    """Balances come from `finance.balances.balances()`: one grouped query for the whole page."""

    serializer_class = serializers.EnvelopeSerializer

    def get_queryset(self) -> QuerySet[Envelope]:
        envelopes = Envelope.objects.for_user(self.request.user).select_related(
            "campaign", "budget_line", "region", "department"
        )
        if self.action == "list":
            filters = serializers.EnvelopeFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if "year" in filters.validated_data:
                envelopes = envelopes.filter(campaign__year=filters.validated_data["year"])
            if "line" in filters.validated_data:
                envelopes = envelopes.filter(budget_line__code=filters.validated_data["line"])
        return envelopes.order_by("campaign__year", "budget_line__code", "level", "region__code", "department__code")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        if page is None:  # pragma: no cover - pagination is always on
            raise exceptions.APIException()
        data = self.get_serializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        envelope = self.get_object()
        return Response(self.get_serializer(envelope, context=self._context([envelope])).data)

    def _context(self, envelopes: Iterable[Envelope]) -> dict[str, Any]:
        return {**self.get_serializer_context(), "balances": balances(e.pk for e in envelopes)}
