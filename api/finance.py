"""`GET /api/v1/ledger/`: the entries of the ledger the caller may see, as on the page « Écritures »
(État roles: a département's or a région's envelopes, all for national roles), with its filters.

The money writes of the pages « Budget », through `finance.services` (which check the actor, lock
and check the balances): open credits (`POST /campaigns/{year}/credits/`), delegate
(`POST /envelopes/{id}/delegate/`), reverse an entry (`POST /ledger/{id}/reverse/`). Re-authentication
(`RecentlyAuthenticatedSession`): a token call passes, a State session must be recent."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from accounts.models import User
from accounts.permissions import holds
from api.errors import Conflict
from api.fields import BlankChoicesAsNull, MoneyField
from finance import permissions as finance_permissions
from finance import services
from finance.balances import balance
from finance.enums import EntryKind
from finance.models import Envelope, LedgerEntry
from identity.second_factor import is_state_or_admin
from identity.sessions import is_recent
from referential.models import Department, Region

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


# --- Writes: open, delegate, reverse (finance.services; the same as the pages « Budget ») --------------


class RecentlyAuthenticatedSession(permissions.BasePermission):
    """Money moves are sensitive (settings.REAUTH_URL_NAMES for the pages). A call with a personal
    token passes: State roles confirmed their identity to create it, and it expires. A State agent's
    or administrator's session (the docs page) must have authenticated within REAUTH_MAX_AGE, as the
    pages ask: else 403 `reauthentication_required`."""

    message = (
        "Confirmez votre identité sur le site (page « Confirmer votre identité ») puis recommencez : "
        "cette opération sur les crédits le demande après 15 minutes."
    )
    code = "reauthentication_required"

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS or request.auth is not None:
            return True
        user = request.user
        if not isinstance(user, User) or not is_state_or_admin(user):
            return True
        return is_recent(request._request)


def _reason(data: dict[str, Any]) -> str:
    return str(data.get("reason") or "")


class OpenCreditsSerializer(serializers.Serializer[dict[str, Any]]):
    line = serializers.CharField(max_length=10, help_text="Ligne budgétaire de la campagne : 104-15 ou 104-12.")
    amount = MoneyField(allow_zero=False, help_text="Montant ouvert (€), dans l'enveloppe nationale de l'année.")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Motif ou référence (facultatif)."
    )


class DelegateSerializer(serializers.Serializer[dict[str, Any]]):
    departement = serializers.CharField(
        required=False, max_length=3, help_text="Code INSEE du département qui reçoit (ou `region`)."
    )
    region = serializers.CharField(
        required=False, max_length=2, help_text="Code INSEE de la région qui reçoit (depuis l'enveloppe nationale)."
    )
    amount = MoneyField(allow_zero=False, help_text="Montant délégué (€), au plus le disponible de l'enveloppe.")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Motif ou référence (facultatif)."
    )
    expected_available = MoneyField(
        required=False,
        help_text=(
            "Facultatif : le disponible de l'enveloppe que l'appelant a lu ; s'il a changé depuis, rien n'est "
            "écrit (409 `state_changed`) — ce qui protège d'un envoi en double."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("departement" in attrs) == ("region" in attrs):
            raise serializers.ValidationError(
                {"departement": ["Indiquez le département ou la région qui reçoit les crédits (l'un des deux)."]},
                code="target",
            )
        return attrs


class ReverseSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=500, help_text="Motif de l'annulation (obligatoire).")


class CampaignCreditsMixin:
    """`POST /campaigns/{year}/credits/`: open credits on the year's national envelope of a line."""

    get_object: Any

    @extend_schema(
        summary="Ouvrir des crédits sur l'enveloppe nationale d'une ligne",
        description=(
            "Par le Ministère ou un administrateur (sinon 403), dans l'enveloppe nationale de la campagne "
            "(au-delà : 400 `beyond_national_envelope`). Réponse : l'écriture d'ouverture."
        ),
        request=OpenCreditsSerializer,
        responses={201: LedgerEntrySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="credits",
        url_name="credits",
        permission_classes=[permissions.IsAuthenticated, RecentlyAuthenticatedSession],
    )
    def credits(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        if not finance_permissions.may_open_credits(request.user):
            raise exceptions.PermissionDenied("Seul le Ministère ouvre des crédits sur l'enveloppe nationale.")
        body = OpenCreditsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        line = campaign.budget_lines.filter(code=data["line"]).first()
        if line is None:
            raise exceptions.ValidationError(
                {"line": [f"La ligne {data['line']} n'est pas ouverte pour la campagne {campaign.year}."]},
                code="line",
            )
        entry = services.open_national_envelope(
            actor=request.user, campaign=campaign, budget_line=line, amount=data["amount"], reason=_reason(data)
        )
        return _created(entry)


def _created(entry: LedgerEntry) -> Response:
    saved = LedgerEntry.objects.select_related(*LEDGER_RELATED).get(pk=entry.pk)
    return Response(LedgerEntrySerializer(saved).data, status=status.HTTP_201_CREATED)


LEDGER_RELATED = (
    "envelope__campaign",
    "envelope__budget_line",
    "envelope__region",
    "envelope__department",
    "created_by",
)


class EnvelopeDelegateMixin:
    """`POST /envelopes/{id}/delegate/`: delegate credits down the chain."""

    get_object: Any

    @extend_schema(
        summary="Déléguer des crédits de l'enveloppe à une région ou à un département",
        description=(
            "Depuis l'enveloppe nationale (le Ministère : à une région ou à un département) ou régionale (le "
            "Ministère ou le préfet de la région : à un département de la région) ; sinon 403. Au-delà du "
            "disponible : 400 `beyond_available`. Réponse : l'écriture de délégation (côté envoyé)."
        ),
        request=DelegateSerializer,
        responses={201: LedgerEntrySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="delegate",
        url_name="delegate",
        permission_classes=[permissions.IsAuthenticated, RecentlyAuthenticatedSession],
    )
    def delegate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = self.get_object()
        if not finance_permissions.may_delegate_from(request.user, source):
            raise exceptions.PermissionDenied(
                "Seul le Ministère délègue les crédits nationaux, et le préfet de région ceux de sa région."
            )
        body = DelegateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        department = region = None
        if "departement" in data:
            department = Department.objects.filter(code=data["departement"]).first()
            if department is None:
                raise exceptions.ValidationError({"departement": ["Département inconnu."]}, code="departement")
        else:
            region = Region.objects.filter(code=data["region"]).first()
            if region is None:
                raise exceptions.ValidationError({"region": ["Région inconnue."]}, code="region")
        if "expected_available" in data:
            Envelope.objects.select_for_update(of=("self",)).filter(pk=source.pk).first()
            if balance(source.pk).available != data["expected_available"]:
                raise Conflict(STATE_CHANGED, code="state_changed")
        entry = services.delegate(
            actor=request.user,
            source=source,
            amount=data["amount"],
            region=region,
            department=department,
            reason=_reason(data),
        )
        return _created(entry)


STATE_CHANGED = (
    "Le disponible de l'enveloppe a changé depuis votre lecture (une autre opération a eu lieu, ou la demande a "
    "été envoyée deux fois) : relisez-le et recommencez."
)


class LedgerReverseMixin:
    """`POST /ledger/{id}/reverse/`: cancel an opening or a delegation by a reversal entry."""

    get_object: Any

    @extend_schema(
        summary="Annuler une écriture (ouverture ou délégation) par une contre-écriture",
        description=(
            "Par qui a pu la passer (sinon 403) ; une écriture qui appartient à un dossier (engagement, paiement, "
            "délégation pour un dossier) s'annule par le circuit du dossier : 400 `through_workflow` ; déjà "
            "annulée : 409 ; si les soldes ne le permettent pas : 400. Réponse : la contre-écriture."
        ),
        request=ReverseSerializer,
        responses={201: LedgerEntrySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="reverse",
        url_name="reverse",
        permission_classes=[permissions.IsAuthenticated, CanSeeLedger, RecentlyAuthenticatedSession],
    )
    def reverse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        # Who may not pass such an entry: 403 (an entry of a file keeps the service's explanation, 400).
        of_a_file = entry.commitment_id is not None or entry.funded_type_id is not None
        if not (of_a_file or entry.reverses_id is not None or finance_permissions.may_reverse(request.user, entry)):
            raise exceptions.PermissionDenied("Vous ne pouvez pas annuler cette écriture.")
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        Envelope.objects.select_for_update(of=("self",)).filter(pk=entry.envelope_id).first()
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise Conflict(f"L'écriture n° {entry.pk} est déjà annulée.", code="already_reversed")
        reversal = services.reverse(actor=request.user, entry=entry, reason=body.validated_data["reason"])
        return _created(reversal)


@extend_schema_view(
    list=extend_schema(summary="Écritures du budget du périmètre de l'appelant", parameters=[LedgerFilterSerializer]),
    retrieve=extend_schema(summary="Une écriture du budget"),
)
class LedgerViewSet(LedgerReverseMixin, viewsets.ReadOnlyModelViewSet[LedgerEntry]):
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
