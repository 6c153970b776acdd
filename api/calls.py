"""/api/v1/calls/ and /api/v1/applications/: the calls for projects of the CTAI (F22) and the
opérateurs' applications, read through `contracts.calls.calls_for` / `applications_for` (what the
pages show), written through `contracts.calls` (the same functions as the pages). No rule is
re-coded here.

- A call: `publish`, `close` (transitions of an agent of the call's collectivité).
- Applying: `POST /calls/{id}/applications/` by a member of an opérateur, while the call is open
  (else 409 `call_not_open`).
- An application: `score`, `select`, `reject`, `to_action` (transitions of an agent of the call's
  collectivité, once the call no longer receives applications); an opérateur who sees his own
  application: 403; a transition not possible now (the call still open, already retained, already
  an action): 409.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api.ctai_serializers import CallDetailSerializer, CallFilterSerializer, CallSerializer
from api.errors import Conflict
from api.fields import MoneyField
from api.transitions import Transition, Transitions, TransitionsMixin
from contracts import calls as contract_calls
from contracts import permissions as contract_permissions
from contracts.calls import applications_for, calls_for, may_be_scored
from contracts.enums import ApplicationStatus, CallState
from contracts.models import Action, ActionPublic, Call, CallApplication, CallQuerySet, Programming
from programme.models import Domain
from referential.models import Operator

# --- Calls ----------------------------------------------------------------------------------------

# A call's life (`contracts.calls`): draft ──publish──▶ published ──close──▶ closed.
CALL_TRANSITIONS = {
    "publish": (CallState.DRAFT, Transition("publish", "Publier l'appel", CallState.PUBLISHED, "Publié")),
    "close": (CallState.PUBLISHED, Transition("close", "Clore l'appel", CallState.CLOSED, "Clos")),
}


def call_transitions(call: Call, user: Any) -> list[Transition]:
    """What an agent of the call's collectivité may do now (nothing for others)."""
    if not contract_permissions.may_manage_call(call, user):
        return []
    return [transition for source, transition in CALL_TRANSITIONS.values() if call.state == source]


def apply_call_transition(call: Call, name: str, user: Any, data: dict[str, Any]) -> Call:
    apply = contract_calls.publish_call if name == "publish" else contract_calls.close_call
    return apply(user=user, call=call)


# --- Applications: representation and input ---------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer[CallApplication]):
    call = serializers.IntegerField(source="call_id", help_text="L'appel à projets (id).")
    call_title = serializers.CharField(source="call.title", help_text="Titre de l'appel.")
    operator = serializers.SerializerMethodField(help_text="L'opérateur candidat : id, nom, SIRET.")
    status = serializers.ChoiceField(
        choices=ApplicationStatus.choices, help_text="Décision : submitted (déposée), selected, rejected."
    )
    status_label = serializers.CharField(source="get_status_display")
    public = serializers.ChoiceField(choices=ActionPublic.choices, help_text="Public de l'action.")
    domains = serializers.SlugRelatedField[Domain](slug_field="code", many=True, read_only=True)
    budget = MoneyField(help_text="Budget total de l'action (€).")
    requested_amount = MoneyField(help_text="Montant demandé (€).")
    score = serializers.SerializerMethodField(
        help_text="Note de la collectivité (0 à 20) ; null si pas notée, ou pour l'opérateur."
    )
    score_comment = serializers.SerializerMethodField(
        help_text="Appréciation de la collectivité ; null pour l'opérateur."
    )
    action = serializers.SerializerMethodField(
        help_text="L'action de la programmation qu'elle est devenue : id et programmation (null sinon)."
    )

    class Meta:
        model = CallApplication
        fields = [
            "id",
            "call",
            "call_title",
            "operator",
            "title",
            "description",
            "domains",
            "public",
            "planned_bpi",
            "planned_newcomers",
            "budget",
            "requested_amount",
            "status",
            "status_label",
            "score",
            "score_comment",
            "action",
            "submitted_at",
        ]
        read_only_fields = fields

    def _manages(self, application: CallApplication) -> bool:
        return contract_permissions.may_manage_call(application.call, self.context["user"])

    def get_operator(self, application: CallApplication) -> dict[str, Any]:
        operator = application.operator
        return {"id": operator.pk, "name": operator.name, "siret": operator.siret or None}

    def get_score(self, application: CallApplication) -> int | None:
        return application.score if self._manages(application) else None

    def get_score_comment(self, application: CallApplication) -> str | None:
        return application.score_comment if self._manages(application) else None

    def get_action(self, application: CallApplication) -> dict[str, int] | None:
        found = Action.objects.filter(application=application).values("pk", "programming_id").first()
        return None if found is None else {"id": found["pk"], "programming": found["programming_id"]}


class ApplicationCreateSerializer(serializers.Serializer[Any]):
    operator = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="L'opérateur (id) au nom duquel candidater ; facultatif quand l'appelant n'en a qu'un.",
    )
    title = serializers.CharField(max_length=200, help_text="Intitulé de l'action proposée.")
    description = serializers.CharField(help_text="Description de l'action.")
    domains = serializers.ListField(
        child=serializers.CharField(max_length=50), help_text="Codes des domaines, parmi ceux de l'appel."
    )
    public = serializers.ChoiceField(
        choices=ActionPublic.choices, default=ActionPublic.NEWCOMERS, help_text="Public de l'action."
    )
    planned_bpi = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0, help_text="BPI prévus.")
    planned_newcomers = serializers.IntegerField(
        min_value=0, max_value=1_000_000, default=0, help_text="Autres primo-arrivants prévus."
    )
    budget = MoneyField(help_text="Budget total de l'action (€).")
    requested_amount = MoneyField(help_text="Montant demandé (€), au plus le budget de l'action et celui de l'appel.")


class ApplicationTransitionInputSerializer(serializers.Serializer[Any]):
    """The body of an application's transition (`score`: the note; `to_action`: the programming)."""

    score = serializers.IntegerField(
        required=False, min_value=0, max_value=20, help_text="`score` : la note, de 0 à 20 (obligatoire)."
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, help_text="`score` : l'appréciation de la collectivité."
    )
    programming = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="`to_action` : la programmation (id) du contrat de l'appel, en préparation ou à modifier.",
    )


APPLICATION_TRANSITIONS = {
    "score": Transition("score", "Noter la candidature", None, None, ("score", "comment")),
    "select": Transition("select", "Retenir", ApplicationStatus.SELECTED, "Retenue"),
    "reject": Transition("reject", "Ne pas retenir", ApplicationStatus.REJECTED, "Non retenue"),
    "to_action": Transition(
        "to_action", "Inscrire à la programmation", ApplicationStatus.SELECTED, "Retenue", ("programming",)
    ),
}


def application_transitions(application: CallApplication, user: Any) -> list[Transition]:
    """What the call's collectivité may do now: nothing while the call receives applications; a
    retained application is not retained again, nor one made an action rejected."""
    if not contract_permissions.may_score_application(application, user) or not may_be_scored(application.call):
        return []
    has_action = Action.objects.filter(application=application).exists()
    names = ["score"]
    if application.status != ApplicationStatus.SELECTED:
        names.append("select")
    if application.status != ApplicationStatus.REJECTED and not has_action:
        names.append("reject")
    if not has_action:
        names.append("to_action")
    return [APPLICATION_TRANSITIONS[name] for name in names]


def apply_application_transition(application: CallApplication, name: str, user: Any, data: dict[str, Any]) -> None:
    body = ApplicationTransitionInputSerializer(data=data)
    body.is_valid(raise_exception=True)
    values = body.validated_data
    if name == "score":
        if "score" not in values:
            raise exceptions.ValidationError({"score": ["Indiquez une note entière de 0 à 20."]}, code="required")
        contract_calls.score_application(
            user=user, application=application, score=values["score"], comment=values.get("comment", "")
        )
    elif name == "select":
        contract_calls.select_application(user=user, application=application)
    elif name == "reject":
        contract_calls.reject_application(user=user, application=application)
    else:
        programming = Programming.objects.filter(
            pk=values.get("programming"), contract_id=application.call.contract_id
        ).first()
        if programming is None:
            raise exceptions.ValidationError(
                {"programming": ["Choisissez une programmation du contrat de cet appel à projets."]},
                code="programming",
            )
        contract_calls.application_to_action(user=user, application=application, programming=programming)


class ApplicationFilterSerializer(serializers.Serializer[Any]):
    call = serializers.IntegerField(required=False, min_value=1, help_text="L'appel à projets (id).")


def _applications(queryset: QuerySet[CallApplication]) -> QuerySet[CallApplication]:
    return queryset.select_related("call", "operator").prefetch_related("domains")


def _operator_of(user: Any, wanted: int | None) -> Operator:
    """The opérateur the caller applies for: the one named, or their only one (403 when none)."""
    own = Operator.objects.filter(pk__in=contract_permissions.operator_ids(user)).order_by("name")
    if wanted is not None:
        found = own.filter(pk=wanted).first()
        if found is None:
            raise exceptions.PermissionDenied("Seuls les membres de cet opérateur candidatent en son nom.")
        return found
    choices = list(own[:2])
    if not choices:
        raise exceptions.PermissionDenied("Seuls les opérateurs candidatent aux appels à projets.")
    if len(choices) > 1:
        raise exceptions.ValidationError(
            {"operator": ["Vous êtes membre de plusieurs opérateurs : indiquez lequel candidate."]}, code="required"
        )
    return choices[0]


# --- Views ------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Appels à projets",
        description=(
            "Ceux que les pages montrent à l'appelant : les appels ouverts (publiés, avant leur date "
            "limite) pour tous ; tous ceux de sa collectivité, en préparation compris (agents) ; ceux "
            "auxquels son opérateur a répondu ; les appels publiés et clos de son territoire (services de "
            "l'État). `open=true` : les appels ouverts seulement ; `open=false` : les autres."
        ),
        parameters=[CallFilterSerializer],
    ),
    retrieve=extend_schema(summary="Un appel à projets et son texte"),
    transitions_list=extend_schema(summary="Transitions de l'appel possibles pour l'appelant (publish, close)"),
    transition_apply=extend_schema(
        summary="Publier ou clore un appel à projets", request=None, responses=CallDetailSerializer
    ),
)
class CallViewSet(TransitionsMixin, viewsets.ReadOnlyModelViewSet[Call]):
    """Appels à projets des collectivités : guide dans docs/api.md, section CTAI. Les agents de la
    collectivité les publient et les closent ; les opérateurs y candidatent."""

    lookup_value_regex = r"[0-9]+"
    transitions = Transitions(
        available=call_transitions, apply=apply_call_transition, names=frozenset(CALL_TRANSITIONS)
    )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return CallSerializer if self.action == "list" else CallDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[Call]:
        calls = (
            calls_for(self.request.user)
            .select_related("authority", "campaign")
            .prefetch_related("domains")
            .order_by("-deadline", "-pk")
        )
        if self.action == "list":
            filters = CallFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            wanted = filters.validated_data.get("open")
            today = timezone.localdate()
            if wanted is True:
                calls = cast(CallQuerySet, calls).open(today)
            elif wanted is False:
                calls = calls.exclude(state=CallState.PUBLISHED, deadline__gte=today)
        return calls

    @extend_schema(
        methods=["GET"],
        summary="Les candidatures à un appel que l'appelant peut lire",
        description="Toutes pour les agents de la collectivité de l'appel ; les siennes pour un opérateur.",
        request=None,
        responses=ApplicationSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Candidater à un appel à projets (opérateur)",
        description=(
            "Par un membre de l'opérateur, tant que l'appel est ouvert (sinon 409 `call_not_open`). Les domaines "
            "parmi ceux de l'appel ; le montant demandé au plus le budget de l'action et celui de l'appel."
        ),
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="applications", url_name="applications")
    def applications(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        call = self.get_object()
        user = request.user
        context = {"user": user}
        if request.method != "POST":
            rows = _applications(applications_for(user).filter(call=call)).order_by("-score", "submitted_at", "pk")
            page = self.paginate_queryset(cast(Any, rows))
            return self.get_paginated_response(ApplicationSerializer(page, many=True, context=context).data)
        body = ApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        operator = _operator_of(user, data.pop("operator", None))
        if not call.is_open():
            raise Conflict(
                "Cet appel à projets ne reçoit plus de candidatures (date limite passée ou appel clos).",
                code="call_not_open",
            )
        created = contract_calls.apply_to_call(user=user, call=call, operator=operator, **data)
        saved = _applications(CallApplication.objects.filter(pk=created.pk)).get()
        return Response(ApplicationSerializer(saved, context=context).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Candidatures aux appels à projets",
        description=(
            "Celles aux appels de la collectivité de l'appelant (agents), celles de son opérateur (opérateurs) ; "
            "personne d'autre. `call` : celles d'un appel."
        ),
        parameters=[ApplicationFilterSerializer],
    ),
    retrieve=extend_schema(summary="Une candidature"),
    transitions_list=extend_schema(
        summary="Ce que l'appelant peut faire de la candidature (score, select, reject, to_action)"
    ),
    transition_apply=extend_schema(
        summary="Noter, retenir, ne pas retenir une candidature, ou l'inscrire à la programmation",
        description=(
            "Par un agent de la collectivité de l'appel, après la date limite ou une fois l'appel clos (sinon "
            '409). `score` : `{"score": 0-20, "comment"}` ; `select`, `reject` : sans corps ; `to_action` : '
            '`{"programming": id}`, la candidature retenue devient une action de cette programmation (en '
            "préparation ou à modifier), portée par l'opérateur."
        ),
        request=ApplicationTransitionInputSerializer,
        responses=ApplicationSerializer,
    ),
)
class ApplicationViewSet(TransitionsMixin, viewsets.ReadOnlyModelViewSet[CallApplication]):
    """Candidatures des opérateurs aux appels à projets : guide dans docs/api.md, section CTAI."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = ApplicationSerializer
    transitions = Transitions(
        available=application_transitions,
        apply=apply_application_transition,
        names=frozenset(APPLICATION_TRANSITIONS),
        allowed=contract_permissions.may_score_application,
        refused="Seuls les agents de la collectivité qui a publié l'appel examinent les candidatures.",
    )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user}

    def get_queryset(self) -> QuerySet[CallApplication]:
        rows = _applications(applications_for(self.request.user))
        if self.action == "list":
            filters = ApplicationFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if "call" in filters.validated_data:
                rows = rows.filter(call_id=filters.validated_data["call"])
        return rows.order_by("-submitted_at", "-pk")
