"""National and départemental steering committees (F23): list, new committee, its page with the
decisions on the files it reviewed, the agenda and the relevé de décisions as PDF; qualitative
evaluations of actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.enums import Role
from accounts.models import User
from contracts.enums import ActionReview, ContractState
from contracts.models import Action, Contract
from documents.pdf import render_pdf
from documents.services import attach
from projects.enums import ProjectState
from projects.models import Project
from referential.models import Department
from steering.committees import add_decision, may_organise, record_committee, reviewed_files
from steering.enums import CommitteeLevel
from steering.evaluations import may_evaluate, record_evaluation
from steering.models import Committee, Evaluation
from web.forms.steering import DecisionForm, EvaluationForm, SteeringCommitteeForm
from web.views.pilotage import can_steer

# Committees and evaluations are paged (≈ 1 000 committees nationally after ten years).
PAGE_SIZE = 50


def _levels(user: Any) -> list[tuple[str, str]]:
    levels = []
    if may_organise(user, CommitteeLevel.NATIONAL, None):
        levels.append((CommitteeLevel.NATIONAL.value, "National (Diair et DGEF, semestriel)"))
    if user.has_role(Role.DIAIR, Role.PREFECT):
        levels.append((CommitteeLevel.DEPARTMENT.value, "Départemental (préfet, collectivités, partenaires)"))
    return levels


def committee_list(request: HttpRequest) -> HttpResponse:
    if not can_steer(request.user):
        raise Http404
    committees = Committee.objects.for_user(request.user).select_related("department").order_by("-held_on", "-pk")
    page = Paginator(committees, PAGE_SIZE).get_page(request.GET.get("page"))  # a count, then one page
    return render(
        request,
        "web/committees/list.html",
        {"committees": page.object_list, "page": page, "can_create": bool(_levels(request.user))},
    )


def committee_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    levels = _levels(user)
    if not levels:
        raise Http404
    departments = Department.objects.for_user(user).order_by("code")
    contracts = Contract.objects.for_user(user).filter(state__in=(ContractState.SIGNED, ContractState.ENDED))
    querysets = {
        "department": departments,
        "participants": User.objects.filter(
            is_active=True, memberships__role__in=(Role.DIAIR, Role.MINISTRY, Role.PREFECT, Role.INSTRUCTOR, Role.AGENT)
        )
        .filter(
            Q(memberships__department__in=departments)
            | Q(memberships__role__in=(Role.DIAIR, Role.MINISTRY))
            | Q(memberships__authority__department__in=departments)
        )
        .distinct()
        .order_by("last_name", "first_name"),
        "contracts": contracts.select_related("authority", "department", "campaign").order_by("department__code", "pk"),
        "projects": Project.objects.for_user(user)
        .filter(state__in=(ProjectState.FUNDED, ProjectState.CLOSED))
        .select_related("department")
        .order_by("department__code", "pk"),
        "actions": Action.objects.filter(programming__contract__in=contracts, review=ActionReview.ACCEPTED)
        .select_related("programming__contract__department")
        .order_by("programming__contract__department__code", "pk"),
    }
    form = SteeringCommitteeForm(request.POST or None, levels=levels, querysets=querysets)
    if request.method == "POST" and form.is_valid():
        try:
            committee = record_committee(user=user, **form.cleaned_data)
        except PermissionDenied:
            form.add_error("level", "Vous ne pouvez pas organiser ce comité.")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Le comité de pilotage est enregistré.")
            return redirect("web:committee_detail", pk=committee.pk)
    return render(request, "web/committees/form.html", {"form": form}, status=400 if form.errors else 200)


def _key(obj: Any) -> str:
    return f"{ContentType.objects.get_for_model(obj).model}:{obj.pk}"


def _committee(request: HttpRequest, pk: int) -> Committee:
    if not can_steer(request.user):
        raise Http404
    committee = (
        Committee.objects.for_user(request.user).select_related("department", "organised_by").filter(pk=pk).first()
    )
    if committee is None:
        raise Http404
    return committee


def _decisions(committee: Committee) -> list[Any]:
    decisions = list(committee.decisions.select_related("target_type"))
    files = {_key(f): f for f in reviewed_files(committee)}
    for decision in decisions:
        decision.file = files.get(f"{decision.target_type.model}:{decision.target_id}")  # type: ignore[attr-defined]
    return decisions


def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _committee(request, pk)
    files = reviewed_files(committee)
    may_decide = may_organise(request.user, committee.level, committee.department)
    form = DecisionForm(request.POST or None, targets=[(_key(f), str(f)) for f in files]) if may_decide else None
    if form is not None and request.method == "POST" and form.is_valid():
        target = {_key(f): f for f in files}[form.cleaned_data["target"]]
        try:
            add_decision(
                user=request.user,
                committee=committee,
                target=target,
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "La décision est enregistrée et inscrite à l'historique du dossier.")
            return redirect("web:committee_detail", pk=committee.pk)
    return render(
        request,
        "web/committees/detail.html",
        {
            "committee": committee,
            "participants": committee.participants.order_by("last_name"),
            "contracts": committee.contracts.select_related("authority"),
            "projects": committee.projects.all(),
            "actions": committee.actions.select_related("programming__contract"),
            "decisions": _decisions(committee),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def committee_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    committee = _committee(request, pk)
    if kind not in ("ordre-du-jour", "releve-de-decisions"):
        raise Http404
    issuer = (
        f"Préfecture — {committee.department}"
        if committee.department
        else "Délégation interministérielle à l'accueil et à l'intégration des réfugiés (Diair)"
    )
    pdf = render_pdf(
        "committee.html",
        {
            "issuer_name": issuer,
            "committee": committee,
            "agenda_only": kind == "ordre-du-jour",
            "participants": committee.participants.order_by("last_name"),
            "files": reviewed_files(committee),
            "decisions": _decisions(committee),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="comite-{committee.pk}-{kind}.pdf"'
    return response


# --- Evaluations ----------------------------------------------------------------------------------


def evaluation_list(request: HttpRequest) -> HttpResponse:
    if not can_steer(request.user):
        raise Http404
    evaluations = (
        Evaluation.objects.for_user(request.user)
        .select_related("department", "authority", "committee")
        .order_by("-completed_on", "-pk")
    )
    page = Paginator(evaluations, PAGE_SIZE).get_page(request.GET.get("page"))  # a count, then one page
    return render(request, "web/committees/evaluations.html", {"evaluations": page.object_list, "page": page})


def evaluation_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if not may_evaluate(request.user):
        raise Http404
    target: Action | Project | None
    if kind == "ptai":
        target = Project.objects.for_user(request.user).filter(pk=pk).first()
    elif kind == "action":
        target = Action.objects.filter(pk=pk, programming__contract__in=Contract.objects.for_user(request.user)).first()
    else:
        target = None
    if target is None:
        raise Http404
    form = EvaluationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        report = data.pop("report")
        try:
            evaluation = record_evaluation(user=request.user, target=target, **data)
            if report is not None:
                attach(actor=request.user, target=evaluation, uploaded_file=report, kind="rapport-evaluation")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "L'évaluation est enregistrée.")
            return redirect("web:evaluation_list")
    return render(
        request,
        "web/committees/evaluation_form.html",
        {"form": form, "target": target},
        status=400 if form.errors else 200,
    )
