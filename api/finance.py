"""`GET /api/v1/ledger/`: the entries of the ledger the caller may see, as on the page « Écritures »
(État roles: a département's or a région's envelopes, all for national roles), with its filters."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.enums import Role
from accounts.permissions import holds
from api.fields import BlankChoicesAsNull, MoneyField
from finance.enums import EntryKind
from finance.models import Envelope, LedgerEntry

LEDGER_ROLES = (Role.INSTRUCTOR, Role.PREFECT, Role.MINISTRY, Role.DIAIR, Role.ADMIN)


class CanSeeLedger(permissions.BasePermission):
    message = "Seuls les services de l'État consultent les écritures du budget."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return holds(request.user, *LEDGER_ROLES)


class LedgerEntrySerializer(BlankChoicesAsNull, serializers.ModelSerializer[LedgerEntry]):
    year = serializers.IntegerField(source="envelope.campaign.year", help_text="Année de campagne.")
    line = serializers.CharField(source="envelope.budget_line.code", help_text="Ligne budgétaire (104-15, 104-12).")
    level = serializers.CharField(
        source="envelope.level", help_text="Niveau de l'enveloppe : national, region, department."
    )
    scope_label = serializers.CharField(source="envelope.scope_label", help_text="Le territoire de l'enveloppe.")
    kind_label = serializers.CharField(source="get_kind_display")
    amount = MoneyField()
    created_by = serializers.SerializerMethodField(help_text="Adresse de la personne qui a saisi l'écriture.")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "created_at",
            "envelope",
            "year",
            "line",
            "level",
            "scope_label",
            "kind",
            "kind_label",
            "amount",
            "tranche",
            "commitment",
            "reverses",
            "reason",
            "created_by",
        ]

    def get_created_by(self, entry: LedgerEntry) -> str | None:
        return entry.created_by.email if entry.created_by is not None else None


class LedgerFilterSerializer(serializers.Serializer[dict[str, Any]]):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Année de campagne.")
    line = serializers.CharField(required=False, max_length=10, help_text="Ligne budgétaire : 104-15 ou 104-12.")
    departement = serializers.CharField(required=False, max_length=3, help_text="Code INSEE du département.")
    kind = serializers.ChoiceField(required=False, choices=EntryKind.choices, help_text="Mouvement.")
    envelope = serializers.IntegerField(required=False, min_value=1, help_text="Identifiant de l'enveloppe.")
    date_from = serializers.DateField(required=False, help_text="Écritures de ce jour ou après (AAAA-MM-JJ).")
    date_to = serializers.DateField(required=False, help_text="Écritures de ce jour ou avant (AAAA-MM-JJ).")


@extend_schema_view(
    list=extend_schema(summary="Écritures du budget du périmètre de l'appelant", parameters=[LedgerFilterSerializer]),
    retrieve=extend_schema(summary="Une écriture du budget"),
)
class LedgerViewSet(viewsets.ReadOnlyModelViewSet[LedgerEntry]):
    """Newest first, 50 a page; an entry is never changed (a reversal is its own entry)."""

    serializer_class = LedgerEntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanSeeLedger]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        user = self.request.user
        entries = LedgerEntry.objects.select_related(
            "envelope__campaign", "envelope__budget_line", "envelope__region", "envelope__department", "created_by"
        )
        if not user.scope.national:  # type: ignore[union-attr]
            entries = entries.filter(envelope__in=Envelope.objects.for_user(user))
        if self.action == "list":
            filters = LedgerFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            wanted = filters.validated_data
            lookups = {
                "year": "envelope__campaign__year",
                "line": "envelope__budget_line__code",
                "departement": "envelope__department__code",
                "kind": "kind",
                "envelope": "envelope_id",
                "date_from": "created_at__date__gte",
                "date_to": "created_at__date__lte",
            }
            entries = entries.filter(**{lookups[name]: value for name, value in wanted.items()})
        return entries.order_by("-created_at", "-pk")
