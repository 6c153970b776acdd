"""`/api/v1/amendments/`: the amendments (avenants, F24) of the contracts the caller sees, and their
workflow — `sign` (the préfet, `signed_on`) and `abandon` (an agent of the collectivité or the
préfet, a reason) — through `contracts.amendments.apply_transition`, as the amendment's page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.ctai_serializers import WorkflowTransitionSerializer
from api.fields import BlankChoicesAsNull
from api.transitions import Transitions, TransitionsMixin
from contracts import amendments
from contracts.enums import AmendmentObject, AmendmentState, AmendmentTransitionName
from contracts.models import Amendment, Contract


class AmendmentSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Amendment]):
    contract = serializers.IntegerField(source="contract_id", help_text="Identifiant du contrat (CTAI).")
    state = serializers.ChoiceField(choices=AmendmentState.choices, help_text="drafted, signed, abandoned.")
    state_label = serializers.CharField(source="get_state_display")
    objects_changed = serializers.ListField(
        child=serializers.ChoiceField(choices=AmendmentObject.choices), help_text="Ce que l'avenant change."
    )

    class Meta:
        model = Amendment
        fields = [
            "id",
            "contract",
            "number",
            "state",
            "state_label",
            "objects_changed",
            "summary",
            "new_effective_to",
            "new_duration_years",
            "signed_on",
            "created_at",
        ]


class AmendmentFilterSerializer(serializers.Serializer[dict[str, Any]]):
    contract = serializers.IntegerField(required=False, min_value=1, help_text="Identifiant du contrat.")


class AmendmentTransitionInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, help_text="abandon : motif (obligatoire).")
    signed_on = serializers.DateField(required=False, help_text="sign : date de la signature (AAAA-MM-JJ).")


def apply_amendment_transition(amendment: Amendment, name: str, user: Any, data: dict[str, Any]) -> Amendment:
    body = AmendmentTransitionInputSerializer(data=data)
    body.is_valid(raise_exception=True)
    form = amendments.FORMS[name]
    values = {key: value for key, value in body.validated_data.items() if key in form.fields}
    reason = str(body.validated_data.get("reason") or "") if form.reason != "none" else ""
    return amendments.apply_transition(amendment=amendment, name=name, user=user, reason=reason, **values)


@extend_schema_view(
    list=extend_schema(
        summary="Avenants des contrats du périmètre de l'appelant", parameters=[AmendmentFilterSerializer]
    ),
    retrieve=extend_schema(summary="Un avenant"),
    transitions_list=extend_schema(
        summary="Transitions de l'avenant possibles pour l'appelant", responses=WorkflowTransitionSerializer(many=True)
    ),
    transition_apply=extend_schema(
        summary="Appliquer une transition de l'avenant (sign, abandon)",
        request=AmendmentTransitionInputSerializer,
        responses=AmendmentSerializer,
    ),
)
class AmendmentViewSet(
    TransitionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Amendment]
):
    lookup_value_regex = r"[0-9]+"
    serializer_class = AmendmentSerializer
    transitions = Transitions(
        available=amendments.available_transitions,
        apply=apply_amendment_transition,
        names=frozenset(AmendmentTransitionName.values),
    )
    transition_serializer_class = WorkflowTransitionSerializer

    def get_queryset(self) -> QuerySet[Amendment]:
        visible = Contract.objects.for_user(self.request.user)
        queryset = Amendment.objects.filter(contract__in=visible).select_related(
            "contract__department", "contract__authority", "contract__campaign"
        )
        if self.action == "list":
            filters = AmendmentFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if "contract" in filters.validated_data:
                queryset = queryset.filter(contract_id=filters.validated_data["contract"])
        return queryset.order_by("-created_at", "-pk")
