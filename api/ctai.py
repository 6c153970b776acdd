"""/api/v1/ctai/, /api/v1/programmings/, /api/v1/priorities/: the CTAI, read through
the scoped querysets
(`Contract.objects.for_user`, `Programming.objects.for_user`, and `contracts.calls.calls_for`, the
calls the pages show), written through `contracts.services` (contracts,
diagnostic, transitions) and `contracts.programming` (yearly programmings, actions, the Diair's
check, transitions). No rule is re-coded here.

- Outside the caller's scope: 404. A write the caller's role may not do: 403 (`PermissionDenied`
  of the services).
- Transitions: `api.transitions.TransitionsMixin` (409 when not available to the caller now, e.g.
  a second click; 400 with the French messages and the rule ids when a check refuses).
- Documents and the thread: `api.files.FilesMixin` (`contracts.documents`, `messaging`).
- Calls for projects and applications: `api.calls`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db.models import F, Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api.ctai_serializers import (
    ActionReviewSerializer,
    ActionSerializer,
    ActionWriteSerializer,
    CoordinatorWriteSerializer,
    CtaiCreateSerializer,
    CtaiDetailSerializer,
    CtaiFilterSerializer,
    CtaiSerializer,
    CtaiTransitionInputSerializer,
    DiagnosisWriteSerializer,
    PrioritySerializer,
    ProgrammingAmountsSerializer,
    ProgrammingCreateSerializer,
    ProgrammingDetailSerializer,
    ProgrammingSerializer,
    ProgrammingTransitionInputSerializer,
    WorkflowTransitionSerializer,
)
from api.files import Files, FilesMixin
from api.transitions import Transitions, TransitionsMixin
from contracts import documents as contract_documents
from contracts import permissions as contract_permissions
from contracts import programming as programmings
from contracts import services
from contracts.enums import ProgrammingTransitionName, TransitionName
from contracts.models import Action, Contract, Programming
from contracts.programming import FORMS as PROGRAMMING_FORMS
from contracts.workflow import FORMS as CONTRACT_FORMS
from programme.models import Campaign, Priority

ACTION_ID = OpenApiParameter(
    "action_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="L'action (id) de la programmation."
)


def _campaign(year: int) -> Campaign:
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None:
        raise exceptions.ValidationError({"year": [f"Aucune campagne pour l'année {year}."]})
    return campaign


def _reason(form: Any, data: Mapping[str, Any]) -> str:
    """The reason, when the transition's form asks for one (required or optional)."""
    return str(data.get("reason") or "") if form.reason != "none" else ""


def apply_contract_transition(contract: Contract, name: str, user: Any, data: dict[str, Any]) -> None:
    """`contracts.services.apply_transition` with `reason` and the fields the transition's form lists
    (`contracts.workflow.FORMS`), typed here (dates, years, names). Returns None: the mixin re-reads
    the contract through the scoped queryset."""
    body = CtaiTransitionInputSerializer(data=data)
    body.is_valid(raise_exception=True)
    form = CONTRACT_FORMS[name]
    values = {key: value for key, value in body.validated_data.items() if key in form.fields}
    services.apply_transition(
        contract=contract, name=name, user=user, reason=_reason(form, body.validated_data), **values
    )


def apply_programming_transition(programming: Programming, name: str, user: Any, data: dict[str, Any]) -> None:
    """`contracts.programming.apply_transition` with `reason` and the fields the transition's form
    lists (`close`: the report's date and the final amounts spent per line)."""
    body = ProgrammingTransitionInputSerializer(data=data)
    body.is_valid(raise_exception=True)
    form = PROGRAMMING_FORMS[name]
    values = {key: value for key, value in body.validated_data.items() if key in form.fields}
    programmings.apply_transition(
        programming=programming, name=name, user=user, reason=_reason(form, body.validated_data), **values
    )


def programming_queryset(user: Any) -> QuerySet[Programming]:
    """The programmings the caller sees (those of the contracts they see), with what their
    representation reads: one query per relation, whatever the number of actions."""
    return (
        Programming.objects.for_user(user)
        .select_related("campaign", "contract__authority", "contract__department")
        .prefetch_related(
            # What `Campaign.rules()` reads (funding and findings read them more than once).
            "campaign__budget_lines",
            "campaign__ctai_mandatory_domains",
            "campaign__ptai_mandatory_domains",
            Prefetch(
                "actions", queryset=Action.objects.order_by("pk").select_related("priority").prefetch_related("domains")
            ),
        )
        .order_by("contract_id", "campaign__year")
    )


# --- Contracts -----------------------------------------------------------------------------------


CTAI_FILES = Files(
    documents=contract_documents.documents_of,
    document_of=contract_documents.contract_id_of,
    upload=lambda contract, user, uploaded_file, kind: contract_documents.attach_document(
        contract=contract, user=user, kind=kind, uploaded_file=uploaded_file
    ),
    may_write=contract_permissions.may_contribute,
    write_refused="Seuls les agents de la collectivité, le préfet et la Diair écrivent sur le fil du contrat.",
    kinds=lambda contract, user: [
        code for code, kind in contract_documents.UPLOADS.items() if kind.who(contract, user)
    ],
    kind_now=lambda contract, kind: contract.state in contract_documents.UPLOADS[kind].states,
)


@extend_schema_view(
    list=extend_schema(summary="CTAI et CTAIR du périmètre de l'appelant", parameters=[CtaiFilterSerializer]),
    retrieve=extend_schema(
        summary="Un contrat : dates, signataires, coordinateur, diagnostic, programmations et règles"
    ),
    create=extend_schema(
        summary="Ouvrir un contrat (prise de contact)",
        description=(
            "Par un agent de la collectivité signataire, le préfet de son département ou la Diair "
            "(`authority` : code INSEE ou SIREN). Un CTAI qui élargit un CTAIR ne s'ouvre pas ici : il part "
            "de la déclaration d'intention de la collectivité, transition `declare_widening` du CTAIR."
        ),
        request=CtaiCreateSerializer,
        responses={201: CtaiDetailSerializer},
    ),
    transitions_list=extend_schema(
        summary="Transitions du contrat possibles pour l'appelant", responses=WorkflowTransitionSerializer(many=True)
    ),
    transition_apply=extend_schema(
        summary="Appliquer une transition du contrat",
        request=CtaiTransitionInputSerializer,
        responses=CtaiDetailSerializer,
    ),
)
class CtaiViewSet(
    FilesMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Contract],
):
    """Contrats territoriaux d'accueil et d'intégration (CTAI, CTAIR) : guide dans docs/api.md, section CTAI."""

    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    transitions = Transitions(
        available=services.available_transitions,
        apply=apply_contract_transition,
        names=frozenset(TransitionName.values),
    )
    transition_serializer_class = WorkflowTransitionSerializer
    files = CTAI_FILES

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return CtaiSerializer if self.action == "list" else CtaiDetailSerializer

    def get_queryset(self) -> QuerySet[Contract]:
        contracts = (
            Contract.objects.for_user(self.request.user)
            .for_list()
            .annotate(widened_into_pk=F("widened_into__pk"))
            .prefetch_related(
                Prefetch(
                    "programmings", queryset=Programming.objects.select_related("campaign").order_by("campaign__year")
                )
            )
        )
        if self.action == "list":
            return self._filter(contracts).order_by("-created_at", "-pk")
        return contracts.select_related("diagnosis", "department__region", "widening_declared_by")

    def _filter(self, contracts: QuerySet[Contract]) -> QuerySet[Contract]:
        filters = CtaiFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if "state" in data:
            contracts = contracts.filter(state=data["state"])
        if "kind" in data:
            contracts = contracts.filter(kind=data["kind"])
        if "departement" in data:
            contracts = contracts.filter(department__code=data["departement"])
        if "year" in data:
            contracts = contracts.filter(campaign__year=data["year"])
        return contracts

    def _detail(self, contract: Contract) -> dict[str, Any]:
        return dict(CtaiDetailSerializer(self.get_queryset().get(pk=contract.pk)).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CtaiCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        contract = services.create_contract(
            user=request.user,
            authority=data["authority"],
            campaign=_campaign(data["year"]),
            kind=data["kind"],
            title=data["title"],
        )
        return Response(self._detail(contract), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remplir le diagnostic territorial",
        description=(
            "À l'étape `diagnosis`, par un agent de la collectivité, le préfet ou la Diair ; les champs "
            "donnés remplacent les précédents. Réponse : le contrat."
        ),
        request=DiagnosisWriteSerializer,
        responses=CtaiDetailSerializer,
    )
    @action(detail=True, methods=["patch"], url_path="diagnosis", url_name="diagnosis")
    def diagnosis(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contract = self.get_object()
        body = DiagnosisWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.save_diagnosis(user=request.user, contract=contract, **body.validated_data)
        return Response(self._detail(contract))

    @extend_schema(
        summary="Enregistrer le coordinateur du contrat",
        description=(
            "F20 : la collectivité peut nommer (`name`, `role`, `contact`) ou recruter (`recruiting`) un "
            "coordinateur dédié ; ce n'est pas obligatoire pour signer (tout vide : pas de coordinateur). Par un "
            "agent de la collectivité ou le préfet, avant la signature ou pendant que le contrat est en vigueur. "
            "Réponse : le contrat."
        ),
        request=CoordinatorWriteSerializer,
        responses=CtaiDetailSerializer,
    )
    @action(detail=True, methods=["put"], url_path="coordinator", url_name="coordinator")
    def coordinator(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contract = self.get_object()
        body = CoordinatorWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_coordinator(user=request.user, contract=contract, **body.validated_data)
        return Response(self._detail(contract))

    @extend_schema(
        methods=["GET"],
        summary="Les programmations annuelles d'un contrat",
        request=None,
        responses=ProgrammingSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Ouvrir la programmation d'une année",
        description="Par un agent de la collectivité, pour un contrat signé, une par année de son effet.",
        request=ProgrammingCreateSerializer,
        responses={201: ProgrammingDetailSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="programmings", url_name="programmings")
    def programmings(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contract = self.get_object()
        if request.method == "POST":
            body = ProgrammingCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            created = programmings.create_programming(
                user=request.user,
                contract=contract,
                campaign=_campaign(data["year"]),
                base_amount=data["base_amount"],
                complement_amount=data["complement_amount"],
            )
            saved = programming_queryset(request.user).get(pk=created.pk)
            return Response(ProgrammingDetailSerializer(saved).data, status=status.HTTP_201_CREATED)
        rows = (
            Programming.objects.filter(contract=contract)
            .select_related("campaign", "contract__authority", "contract__department")
            .order_by("campaign__year", "pk")
        )
        page: Any = self.paginate_queryset(cast(Any, rows))  # the viewset's model is Contract
        if page is None:  # pragma: no cover - pagination is always on
            raise exceptions.APIException()
        return self.get_paginated_response(ProgrammingSerializer(page, many=True).data)


# --- Yearly programmings -------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(summary="Une programmation : ses actions, le calcul du financement et les règles"),
    partial_update=extend_schema(
        summary="Modifier le socle et les crédits complémentaires demandés",
        description="Par un agent de la collectivité, en préparation ou après une demande de modifications.",
        request=ProgrammingAmountsSerializer,
        responses=ProgrammingDetailSerializer,
    ),
    transitions_list=extend_schema(
        summary="Transitions de la programmation possibles pour l'appelant",
        responses=WorkflowTransitionSerializer(many=True),
    ),
    transition_apply=extend_schema(
        summary="Appliquer une transition de la programmation",
        request=ProgrammingTransitionInputSerializer,
        responses=ProgrammingDetailSerializer,
    ),
)
class ProgrammingViewSet(TransitionsMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Programming]):
    """Programmations annuelles d'un CTAI signé : guide dans docs/api.md, section CTAI."""

    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = ProgrammingDetailSerializer
    transitions = Transitions(
        available=programmings.available_transitions,
        apply=apply_programming_transition,
        names=frozenset(ProgrammingTransitionName.values),
    )
    transition_serializer_class = WorkflowTransitionSerializer

    def get_queryset(self) -> QuerySet[Programming]:
        return programming_queryset(self.request.user)

    def _detail(self, programming: Programming) -> dict[str, Any]:
        return dict(ProgrammingDetailSerializer(self.get_queryset().get(pk=programming.pk)).data)

    def _action(self, programming: Programming, action_id: str) -> Action:
        found = next((a for a in programming.actions.all() if str(a.pk) == action_id), None)
        if found is None:
            raise exceptions.NotFound("Introuvable.")
        return found

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programming = self.get_object()
        body = ProgrammingAmountsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        programmings.set_amounts(
            user=request.user,
            programming=programming,
            base_amount=data.get("base_amount", programming.base_amount),
            complement_amount=data.get("complement_amount", programming.complement_amount),
        )
        return Response(self._detail(programming))

    @extend_schema(
        summary="Ajouter une action à la programmation",
        description="Par un agent de la collectivité, en préparation ou après une demande de modifications.",
        request=ActionWriteSerializer,
        responses={201: ActionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="actions", url_name="actions")
    def add_action(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programming = self.get_object()
        body = ActionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        domains = fields.pop("domains")
        created = programmings.add_action(user=request.user, programming=programming, domains=domains, **fields)
        saved = Action.objects.select_related("priority").prefetch_related("domains").get(pk=created.pk)
        return Response(ActionSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary="Modifier une action",
        description="Les champs donnés remplacent les précédents ; une action renvoyée redevient « à examiner ».",
        parameters=[ACTION_ID],
        request=ActionWriteSerializer,
        responses=ActionSerializer,
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Retirer une action",
        parameters=[ACTION_ID],
        request=None,
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"actions/(?P<action_id>[0-9]+)",
        url_name="action",
    )
    def change_action(self, request: Request, action_id: str, *args: Any, **kwargs: Any) -> Response:
        programming = self.get_object()
        found = self._action(programming, action_id)
        if request.method == "DELETE":
            programmings.remove_action(user=request.user, action=found)
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = ActionWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        domains = fields.pop("domains", None)
        programmings.update_action(user=request.user, action=found, domains=domains, **fields)
        saved = Action.objects.select_related("priority").prefetch_related("domains").get(pk=found.pk)
        return Response(ActionSerializer(saved).data)

    @extend_schema(
        summary="Examiner une action (Diair)",
        description=(
            "Quand la programmation est présentée : `accepted`, ou `sent_back` avec un motif. Une action "
            "dont le public est hors du programme ne peut pas être acceptée (`ctai.action.public`)."
        ),
        parameters=[ACTION_ID],
        request=ActionReviewSerializer,
        responses=ActionSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"actions/(?P<action_id>[0-9]+)/review",
        url_name="action_review",
    )
    def review_action(self, request: Request, action_id: str, *args: Any, **kwargs: Any) -> Response:
        programming = self.get_object()
        found = self._action(programming, action_id)
        body = ActionReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        programmings.review_action(
            user=request.user,
            action=found,
            decision=body.validated_data["decision"],
            reason=body.validated_data["reason"],
        )
        saved = Action.objects.select_related("priority").prefetch_related("domains").get(pk=found.pk)
        return Response(ActionSerializer(saved).data)


# --- Priorities of the national strategy -------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Priorités de la stratégie nationale pour l'accueil et l'intégration des réfugiés (2018)",
        description="F13 : chaque action d'une programmation indique la priorité qu'elle sert (`priority` : le code).",
    ),
    retrieve=extend_schema(summary="Une priorité de la stratégie nationale"),
)
class PriorityViewSet(viewsets.ReadOnlyModelViewSet[Priority]):
    """Le référentiel des priorités, que les administrateurs rédigent (lecture seule ici)."""

    serializer_class = PrioritySerializer
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9-]+"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Priority]:
        return Priority.objects.order_by("position", "label")
