"""The file page, its actions (one form per available transition), the thread, the documents.

Actions: the file page lists `available_transitions(project, user)` only; each opens a small form
built from `.form` (reason / opinion / amount) that is its own confirmation, carrying the state the
user saw. The POST calls `apply_transition`; a second POST (double click) finds the file moved on and
shows "Ce dossier a déjà changé d'état…" — the service applies nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.models import Event
from documents.access import is_state_agent
from documents.models import Document
from messaging.models import Message
from messaging.services import post_message
from projects.documents import letters_pending, project_id_of
from projects.models import Project, ProjectTransition
from projects.services import apply_transition, available_transitions
from projects.subject import findings
from projects.workflow import FORMS, PTAI
from web.forms.projects import MessageForm
from web.views.projects.common import can_see_ptai, get_project, panel
from web.views.reports import file_steering_context
from web.views.workflow import transition_page

TIMELINE_LENGTH = 100


def _detail_queryset() -> Any:
    return (
        Project.objects.select_related("campaign", "lead_authority", "department__region", "created_by")
        .prefetch_related("domains", "partners", "budget_items", "resources", "contributions")
        .with_money()
    )


def _timeline(project: Project, user: Any) -> Any:
    events = Event.objects.for_target(project).timeline()
    if not is_state_agent(user):
        events = events.public()
    return events[:TIMELINE_LENGTH]


def _decisions(project: Project, user: Any) -> list[ProjectTransition]:
    """The reasons written on the file; the applicant sees those meant for him (refusals, corrections…)."""
    log = [t for t in project.transitions.select_related("actor") if t.reason or t.opinion]
    if is_state_agent(user):
        return log
    return [t for t in log if t.transition in FORMS and FORMS[t.transition].notifies_applicant]


def _totals(project: Project) -> dict[str, Any]:
    from projects.enums import ResourceKind

    resources = list(project.resources.all())
    return {
        "expenses": sum((i.amount for i in project.budget_items.all()), start=0),
        "resources": sum((r.amount for r in resources), start=0),
        "cofunding": sum((r.amount for r in resources if r.kind == ResourceKind.AUTHORITY_COFUNDING), start=0),
    }


def project_detail(request: HttpRequest, pk: int, message_form: MessageForm | None = None) -> HttpResponse:
    project = get_project(request, pk, _detail_queryset())
    user = request.user
    state_agent = is_state_agent(user)
    return render(
        request,
        "web/projects/detail.html",
        {
            "project": project,
            "panel": panel(findings(project)),
            "totals": _totals(project),
            "transitions": available_transitions(project, user),
            **_documents_context(project, user),
            "thread": Message.objects.for_target(project).visible_to(user).for_display(),
            "message_form": message_form or MessageForm(state_agent=state_agent),
            "events": _timeline(project, user),
            "decisions": _decisions(project, user),
            "can_edit": _may_edit(project, user),
            **file_steering_context(project),
        },
    )


def _documents_context(project: Project, user: Any) -> dict[str, Any]:
    return {
        "documents": Document.objects.for_target(project).visible_to(user).select_related("uploaded_by"),
        "letters_pending": letters_pending(project),
    }


def project_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The file's documents alone: what the page polls (htmx) while a letter is being generated."""
    project = get_project(request, pk)
    return render(
        request, "web/projects/_documents.html", {"project": project, **_documents_context(project, request.user)}
    )


def _may_edit(project: Project, user: Any) -> bool:
    from projects.permissions import may_edit

    return project.is_editable and may_edit(project, user)


def project_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The platform's one transition page (`web.views.workflow.transition_page`), worded for a file;
    "Ce qu'il manque" shows before a submission; the documents follow the transition (a task)."""
    project = get_project(request, pk, Project.objects.select_related("campaign", "department", "lead_authority"))

    def apply(*, name: str, user: Any, **data: Any) -> Project:
        return apply_transition(project=project, name=name, user=user, **data)

    return transition_page(
        request,
        obj=project,
        name=name,
        workflow=PTAI,
        apply=apply,
        back_url=reverse("web:project_detail", args=[project.pk]),
        context={"project": project, "panel": panel(findings(project))},
        template="web/projects/transition.html",
        success_message=lambda t: f"« {t.label} » : le dossier est maintenant « {t.target_label} ».",
    )


@require_POST
def project_message(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk)
    state_agent = is_state_agent(request.user)
    form = MessageForm(request.POST, request.FILES, state_agent=state_agent)
    if form.is_valid():
        files = [form.cleaned_data["attachment"]] if form.cleaned_data.get("attachment") else []
        try:
            post_message(
                author=request.user,  # type: ignore[arg-type]
                target=project,
                body=form.cleaned_data["body"],
                is_internal=bool(form.cleaned_data.get("is_internal")),
                files=files,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, "Votre message est envoyé.")
            return redirect(reverse("web:project_detail", args=[project.pk]) + "#fil")
    return project_detail(request, pk, message_form=form)


def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A document of a PTAI (or of a message on its thread): visible to the user and in scope, else 404."""
    if not can_see_ptai(request.user):
        raise Http404
    document = Document.objects.visible_to(request.user).filter(pk=pk).select_related("target_type").first()
    if document is None:
        raise Http404
    project_id = project_id_of(document)
    if project_id is None or not Project.objects.for_user(request.user).filter(pk=project_id).exists():
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
