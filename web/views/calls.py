"""Calls for projects (appels à projets): the public list of open calls and a call's page (no
log-in), the collectivité's pages (its calls, a call's form, publish, close, the applications with
their score and decision, "add to the programming"), the opérateur's (apply, my applications), and
the opérateur's self-registration.

Objects are fetched through `contracts.calls.calls_for` / `applications_for` (404 outside them);
each write calls one service of `contracts.calls`, whose French refusals come back beside the
field they name (`TransitionError.code`) or above the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.registration import register_operator
from contracts import permissions
from contracts.calls import (
    application_to_action,
    applications_for,
    apply_to_call,
    calls_for,
    close_call,
    create_call,
    may_be_scored,
    publish_call,
    reject_application,
    score_application,
    select_application,
    update_call,
)
from contracts.enums import ApplicationStatus, CallState, ContractState
from contracts.models import Action, Call, CallApplication, Contract
from programme.errors import TransitionError
from referential.models import Operator
from web.forms.calls import (
    NO_PROGRAMMING,
    SORTS,
    ApplicationForm,
    CallFilterForm,
    CallForm,
    ManageFilterForm,
    OperatorRegistrationForm,
    ScoreForm,
    ToProgrammingForm,
    programmings_for,
)
from web.views.accounts import _require

PAGE_SIZE = 50
CALL_BADGES: dict[str, str] = {
    CallState.DRAFT: "",
    CallState.PUBLISHED: "fr-badge--success",
    CallState.CLOSED: "fr-badge--info",
}
APPLICATION_BADGES: dict[str, str] = {
    ApplicationStatus.SUBMITTED: "fr-badge--new",
    ApplicationStatus.SELECTED: "fr-badge--success",
    ApplicationStatus.REJECTED: "fr-badge--error",
}


def is_call_agent(user: Any) -> bool:
    return bool(user.is_authenticated and permissions.agent_authority_ids(user))


def is_operator(user: Any) -> bool:
    return bool(user.is_authenticated and permissions.operator_ids(user))


def add_errors(form: Form, error: TransitionError | ValidationError) -> None:
    """A service's refusal beside the field it names (its code), otherwise above the form."""
    code = getattr(error, "code", None)
    field = code if isinstance(code, str) and code in form.fields else None
    for message in error.messages:
        form.add_error(field, message)


def _page_of(request: HttpRequest, ids: QuerySet[Any]) -> Any:
    return Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))


def _rows(ids: list[int], queryset: QuerySet[Any]) -> list[Any]:
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def get_call(request: HttpRequest, pk: int, *, manage: bool = False) -> Call:
    """The call if the user may open it (`calls_for`), and manage it when `manage`; else 404."""
    call = (
        calls_for(request.user)
        .select_related("authority", "campaign", "contract__department", "created_by")
        .filter(pk=pk)
        .first()
    )
    if call is None or (manage and not permissions.may_manage_call(call, request.user)):
        raise Http404
    return call


def get_application(request: HttpRequest, pk: int) -> CallApplication:
    application = (
        applications_for(request.user)
        .select_related("call__authority", "call__campaign", "call__contract", "operator", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


# --- Public: the open calls, a call ---------------------------------------------------------------


@login_not_required
def call_list(request: HttpRequest) -> HttpResponse:
    """The open calls (published, deadline not passed), for everyone."""
    form = CallFilterForm(request.GET or None)
    calls = Call.objects.open()
    sort = "date_limite"
    if form.is_valid():
        data = form.cleaned_data
        if data["departement"]:
            calls = calls.filter(authority__departments=data["departement"])
        if data["domaine"]:
            calls = calls.filter(domains=data["domaine"])
        sort = data["tri"] or sort
    field = SORTS[sort][0]
    page = _page_of(request, calls.order_by(field, "pk").values_list("pk", flat=True))
    rows = _rows(
        list(page.object_list),
        Call.objects.select_related("authority", "campaign").prefetch_related("domains"),
    )
    return render(
        request,
        "web/calls/list.html",
        {"form": form, "page": page, "calls": rows, "is_operator": is_operator(request.user)},
    )


@login_not_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_call(request, pk)
    user = request.user
    manages = permissions.may_manage_call(call, user)
    context: dict[str, Any] = {
        "call": call,
        "badge": CALL_BADGES.get(call.state, ""),
        "domains": list(call.domains.all()),
        "manages": manages,
        "is_open": call.is_open(),
        "can_apply": call.is_open() and is_operator(user),
        "can_register": call.is_open() and not user.is_authenticated,
        "counts": None,
        "own_applications": [],
    }
    if manages:
        context["counts"] = call.applications.aggregate(
            total=Count("pk"),
            selected=Count("pk", filter=Q(status=ApplicationStatus.SELECTED)),
            selected_amount=Sum("requested_amount", filter=Q(status=ApplicationStatus.SELECTED)),
        )
    if is_operator(user):
        context["own_applications"] = list(
            call.applications.filter(operator_id__in=permissions.operator_ids(user)).select_related("operator")
        )
    return render(request, "web/calls/detail.html", context)


# --- The collectivité: its calls, a call's form, publish, close -------------------------------------


def _agent_contracts(user: Any) -> QuerySet[Contract]:
    return Contract.objects.filter(authority_id__in=permissions.agent_authority_ids(user))


@_require(is_call_agent)
def call_manage(request: HttpRequest) -> HttpResponse:
    """The calls of the collectivités the agent works for, every state."""
    contracts = _agent_contracts(request.user).select_related("authority")
    form = ManageFilterForm(request.GET or None, contracts=contracts)
    calls = Call.objects.filter(authority_id__in=permissions.agent_authority_ids(request.user))
    if form.is_valid():
        if form.cleaned_data["etat"]:
            calls = calls.filter(state=form.cleaned_data["etat"])
        if form.cleaned_data["contrat"]:
            calls = calls.filter(contract=form.cleaned_data["contrat"])
    page = _page_of(request, calls.order_by("-created_at", "-pk").values_list("pk", flat=True))
    rows = _rows(
        list(page.object_list),
        Call.objects.select_related("authority", "campaign").annotate(application_count=Count("applications")),
    )
    for row in rows:
        row.badge = CALL_BADGES.get(row.state, "")
    return render(
        request,
        "web/calls/manage.html",
        {
            "form": form,
            "page": page,
            "calls": rows,
            "signed_contracts": [c for c in contracts if c.state == ContractState.SIGNED],
        },
    )


@_require(is_call_agent)
def call_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = (
        _agent_contracts(request.user).filter(pk=pk, state=ContractState.SIGNED).select_related("authority").first()
    )
    if contract is None:
        raise Http404
    form = CallForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = create_call(
                user=request.user,
                contract=contract,
                campaign=data["campaign"],
                title=data["title"],
                text=data["text"],
                deadline=data["deadline"],
                budget=data["budget"],
                domains=list(data["domains"]),
            )
        except TransitionError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, "L'appel à projets est enregistré, en préparation : publiez-le quand il est prêt."
            )
            return redirect("web:call_detail", pk=call.pk)
    return render(
        request,
        "web/calls/form.html",
        {"form": form, "contract": contract, "call": None},
        status=400 if form.errors else 200,
    )


def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_call(request, pk, manage=True)
    if call.state != CallState.DRAFT:
        raise Http404
    initial = {
        "title": call.title,
        "text": call.text,
        "campaign": call.campaign,
        "domains": list(call.domains.all()),
        "deadline": call.deadline,
        "budget": call.budget,
    }
    form = CallForm(request.POST or None, initial=initial, contract=call.contract)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["domains"] = list(data["domains"])
        try:
            update_call(user=request.user, call=call, **data)
        except TransitionError as error:
            add_errors(form, error)
        else:
            messages.success(request, "L'appel à projets est modifié.")
            return redirect("web:call_detail", pk=call.pk)
    return render(
        request,
        "web/calls/form.html",
        {"form": form, "contract": call.contract, "call": call},
        status=400 if form.errors else 200,
    )


STEPS = {
    "publish": (
        CallState.DRAFT,
        publish_call,
        "Publier l'appel",
        "L'appel est publié : les opérateurs peuvent candidater.",
    ),
    "close": (
        CallState.PUBLISHED,
        close_call,
        "Clore l'appel",
        "L'appel est clos : il ne reçoit plus de candidatures.",
    ),
}


def _call_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    call = get_call(request, pk, manage=True)
    source, service, label, done = STEPS[step]
    if call.state != source:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        try:
            service(user=request.user, call=call)
        except TransitionError as error:
            errors = list(error.messages)
        else:
            messages.success(request, done)
            return redirect("web:call_detail", pk=call.pk)
    return render(
        request,
        "web/calls/confirm.html",
        {"call": call, "step": step, "label": label, "errors": errors},
        status=400 if errors else 200,
    )


def call_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_step(request, pk, "publish")


def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_step(request, pk, "close")


# --- The collectivité: applications, score, decision, programming ---------------------------------


def call_applications(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_call(request, pk, manage=True)
    applications = CallApplication.objects.filter(call=call)
    status = request.GET.get("statut", "")
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    page = _page_of(request, applications.order_by("-score", "submitted_at", "pk").values_list("pk", flat=True))
    rows = _rows(list(page.object_list), CallApplication.objects.select_related("operator"))
    with_action = set(
        Action.objects.filter(application_id__in=[r.pk for r in rows]).values_list("application_id", flat=True)
    )
    for row in rows:
        row.badge = APPLICATION_BADGES.get(row.status, "")
        row.in_programming = row.pk in with_action
    return render(
        request,
        "web/calls/applications.html",
        {
            "call": call,
            "page": page,
            "applications": rows,
            "statuses": ApplicationStatus.choices,
            "status": status,
            "scorable": may_be_scored(call),
        },
    )


def _application_page(
    request: HttpRequest,
    application: CallApplication,
    *,
    score_form: ScoreForm | None = None,
    programming_form: ToProgrammingForm | None = None,
    decision_errors: list[str] | None = None,
) -> HttpResponse:
    call = application.call
    manages = permissions.may_manage_call(call, request.user)
    action = Action.objects.filter(application=application).select_related("programming__campaign").first()
    context: dict[str, Any] = {
        "application": application,
        "call": call,
        "badge": APPLICATION_BADGES.get(application.status, ""),
        "domains": list(application.domains.all()),
        "manages": manages,
        "action": action,
        "scorable": manages and may_be_scored(call),
        "decision_errors": decision_errors or [],
    }
    if context["scorable"]:
        context["score_form"] = score_form or ScoreForm(
            initial={"score": application.score, "comment": application.score_comment}
        )
        if action is None:
            programmings = programmings_for(call.contract_id)
            years = [p.campaign.year for p in programmings]
            context["programming_form"] = programming_form or ToProgrammingForm(programmings=programmings)
            context["programming_year"] = years[0] if len(years) == 1 else None
            context["no_programming"] = NO_PROGRAMMING if not years and programming_form is None else ""
    bad = score_form is not None or programming_form is not None or bool(decision_errors)
    return render(request, "web/calls/application.html", context, status=400 if bad else 200)


def call_application(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, get_application(request, pk))


def _managed_application(request: HttpRequest, pk: int) -> CallApplication:
    application = get_application(request, pk)
    if not permissions.may_manage_call(application.call, request.user):
        raise Http404
    return application


@require_POST
def call_application_score(request: HttpRequest, pk: int) -> HttpResponse:
    application = _managed_application(request, pk)
    form = ScoreForm(request.POST)
    if form.is_valid():
        try:
            score_application(
                user=request.user,
                application=application,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except TransitionError as error:
            add_errors(form, error)
        else:
            messages.success(request, "La note est enregistrée.")
            return redirect("web:call_application", pk=application.pk)
    return _application_page(request, application, score_form=form)


DECISIONS = {
    "retenir": (select_application, "La candidature est retenue."),
    "ne-pas-retenir": (reject_application, "La candidature n'est pas retenue."),
}


@require_POST
def call_application_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    application = _managed_application(request, pk)
    if decision not in DECISIONS:
        raise Http404
    service, done = DECISIONS[decision]
    try:
        service(user=request.user, application=application)
    except TransitionError as error:
        return _application_page(request, application, decision_errors=list(error.messages))
    messages.success(request, done)
    return redirect("web:call_application", pk=application.pk)


@require_POST
def call_application_to_action(request: HttpRequest, pk: int) -> HttpResponse:
    application = _managed_application(request, pk)
    form = ToProgrammingForm(request.POST, programmings=programmings_for(application.call.contract_id))
    if form.is_valid():
        programming = form.cleaned_data["programming"]
        try:
            action = application_to_action(user=request.user, application=application, programming=programming)
        except TransitionError as error:
            add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"« {action.title} » est une action de la programmation {programming.campaign.year}.",
            )
            return redirect("web:call_application", pk=application.pk)
    return _application_page(request, application, programming_form=form)


# --- The opérateur: apply, my applications --------------------------------------------------------


def _own_operators(user: Any) -> QuerySet[Operator]:
    return Operator.objects.filter(pk__in=permissions.operator_ids(user)).order_by("name")


@_require(is_operator)
def call_apply(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_call(request, pk)
    if not call.is_open():
        raise Http404
    operators = _own_operators(request.user)
    form = ApplicationForm(
        request.POST or None, call=call, operators=operators, initial={"operator": operators.first()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            apply_to_call(
                user=request.user,
                call=call,
                operator=data["operator"],
                title=data["title"],
                description=data["description"],
                domains=list(data["domains"]),
                public=data["public"],
                planned_bpi=data["planned_bpi"],
                planned_newcomers=data["planned_newcomers"],
                budget=data["budget"],
                requested_amount=data["requested_amount"],
            )
        except TransitionError as error:
            add_errors(form, error)
        except PermissionDenied as error:
            form.add_error("operator", str(error))
        else:
            messages.success(request, f"Votre candidature à « {call.title} » est déposée.")
            return redirect("web:call_my_applications")
    return render(request, "web/calls/apply.html", {"call": call, "form": form}, status=400 if form.errors else 200)


@_require(is_operator)
def call_my_applications(request: HttpRequest) -> HttpResponse:
    applications = CallApplication.objects.filter(operator_id__in=permissions.operator_ids(request.user))
    page = _page_of(request, applications.order_by("-submitted_at", "-pk").values_list("pk", flat=True))
    rows = _rows(
        list(page.object_list),
        CallApplication.objects.select_related("call__authority", "operator"),
    )
    for row in rows:
        row.badge = APPLICATION_BADGES.get(row.status, "")
    return render(request, "web/calls/my_applications.html", {"page": page, "applications": rows})


# --- Self-registration of an opérateur -----------------------------------------------------------


@login_not_required
def call_operator_register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:call_list")
    form = OperatorRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = register_operator(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation_name=data["organisation_name"],
                siret=data["siret"],
                rna=data["rna"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Bienvenue ! Le compte de votre structure est prêt : voici les appels ouverts.")
            return redirect("web:call_list")
    return render(request, "web/calls/register.html", {"form": form}, status=400 if form.errors else 200)
