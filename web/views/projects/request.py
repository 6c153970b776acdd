"""The request of a PTAI, in seven short steps, each saved as a draft as soon as it is valid.

Nothing typed is lost: a step with errors re-renders with the values and French errors beside the
fields. A session that expires mid-form sends the POST to the login page (the data of that one
step is lost, Django cannot keep it across the login): so every step is short and saved as soon as
it is valid, and the agent loses at most the step on screen (docs/ptai-pages.md, "Nothing typed is lost").
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from programme.models import Campaign
from projects.enums import ResourceKind
from projects.errors import TransitionError
from projects.models import Project
from projects.permissions import may_edit
from projects.services import (
    attach_document,
    create_draft,
    department_choices,
    set_budget,
    set_contributions,
    update_draft,
)
from projects.subject import findings
from web.forms.projects import (
    CarrierForm,
    ContributionFormSet,
    DiagnosticForm,
    ExpenseFormSet,
    LeadForm,
    PartnerForm,
    ProjectStepForm,
    PublicForm,
    ResourceFormSet,
)
from web.views.accounts import _require
from web.views.projects.common import STEP_BY_SLUG, STEPS, Step, can_create_ptai, get_project, panel

SIMPLE_FORMS = {"projet": ProjectStepForm, "public": PublicForm, "action": CarrierForm}


def _add_errors(form: Any, error: ValidationError) -> None:
    """A service's ValidationError beside the fields it names, else at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@_require(can_create_ptai)
def project_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = create_draft(
                user=request.user, lead=form.cleaned_data["lead"], campaign=form.cleaned_data["campaign"]
            )
        except (TransitionError, PermissionDenied) as error:
            form.add_error(None, str(getattr(error, "messages", [error])[0]))
        else:
            messages.success(request, "Le brouillon est enregistré. Vous pouvez le reprendre à tout moment.")
            return redirect("web:project_step", pk=project.pk, step="porteur")
    if not request.POST:
        latest = Campaign.objects.order_by("-year").first()
        form.initial["campaign"] = latest.pk if latest else None
    return render(request, "web/projects/create.html", {"form": form, "steps": STEPS})


def _editable(request: HttpRequest, pk: int) -> Project:
    project = get_project(request, pk, Project.objects.select_related("campaign", "lead_authority", "department"))
    if not may_edit(project, request.user):
        raise Http404
    return project


def _next(project: Project, step: Step) -> HttpResponse:
    if step.number < len(STEPS):
        return redirect("web:project_step", pk=project.pk, step=STEPS[step.number].slug)
    return redirect("web:project_step", pk=project.pk, step=step.slug)


def _rows(formset: Any, *names: str) -> list[tuple[Any, ...]]:
    """The filled rows of a formset (empty rows are ignored)."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or all(data.get(n) in (None, "") for n in names):
            continue
        rows.append(tuple(data.get(n) for n in names))
    return rows


def project_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    current = STEP_BY_SLUG.get(step)
    if current is None:
        raise Http404
    project = _editable(request, pk)
    if not project.is_editable:
        messages.info(request, "Ce PTAI n'est plus modifiable dans son état actuel.")
        return redirect("web:project_detail", pk=project.pk)
    post = request.POST if request.method == "POST" else None
    context: dict[str, Any] = {}
    done = False
    try:
        if current.slug == "porteur":
            done, context = _step_lead(request, project, post)
        elif current.slug in SIMPLE_FORMS:
            done, context = _step_simple(request, project, current.slug, post)
        elif current.slug == "budget":
            done, context = _step_budget(request, project, post)
        elif current.slug == "engagement":
            done, context = _step_contributions(request, project, post)
        else:
            done, context = _step_diagnostic(request, project, post)
    except _Again as again:
        return redirect(f"{reverse('web:project_step', args=[project.pk, current.slug])}?{again.query}")
    if done:
        messages.success(request, f"Étape « {current.label} » enregistrée.")
        return _next(project, current)
    project.refresh_from_db()
    return render(
        request,
        "web/projects/step.html",
        {
            "project": project,
            "step": current,
            "steps": STEPS,
            "panel": panel(findings(project)),
            "is_last": current.number == len(STEPS),
            "template": f"web/projects/steps/{current.slug}.html",
            **context,
        },
        status=400 if post is not None else 200,
    )


class _Again(Exception):  # a redirect to the same step, not an error
    def __init__(self, query: str) -> None:
        self.query = query


def _step_lead(request: HttpRequest, project: Project, post: Any) -> tuple[bool, dict[str, Any]]:
    departments = department_choices(project.lead_authority)
    partners = list(project.partners.order_by("name"))
    form = PartnerForm(post, departments=departments, initial={"department": project.department_id})
    if post is not None:
        if remove := post.get("retirer"):
            update_draft(user=request.user, project=project, partners=[p for p in partners if str(p.pk) != remove])
            raise _Again("retire=1")
        if form.is_valid():
            added = form.cleaned_data.get("partner")
            fields = {}
            if form.cleaned_data.get("department"):
                fields["department"] = form.cleaned_data["department"]
            try:
                update_draft(
                    user=request.user,
                    project=project,
                    partners=[*partners, added] if added else None,
                    **fields,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if added:
                    raise _Again("ajout=1")
                return True, {}
    return False, {"form": form, "partners": partners}


def _step_simple(request: HttpRequest, project: Project, slug: str, post: Any) -> tuple[bool, dict[str, Any]]:
    form_class = SIMPLE_FORMS[slug]
    initial = {name: getattr(project, name) for name in form_class.base_fields if name != "domains"}
    if "domains" in form_class.base_fields:
        initial["domains"] = list(project.domains.all())
    form = form_class(post, initial=initial)
    if post is not None and form.is_valid():
        data = dict(form.cleaned_data)
        domains = data.pop("domains", None)
        try:
            update_draft(user=request.user, project=project, domains=domains, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return True, {}
    return False, {"form": form}


def _rows_param(request: HttpRequest, name: str) -> int:
    return 2 if request.GET.get("ajout") == name else 1


def _step_budget(request: HttpRequest, project: Project, post: Any) -> tuple[bool, dict[str, Any]]:
    expenses_initial = [{"nature": i.nature, "amount": i.amount} for i in project.budget_items.all()]
    resources_initial = [{"kind": r.kind, "funder": r.funder, "amount": r.amount} for r in project.resources.all()]
    if not resources_initial:
        resources_initial = [{"kind": ResourceKind.STATE_REQUEST}, {"kind": ResourceKind.AUTHORITY_COFUNDING}]
    expenses_initial += [{}] * _rows_param(request, "depense")
    resources_initial += [{}] * _rows_param(request, "ressource")
    expenses = ExpenseFormSet(post, prefix="depenses", initial=None if post else expenses_initial)
    resources = ResourceFormSet(post, prefix="ressources", initial=None if post else resources_initial)
    if post is not None and expenses.is_valid() and resources.is_valid():
        try:
            set_budget(
                user=request.user,
                project=project,
                expenses=[(n, a) for n, a in _rows(expenses, "nature", "amount")],
                resources=[(k, f or "", a) for k, f, a in _rows(resources, "kind", "funder", "amount")],
            )
        except ValidationError as error:
            return False, {"expenses": expenses, "resources": resources, "budget_error": error.messages}
        if post.get("ajouter") in ("depense", "ressource"):
            raise _Again(f"ajout={post['ajouter']}")
        return True, {}
    return False, {"expenses": expenses, "resources": resources}


def _step_contributions(request: HttpRequest, project: Project, post: Any) -> tuple[bool, dict[str, Any]]:
    initial = [
        {"kind": c.kind, "description": c.description, "amount": c.amount} for c in project.contributions.all()
    ] + [{}] * _rows_param(request, "engagement")
    formset = ContributionFormSet(post, prefix="engagements", initial=None if post else initial)
    if post is not None and formset.is_valid():
        try:
            set_contributions(
                user=request.user,
                project=project,
                contributions=_rows(formset, "kind", "description", "amount"),
            )
        except ValidationError as error:
            return False, {"formset": formset, "budget_error": error.messages}
        if post.get("ajouter") == "engagement":
            raise _Again("ajout=engagement")
        return True, {}
    return False, {"formset": formset}


def _step_diagnostic(request: HttpRequest, project: Project, post: Any) -> tuple[bool, dict[str, Any]]:
    form = DiagnosticForm(post, request.FILES or None, initial={"diagnostic": project.diagnostic})
    if post is not None and form.is_valid():
        try:
            update_draft(user=request.user, project=project, diagnostic=form.cleaned_data["diagnostic"])
            if upload := form.cleaned_data.get("attachment"):
                attach_document(user=request.user, project=project, uploaded_file=upload)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return True, {}
    from documents.models import Document

    return False, {"form": form, "attachments": Document.objects.for_target(project).filter(kind="piece-jointe")}
