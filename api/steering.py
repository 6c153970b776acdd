"""/api/v1/reports/, /api/v1/committees/, /api/v1/evaluations/: the steering, read through the same
scoped querysets as the pages (`Report.objects.for_user`, `Committee.objects.for_user`,
`Evaluation.objects.for_user`), written through `reporting.services` only. No rule is re-coded here.

- Outside the caller's scope: 404.
- Reports: `transitions/` lists what the caller may do now; `transitions/submit/` hands the report
  in (the collectivité's agent or the invited opérateur) and may carry the counts, the narrative and
  the spending, saved first by `reporting.services.save_report` (the same checks as the page: whole
  numbers, sex and age bands adding up); `transitions/accept/` and `transitions/request_completion/`
  (with a `reason`) are the State agent's review. 409 when the transition is not available to the
  caller now (a second click), 400 with French messages when the report is incomplete.
- Committees and evaluations are read only (the pages record them).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.ctai_serializers import WorkflowTransitionSerializer
from api.fields import MoneyField
from api.transitions import Transitions, TransitionsMixin
from contracts.models import Action
from documents.models import Document
from projects.models import Project
from reporting import services as reporting
from reporting.enums import Period, ReportState, ReportTransitionName
from reporting.models import Report
from steering.enums import CommitteeLevel
from steering.models import Committee, Decision, Evaluation

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


def _target(type_id: int, target_id: int) -> dict[str, Any]:
    """A file named generically: its kind and id, as the other endpoints name it."""
    model = ContentType.objects.get_for_id(type_id).model_class()
    kinds: dict[Any, str] = {Project: "ptai", Action: "action"}
    kind = kinds.get(model) or (model._meta.model_name if model is not None else "") or ""
    return {"kind": kind, "id": target_id}


class TargetSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="« ptai » (un PTAI), « action » (une action de CTAI), « contract »…")
    id = serializers.IntegerField(help_text="Son identifiant (celui de /api/v1/ptai/ ou de l'action).")


# --- Reports ------------------------------------------------------------------------------------


class IndicatorValueSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Code stable de l'indicateur.")
    label = serializers.CharField(help_text="Libellé de l'indicateur (celui de l'année du bilan).")  # type: ignore[assignment]
    group = serializers.CharField(help_text="Rubrique.")
    value = serializers.IntegerField(allow_null=True, help_text="Nombre saisi (agrégé ; null : non renseigné).")


class AttachmentSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="Nom du fichier.")
    size = serializers.IntegerField(help_text="Taille (octets).")
    url = serializers.CharField(help_text="Adresse de téléchargement (session du site).")


def attachments_of(reports: list[Report], user: Any) -> dict[str, list[Document]]:
    """The pieces joined to `reports` that `user` may see, by report id (one query)."""
    out: dict[str, list[Document]] = {}
    documents = Document.objects.visible_to(user).filter(
        target_type=ContentType.objects.get_for_model(Report), target_id__in=[str(r.pk) for r in reports]
    )
    for document in documents.order_by("created_at", "pk"):
        out.setdefault(document.target_id, []).append(document)
    return out


class ReportSerializer(serializers.ModelSerializer[Report]):
    """A report on an action: counts only, never personal data about the people accompanied."""

    target = serializers.SerializerMethodField(help_text="L'action dont c'est le bilan.")
    year = serializers.IntegerField(source="campaign.year", help_text="Année du programme.")
    departement = serializers.CharField(source="department.code", help_text="Code INSEE du département.")
    authority = serializers.CharField(source="authority.code", help_text="Code de la collectivité porteuse.")
    state_label = serializers.CharField(source="get_state_display", help_text="Libellé de l'état.")
    period_label = serializers.CharField(source="get_period_display", help_text="Libellé de la période.")
    is_late = serializers.BooleanField(help_text="Échéance passée et bilan non remis.")
    indicators = serializers.SerializerMethodField(help_text="Les indicateurs du bilan et leurs valeurs.")
    attachments = serializers.SerializerMethodField(help_text="Les pièces jointes au bilan.")
    budget = serializers.DecimalField(**MONEY, help_text="Montant de l'État prévu (€).")
    spent_amount = serializers.DecimalField(**MONEY, allow_null=True, help_text="Dépensé (€).")

    class Meta:
        model = Report
        fields = [
            "id",
            "target",
            "title",
            "year",
            "departement",
            "authority",
            "period",
            "period_label",
            "due_on",
            "state",
            "state_label",
            "is_late",
            "indicators",
            "attachments",
            "narrative",
            "budget",
            "spent_amount",
            "submitted_at",
            "reviewed_at",
            "review_reason",
        ]
        extra_kwargs = {
            "title": {"help_text": "Intitulé de l'action."},
            "period": {"help_text": "interim (intermédiaire) ou final."},
            "due_on": {"help_text": "À remettre le."},
            "state": {"help_text": "expected, submitted, completion_requested, accepted."},
            "narrative": {"help_text": "Bilan qualitatif."},
            "review_reason": {"help_text": "Compléments demandés par l'agent de l'État."},
        }

    @extend_schema_field(TargetSerializer)
    def get_target(self, report: Report) -> dict[str, Any]:
        return _target(report.target_type_id, report.target_id)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, report: Report) -> list[dict[str, Any]]:
        documents = self.context.get("attachments")
        if documents is None:  # one report: read its own
            documents = attachments_of([report], self.context["request"].user)
        return [
            {"name": d.original_name, "size": d.size, "url": reverse("web:report_document_download", args=[d.pk])}
            for d in documents.get(str(report.pk), [])
        ]

    @extend_schema_field(IndicatorValueSerializer(many=True))
    def get_indicators(self, report: Report) -> list[dict[str, Any]]:
        return [
            {"code": r["code"], "label": r["label"], "group": r.get("group", ""), "value": r["value"]}
            for r in report.rows()
        ]


class ReportFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=ReportState.choices, required=False, help_text="État du bilan.")
    period = serializers.ChoiceField(choices=Period.choices, required=False, help_text="Période.")
    year = serializers.IntegerField(required=False, help_text="Année du programme.")
    departement = serializers.CharField(required=False, help_text="Code INSEE du département.")
    late = serializers.BooleanField(required=False, help_text="true : les bilans en retard seulement.")


class ReportSubmitSerializer(serializers.Serializer[Any]):
    """The body of a transition; for `submit`, the counts, narrative and spending may come with it."""

    reason = serializers.CharField(required=False, allow_blank=True, help_text="Compléments demandés, ou observations.")
    values = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text="Pour « submit » : les nombres par code d'indicateur (ils remplacent les précédents).",
    )
    narrative = serializers.CharField(required=False, help_text="Pour « submit » : le bilan qualitatif.")
    spent_amount = MoneyField(required=False, allow_null=True, help_text="Pour « submit » : le montant dépensé (€).")


def apply_report_transition(report: Report, name: str, user: Any, data: dict[str, Any]) -> None:
    """`reporting.services.apply_transition`; for `submit`, the counts, narrative and spending the
    body carries are saved first (`save_report`, the page's checks), in the same transaction."""
    body = ReportSubmitSerializer(data=data)
    body.is_valid(raise_exception=True)
    given = body.validated_data
    if name == ReportTransitionName.SUBMIT and {"values", "narrative", "spent_amount"} & given.keys():
        report = reporting.save_report(
            report=report,
            user=user,
            values=given.get("values", report.values),
            narrative=given.get("narrative", report.narrative),
            spent_amount=given.get("spent_amount", report.spent_amount),
        )
    reporting.apply_transition(report=report, name=name, user=user, reason=given.get("reason", ""))


@extend_schema_view(
    list=extend_schema(
        summary="Bilans des actions du périmètre de l'appelant",
        description="Nombres agrégés seulement, jamais de donnée personnelle. Triés par échéance.",
        parameters=[ReportFilterSerializer],
    ),
    retrieve=extend_schema(summary="Un bilan, ses indicateurs et ses valeurs"),
    transitions_list=extend_schema(
        summary="Transitions possibles pour l'appelant", responses=WorkflowTransitionSerializer(many=True)
    ),
    transition_apply=extend_schema(
        summary="Remettre, accepter un bilan ou demander des compléments",
        description=(
            "« submit » (la collectivité ou l'opérateur invité ; le corps peut porter `values`, `narrative`, "
            "`spent_amount`, enregistrés d'abord), « accept » et « request_completion » (avec `reason`) : "
            "l'instructeur ou le préfet du département."
        ),
        request=ReportSubmitSerializer,
        responses=ReportSerializer,
    ),
)
class ReportViewSet(
    TransitionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Report]
):
    serializer_class = ReportSerializer
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "head", "options"]
    transitions = Transitions(
        available=reporting.available_transitions,
        apply=apply_report_transition,
        names=frozenset(ReportTransitionName.values),
    )
    transition_serializer_class = WorkflowTransitionSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page's reports, and their pieces in one query (not one per report)."""
        page = list(self.paginate_queryset(self.get_queryset()) or [])
        context = {**self.get_serializer_context(), "attachments": attachments_of(page, request.user)}
        return self.get_paginated_response(ReportSerializer(page, many=True, context=context).data)

    def get_queryset(self) -> QuerySet[Report]:
        reports = Report.objects.for_user(self.request.user).select_related("campaign", "department", "authority")
        if self.action == "list":
            filters = ReportFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            data = filters.validated_data
            if "state" in data:
                reports = reports.filter(state=data["state"])
            if "period" in data:
                reports = reports.filter(period=data["period"])
            if "year" in data:
                reports = reports.filter(campaign__year=data["year"])
            if "departement" in data:
                reports = reports.filter(department__code=data["departement"])
            if data.get("late"):
                reports = reports.late()
        return reports.order_by("due_on", "pk")


# --- Committees ---------------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    target = serializers.SerializerMethodField(help_text="Le dossier que la décision concerne.")

    class Meta:
        model = Decision
        fields = ["id", "text", "due_on", "target"]
        extra_kwargs = {"text": {"help_text": "La décision."}, "due_on": {"help_text": "Échéance."}}

    @extend_schema_field(TargetSerializer)
    def get_target(self, decision: Decision) -> dict[str, Any]:
        return _target(decision.target_type_id, decision.target_id)


class CommitteeSerializer(serializers.ModelSerializer[Committee]):
    """A national or départemental steering committee, with its decisions."""

    level_label = serializers.CharField(source="get_level_display", help_text="Libellé du niveau.")
    departement = serializers.CharField(
        source="department.code", allow_null=True, default=None, help_text="Département (comité départemental)."
    )
    participants = serializers.SerializerMethodField(help_text="Participants (comptes) : noms.")
    contracts: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="CTAI examinés (id)."
    )
    projects: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="PTAI examinés (id)."
    )
    actions: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Actions examinées (id)."
    )
    decisions = DecisionSerializer(many=True, read_only=True, help_text="Le relevé de décisions.")

    class Meta:
        model = Committee
        fields = [
            "id",
            "level",
            "level_label",
            "departement",
            "held_on",
            "title",
            "participants",
            "external_participants",
            "agenda",
            "minutes",
            "contracts",
            "projects",
            "actions",
            "decisions",
        ]
        extra_kwargs = {
            "level": {"help_text": f"{CommitteeLevel.NATIONAL.value} ou {CommitteeLevel.DEPARTMENT.value}."},
            "held_on": {"help_text": "Date du comité."},
            "title": {"help_text": "Intitulé."},
            "external_participants": {"help_text": "Autres participants (noms)."},
            "agenda": {"help_text": "Ordre du jour."},
            "minutes": {"help_text": "Compte rendu."},
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_participants(self, committee: Committee) -> list[str]:
        return [p.get_full_name() or p.email for p in committee.participants.all()]


@extend_schema_view(
    list=extend_schema(
        summary="Comités de pilotage nationaux et départementaux du périmètre de l'appelant",
        description="Les comités nationaux pour tout lecteur d'un territoire ; les départementaux de ses départements.",
    ),
    retrieve=extend_schema(summary="Un comité de pilotage, ses dossiers examinés et ses décisions"),
)
class CommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Committee]):
    serializer_class = CommitteeSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Committee]:
        return (
            Committee.objects.for_user(self.request.user)
            .select_related("department")
            .prefetch_related("participants", "contracts", "projects", "actions", "decisions")
            .order_by("-held_on", "-pk")
        )


# --- Evaluations --------------------------------------------------------------------------------


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    """The qualitative evaluation of an action (F23)."""

    target = serializers.SerializerMethodField(help_text="L'action évaluée.")
    departement = serializers.CharField(source="department.code", help_text="Code INSEE du département.")
    authority = serializers.CharField(source="authority.code", help_text="Code de la collectivité.")
    contract: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Le CTAI de l'action (id), s'il y a lieu ; null pour un PTAI."
    )
    committee: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Le comité qui l'a retenue (id)."
    )

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "target",
            "title",
            "departement",
            "authority",
            "contract",
            "committee",
            "evaluator",
            "questions",
            "method",
            "findings",
            "recommendations",
            "summary",
            "completed_on",
        ]
        extra_kwargs = {
            "title": {"help_text": "Action évaluée."},
            "evaluator": {"help_text": "Évaluateur."},
            "questions": {"help_text": "Questions évaluatives."},
            "method": {"help_text": "Méthode."},
            "findings": {"help_text": "Constats."},
            "recommendations": {"help_text": "Recommandations."},
            "summary": {"help_text": "Synthèse (montrée sur l'action, le contrat et les chiffres nationaux)."},
            "completed_on": {"help_text": "Rendue le (null : en cours)."},
        }

    @extend_schema_field(TargetSerializer)
    def get_target(self, evaluation: Evaluation) -> dict[str, Any]:
        return _target(evaluation.target_type_id, evaluation.target_id)


@extend_schema_view(
    list=extend_schema(summary="Évaluations qualitatives du périmètre de l'appelant"),
    retrieve=extend_schema(summary="Une évaluation qualitative"),
)
class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Evaluation]):
    serializer_class = EvaluationSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Evaluation]:
        return (
            Evaluation.objects.for_user(self.request.user)
            .select_related("department", "authority")
            .order_by("-completed_on", "pk")
        )
