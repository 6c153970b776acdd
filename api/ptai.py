"""/api/v1/ptai/: the PTAI, read through `Project.objects.for_user`, written through
`projects.services` (drafts, budget, engagement, transitions). No rule is re-coded here.

- Outside the caller's scope: 404. Creating for a collectivité the caller is not agent of,
  editing a file the caller may not edit: 403 (`PermissionDenied` of the services).
- Editing a file that is no longer a draft nor in correction: 400 `not_editable` (the service).
- Transitions: `api.transitions.TransitionsMixin` (409 when not available to the caller now,
  e.g. a second click; 400 with the rule ids when the programme rules refuse).
- The letters a transition produces (commitment, refusals) and its e-mails follow from
  `services.apply_transition` itself (a task enqueued after the commit), as for the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api.files import Files, FilesMixin
from api.ptai_serializers import (
    PtaiCreateSerializer,
    PtaiDetailSerializer,
    PtaiFilterSerializer,
    PtaiSerializer,
    PtaiTransitionSerializer,
    PtaiWriteSerializer,
)
from api.transitions import Transitions, TransitionsMixin
from documents.models import Document
from programme.models import Campaign
from projects import permissions as project_permissions
from projects import services
from projects.documents import project_id_of
from projects.enums import TransitionName
from projects.models import Project


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise exceptions.ValidationError({key: ["Une chaîne de caractères est attendue."]}, code="invalid")
    return value


def apply_ptai_transition(project: Project, name: str, user: Any, data: dict[str, Any]) -> None:
    """`services.apply_transition` (which enqueues its documents and e-mails). Returns None: the mixin
    then re-reads the file through the scoped queryset (with its money)."""
    amount = data.get("amount")
    if amount is not None and not isinstance(amount, str | int | float):
        raise exceptions.ValidationError({"amount": ["Un montant en euros est attendu."]}, code="invalid")
    services.apply_transition(
        project=project,
        name=name,
        user=user,
        reason=_text(data, "reason"),
        opinion=_text(data, "opinion"),
        amount=None if amount is None else str(amount),
    )


def _budget_rows(budget: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, str, Any]]]:
    expenses = [(row["nature"], row["amount"]) for row in budget.get("expenses", [])]
    resources = [(row["kind"], row.get("funder", ""), row["amount"]) for row in budget.get("resources", [])]
    return expenses, resources


def _write_budget_and_contributions(user: Any, project: Project, data: Mapping[str, Any]) -> None:
    if "budget" in data:
        expenses, resources = _budget_rows(data["budget"])
        services.set_budget(user=user, project=project, expenses=expenses, resources=resources)
    if "contributions" in data:
        rows = [(c["kind"], c["description"], c.get("amount")) for c in data["contributions"]]
        services.set_contributions(user=user, project=project, contributions=rows)


def upload_ptai_document(project: Project, user: Any, uploaded_file: Any, kind: str) -> Any:
    """A « pièce jointe » of the request (`services.attach_document`: the applicant, while editable)."""
    if kind not in ("", services.ATTACHMENT_KIND):
        raise exceptions.ValidationError(
            {"kind": [f"Un PTAI reçoit des pièces jointes (`{services.ATTACHMENT_KIND}`) seulement."]}, code="kind"
        )
    return services.attach_document(user=user, project=project, uploaded_file=uploaded_file)


PTAI_FILES = Files(
    documents=lambda project, user: Document.objects.for_target(project).visible_to(user),
    document_of=project_id_of,
    upload=upload_ptai_document,
    may_write=lambda project, user: True,  # everyone who sees the file writes on its thread (its page)
    write_refused="",
    kinds=lambda project, user: ("", services.ATTACHMENT_KIND) if project_permissions.may_edit(project, user) else (),
    kind_now=lambda project, kind: project.is_editable,
)


@extend_schema_view(
    list=extend_schema(summary="PTAI du périmètre de l'appelant", parameters=[PtaiFilterSerializer]),
    retrieve=extend_schema(summary="Un PTAI, son budget, l'engagement de la collectivité et ce qu'il manque"),
    create=extend_schema(
        summary="Créer un PTAI (brouillon)",
        description="Par un agent de la collectivité porteuse (`authority` : code INSEE ou SIREN).",
        request=PtaiCreateSerializer,
        responses={201: PtaiDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Modifier un PTAI (brouillon ou en correction)",
        description="Champs du dossier ; `budget` et `contributions`, s'ils sont donnés, remplacent les précédents.",
        request=PtaiWriteSerializer,
        responses=PtaiDetailSerializer,
    ),
    transitions_list=extend_schema(
        summary="Transitions possibles pour l'appelant", responses=PtaiTransitionSerializer(many=True)
    ),
    transition_apply=extend_schema(responses=PtaiDetailSerializer),
)
class PtaiViewSet(
    FilesMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Project],
):
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    transitions = Transitions(
        available=services.available_transitions,
        apply=apply_ptai_transition,
        names=frozenset(TransitionName.values),
    )
    transition_serializer_class = PtaiTransitionSerializer
    files = PTAI_FILES

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return PtaiSerializer if self.action == "list" else PtaiDetailSerializer

    def get_queryset(self) -> QuerySet[Project]:
        projects = Project.objects.for_user(self.request.user).for_list().with_money().prefetch_related("partners")
        if self.action == "list":
            return self._filter(projects)
        return projects.prefetch_related("budget_items", "resources", "contributions")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Page the ids first (the count and an index scan of the sort), then read the page's 50 files
        with their joins and money: the joins and subqueries never run over the rows skipped."""
        projects = self.get_queryset()
        page = self.paginate_queryset(projects.values_list("pk", flat=True))
        ids = list(page or [])
        rows = {p.pk: p for p in projects.order_by().filter(pk__in=ids)}
        serializer = self.get_serializer([rows[pk] for pk in ids if pk in rows], many=True)
        return self.get_paginated_response(serializer.data)

    def _filter(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        filters = PtaiFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if "state" in data:
            projects = projects.filter(state=data["state"])
        if "year" in data:
            projects = projects.filter(campaign__year=data["year"])
        if "departement" in data:
            projects = projects.filter(department__code=data["departement"])
        if "domain" in data:
            projects = projects.filter(domains__code=data["domain"])
        if "min_amount" in data:
            projects = projects.filter(requested_amount__gte=data["min_amount"])
        if "max_amount" in data:
            projects = projects.filter(requested_amount__lte=data["max_amount"])
        return projects

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PtaiCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        campaign = Campaign.objects.filter(year=data["year"]).first()
        if campaign is None:
            raise exceptions.ValidationError({"year": [f"Aucune campagne pour l'année {data['year']}."]})
        project = services.create_draft(
            user=request.user, lead=data["authority"], campaign=campaign, **body.service_arguments()
        )
        _write_budget_and_contributions(request.user, project, data)
        saved = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_object()
        body = PtaiWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        # Always through update_draft first: it checks the permission and that the file is editable.
        services.update_draft(user=request.user, project=project, **body.service_arguments())
        _write_budget_and_contributions(request.user, project, body.validated_data)
        return Response(self.get_serializer(self.get_object()).data)
