"""A reusable pair of endpoints for the workflow of any object (PTAI now, CTAI later):

    GET  …/{id}/transitions/         the transitions this caller may attempt now
    POST …/{id}/transitions/{name}/  apply one, with {"reason": …, "opinion": …, "amount": …}

The rules stay in the domain: the viewset is given two functions and only calls them.

    class PtaiViewSet(TransitionsMixin, ApiReadOnlyViewSet):
        transitions = Transitions(
            available=projects.workflow.available_transitions,  # (obj, user) -> [has .name, .label]
            apply=projects.services.apply_transition,            # (obj, name, user, data) -> obj | None
            names=frozenset(projects.enums.TransitionName),      # optional: unknown name → 404
        )

- The object comes from `get_object()` (the scoped queryset): outside the scope, 404.
- A name the object's workflow does not know: 404 (only when `names` is given); a transition that
  is not among `available(obj, user)` (wrong state, role, scope — or already applied: a double
  click): 409 `transition_unavailable`, nothing written.
- `allowed` (optional): who may act on the object at all; a caller in scope without the right
  gets 403 (with `refused`) instead of 409.
- `available` should list what the caller may *attempt* (role, scope, state), not filter on the
  programme rules: `apply` then refuses with a `ValidationError` carrying `findings`, and the
  caller gets the French messages and the rule ids (api.errors).
- `apply` checks everything again under its own lock (two requests at once): the list is a
  courtesy, the service is the guard. It receives the JSON body as a plain dict.
- The answer to a POST is the object's new representation (the viewset's serializer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import Conflict
from api.fields import MoneyField

TRANSITION_NAME = r"[a-z][a-z0-9_]*"


@dataclass(frozen=True)
class Transition:
    """A transition as `available` may answer it (any object with `name` and `label` will do)."""

    name: str
    label: str
    target: str | None = None  # the state it leads to
    target_label: str | None = None
    fields: tuple[str, ...] = ()  # what the body carries for it: "reason", "opinion", "amount"…


@dataclass(frozen=True)
class Transitions:
    available: Callable[[Any, Any], Iterable[Any]]
    apply: Callable[[Any, str, Any, dict[str, Any]], Any]
    names: frozenset[str] = field(default_factory=frozenset)
    # Optional: who may act on the object at all (obj, user) -> bool; a caller who sees the object
    # (in scope) but may not act on it gets 403 with `refused`, rather than 409.
    allowed: Callable[[Any, Any], bool] | None = None
    refused: str = "Votre rôle ne permet pas cette opération."


class TransitionSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="Nom de la transition, à mettre dans l'adresse du POST.")
    label = serializers.CharField(help_text="Libellé (bouton de l'interface).")  # type: ignore[assignment]
    target = serializers.CharField(allow_null=True, help_text="L'état d'arrivée (code), s'il est connu.")
    target_label = serializers.CharField(allow_null=True, help_text="Son libellé.")
    fields = serializers.ListField(  # type: ignore[assignment]  # Serializer.fields: a field named "fields"
        child=serializers.CharField(), default=list, help_text="Champs attendus dans le corps du POST."
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        target = getattr(instance, "target", None)
        target_label = getattr(instance, "target_label", None)
        return {
            "name": str(instance.name),
            "label": str(instance.label),
            "target": None if target is None else str(target),
            "target_label": None if target_label is None else str(target_label),
            "fields": [str(name) for name in getattr(instance, "fields", None) or ()],
        }


class TransitionInputSerializer(serializers.Serializer[Any]):
    """The body of a transition (for the schema: `apply` reads and checks it)."""

    reason = serializers.CharField(required=False, help_text="Motif (refus, demande de correction, abandon…).")
    opinion = serializers.CharField(required=False, help_text="Avis (favorable, défavorable).")
    amount = MoneyField(required=False, help_text="Montant en euros (proposé, accordé), par exemple « 40 000 ».")


NAME_PARAMETER = OpenApiParameter(
    "name",
    {"type": "string", "pattern": f"^{TRANSITION_NAME}$"},
    OpenApiParameter.PATH,
    description="Nom de la transition.",
)


class TransitionsMixin:
    """Adds `transitions/` and `transitions/{name}/` to a viewset with `get_object()`."""

    transitions: Transitions
    # How one available transition is shown; a subclass may add what its workflow knows.
    transition_serializer_class: type[serializers.Serializer[Any]] = TransitionSerializer

    # Provided by GenericAPIView.
    get_object: Callable[[], Any]
    get_serializer: Callable[..., serializers.BaseSerializer[Any]]

    @extend_schema(
        summary="Transitions possibles pour l'appelant",
        request=None,
        responses=TransitionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="transitions", url_name="transitions", pagination_class=None)
    def transitions_list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        available = list(self.transitions.available(obj, request.user))
        return Response(self.transition_serializer_class(available, many=True).data)

    @extend_schema(
        summary="Appliquer une transition",
        parameters=[NAME_PARAMETER],
        request=TransitionInputSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"transitions/(?P<name>{TRANSITION_NAME})",
        url_name="transition",
    )
    def transition_apply(self, request: Request, name: str, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        if self.transitions.names and name not in self.transitions.names:
            raise exceptions.NotFound(f"Transition inconnue : « {name} ».", code="transition_unknown")
        if self.transitions.allowed is not None and not self.transitions.allowed(obj, request.user):
            raise exceptions.PermissionDenied(self.transitions.refused)
        if name not in {str(t.name) for t in self.transitions.available(obj, request.user)}:
            raise Conflict(
                f"La transition « {name} » n'est pas possible : l'état du dossier ne le permet pas, ou "
                "votre rôle ne le permet pas, ou elle vient d'être faite (rechargez le dossier).",
                code="transition_unavailable",
            )
        data = request.data
        if isinstance(data, QueryDict):
            data = data.dict()
        if not isinstance(data, Mapping):
            raise exceptions.ValidationError("Le corps de la requête doit être un objet JSON.", code="not_an_object")
        result = self.transitions.apply(obj, name, request.user, dict(data))
        return Response(self.get_serializer(result if result is not None else self.get_object()).data)
