"""The CTAI pages: list (scoped, filtered, paginated), new contract, file page, actions, diagnostic,
coordinator.

Same design as the PTAI pages (`web.views.projects`): the file is fetched through
`Contract.objects.for_user` (404 outside the scope), the buttons are `available_transitions`, each
action is a small form that is its own confirmation and carries the state the user saw, and the POST
calls `contracts.services.apply_transition`. Refusals come back in French; a page never shows a rule
id (the API gives them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.enums import Role
from contracts import permissions
from contracts.enums import COORDINATOR_STATES, ContractState
from contracts.models import Contract, Diagnosis
from contracts.services import (
    apply_transition,
    available_transitions,
    create_contract,
    record_coordinator,
    save_diagnosis,
)
from contracts.workflow import CONTRACT
from programme.enums import Severity
from programme.errors import TransitionError
from programme.rules import RULES_BY_ID
from programme.services import record_derogation
from web.exports import Cell, Listing, exported, request_for
from web.forms.contracts import (
    CONTRACT_INPUTS,
    CONTRACT_RULES,
    CONTRACT_SORTS,
    ContractCreateForm,
    ContractFilterForm,
    CoordinatorForm,
    DerogationForm,
    DiagnosisForm,
)
from web.lists import kept_query, sortable_headers, sorted_by
from web.views import contract_documents
from web.views.accounts import _require
from web.views.programmings import programmings_context
from web.views.reports import file_steering_context
from web.views.steering import committees_context
from web.views.workflow import error_messages, transition_page

PAGE_SIZE = 50
TIMELINE_LENGTH = 100
CTAI_ROLES = (Role.AGENT, Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN)
BADGES = {
    ContractState.CONTACT: "",
    ContractState.WIDENING_DECLARED: "fr-badge--info",
    ContractState.LETTER_RECEIVED: "fr-badge--info",
    ContractState.DIAGNOSIS: "fr-badge--info",
    ContractState.DRAFTING: "fr-badge--new",
    ContractState.SIGNED: "fr-badge--success",
    ContractState.ENDED: "fr-badge--success",
    ContractState.ABANDONED: "fr-badge--error",
    ContractState.WIDENED: "fr-badge--success",
}


def can_see_ctai(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(*CTAI_ROLES))


def can_create_ctai(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.AGENT, Role.PREFECT, Role.DIAIR))


def get_contract(request: HttpRequest, pk: int, queryset: Any = None) -> Contract:
    """The contract through `for_user`: outside the user's scope it does not exist (404)."""
    if not can_see_ctai(request.user):
        raise Http404
    base = queryset if queryset is not None else Contract.objects.all()
    contract = base.for_user(request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


# --- List -----------------------------------------------------------------------------------------


COLUMNS = (
    ("titre", "Contrat"),
    ("type", "Type"),
    ("collectivite", "Collectivité signataire"),
    ("departement", "Département"),
    ("annee", "Campagne"),
    ("etat", "État"),
    ("signe", "Signé le"),
)


def filtered(request: HttpRequest) -> tuple[ContractFilterForm, QuerySet[Contract], str]:
    """The user's contracts with the GET filters applied, sorted; and the sort key."""
    form = ContractFilterForm(request.GET or None)
    contracts = Contract.objects.for_user(request.user)
    sort = "-date"
    if form.is_valid():
        data = form.cleaned_data
        if data["etat"]:
            contracts = contracts.filter(state=data["etat"])
        if data["type"]:
            contracts = contracts.filter(kind=data["type"])
        if data["departement"]:
            contracts = contracts.filter(department=data["departement"])
        if data["annee"]:
            contracts = contracts.filter(campaign__year=data["annee"])
        if query := data["q"].strip():
            contracts = contracts.filter(Q(title__icontains=query) | Q(authority__name__icontains=query))
        sort = data["tri"] or sort
    contracts, sort = sorted_by(contracts, CONTRACT_SORTS, sort, "-date")
    return form, contracts, sort


@_require(can_see_ctai)
def contract_list(request: HttpRequest) -> HttpResponse:
    form, contracts, sort = filtered(request)
    page = Paginator(contracts.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = {c.pk: c for c in Contract.objects.filter(pk__in=ids).for_list()}
    for row in rows.values():
        row.badge = BADGES.get(row.state, "")  # type: ignore[attr-defined]
    return render(
        request,
        "web/contracts/list.html",
        {
            "form": form,
            "page": page,
            "contracts": [rows[pk] for pk in ids if pk in rows],
            "headers": sortable_headers(request, COLUMNS, CONTRACT_SORTS, sort),
            "query": kept_query(request),
            "can_create": can_create_ctai(request.user),
        },
    )


EXPORT_HEADER = (
    "N°",
    "Contrat",
    "Type",
    "Collectivité signataire",
    "Code de la collectivité",
    "Département",
    "Campagne",
    "État",
    "Lettre d'engagement du",
    "Signé le",
    "Effet du",
    "Effet jusqu'au",
    "Élargit le CTAIR n°",
    "Socle programmé (104-15)",
    "Complément programmé (104-12)",
)


def _export_rows(contracts: QuerySet[Contract]) -> Iterator[Sequence[Cell]]:
    totals = contracts.annotate(
        base_total=Sum("programmings__base_amount"), complement_total=Sum("programmings__complement_amount")
    ).select_related("campaign", "authority", "department")
    for c in totals.iterator(chunk_size=2000):
        yield (
            c.pk,
            str(c),
            c.get_kind_display(),
            c.authority.name,
            c.authority.siren or c.authority.insee_code,
            c.department.code,
            c.campaign.year,
            c.get_state_display(),
            c.letter_date,
            c.signed_on,
            c.effective_from,
            c.effective_to,
            c.widens_id,
            c.base_total,  # type: ignore[attr-defined]
            c.complement_total,  # type: ignore[attr-defined]
        )


@_require(can_see_ctai)
def contract_csv(request: HttpRequest) -> HttpResponse:
    return exported(request, "web.views.contracts.ctai_listing", "csv")


@_require(can_see_ctai)
def contract_xlsx(request: HttpRequest) -> HttpResponse:
    return exported(request, "web.views.contracts.ctai_listing", "xlsx")


def ctai_listing(user: Any, query: QueryDict) -> Listing:
    """The contracts the user sees, with the list's filters: streamed, or written by `web.tasks.run_export`."""
    _form, contracts, _sort = filtered(request_for(user, query))
    return Listing("ctai", "CTAI", EXPORT_HEADER, _export_rows(contracts), contracts.count())


# --- New contract ---------------------------------------------------------------------------------


@_require(can_create_ctai)
def contract_create(request: HttpRequest) -> HttpResponse:
    form = ContractCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = create_contract(
                user=request.user,
                authority=data["authority"],
                campaign=data["campaign"],
                kind=data["kind"],
                title=data["title"],
            )
        except TransitionError as error:
            for message in error_messages(error):
                form.add_error(None, message)
        except PermissionDenied as error:
            form.add_error("authority", str(error))
        else:
            messages.success(request, "Le contrat est ouvert à l'étape « prise de contact ».")
            return redirect("web:contract_detail", pk=contract.pk)
    return render(request, "web/contracts/create.html", {"form": form})


# --- File page ------------------------------------------------------------------------------------


def _detail_queryset() -> Any:
    return Contract.objects.select_related(
        "campaign", "authority", "department__region", "widens", "widened_into", "created_by", "widening_declared_by"
    )


def may_derogate(contract: Contract, user: Any) -> bool:
    return contract.may_derogate(user)


def _diagnosis(contract: Contract) -> Diagnosis | None:
    return Diagnosis.objects.filter(contract=contract).first()


def may_edit_diagnosis(contract: Contract, user: Any) -> bool:
    return contract.state == ContractState.DIAGNOSIS and (
        permissions.is_agent(contract, user) or permissions.may_diagnose(contract, user)
    )


def may_record_coordinator(contract: Contract, user: Any) -> bool:
    """F20: the coordinator is recorded before the signature and while in force."""
    return contract.state in COORDINATOR_STATES and permissions.may_record_coordinator(contract, user)


def _widened_into(contract: Contract) -> Contract | None:
    try:
        return contract.widened_into
    except Contract.DoesNotExist:
        return None


def contract_detail(request: HttpRequest, pk: int, derogation_form: DerogationForm | None = None) -> HttpResponse:
    contract = get_contract(request, pk, _detail_queryset())
    user = request.user
    findings = contract.findings()
    derogable = may_derogate(contract, user)
    return render(
        request,
        "web/contracts/detail.html",
        {
            "contract": contract,
            "badge": BADGES.get(contract.state, ""),
            "panel": [{"finding": f} for f in findings],
            "diagnosis": (diagnosis := _diagnosis(contract)),
            "diagnosis_needs": diagnosis.needs_labelled() if diagnosis else [],
            "widened_into": _widened_into(contract),
            "transitions": available_transitions(contract, user),
            "events": contract_documents.contract_timeline(contract, user),
            "can_edit_diagnosis": may_edit_diagnosis(contract, user),
            "can_record_coordinator": may_record_coordinator(contract, user),
            "derogation_form": (derogation_form or DerogationForm()) if derogable else None,
            "has_derogation_finding": any(f.severity == Severity.DEROGATION for f in findings),
            **programmings_context(contract, user),
            **contract_documents.contract_page_context(contract, user),
            **committees_context(contract, user),
            **file_steering_context(contract),
        },
    )


def contract_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The platform's one transition page (`web.views.workflow.transition_page`), worded for a
    contract; a refusal a derogation may lift says so (`derogable`)."""
    contract = get_contract(request, pk, Contract.objects.select_related("campaign", "department", "authority"))
    return transition_page(
        request,
        obj=contract,
        name=name,
        workflow=CONTRACT,
        apply=partial(apply_transition, contract=contract),
        back_url=reverse("web:contract_detail", args=[contract.pk]),
        context={"contract": contract},
        inputs=CONTRACT_INPUTS,
        template="web/contracts/transition.html",
        success_message=lambda t: f"« {t.label} » : le contrat est maintenant « {t.target_label} ».",
        refusal_context=lambda error: {
            "derogable": [RULES_BY_ID[r].summary for r in CONTRACT_RULES if r in error.rule_ids]
        },
        explain=error_messages,
    )


@require_POST
def contract_derogation(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request, pk, _detail_queryset())
    if not may_derogate(contract, request.user):
        raise Http404
    form = DerogationForm(request.POST)
    if form.is_valid():
        try:
            record_derogation(
                actor=request.user,
                target=contract,
                rule_id=form.cleaned_data["rule_id"],
                justification=form.cleaned_data["justification"],
                campaign_year=contract.campaign.year,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            summary = RULES_BY_ID[form.cleaned_data["rule_id"]].summary
            messages.success(request, f"La dérogation est enregistrée (règle : « {summary} »).")
            return redirect("web:contract_detail", pk=contract.pk)
    return contract_detail(request, pk, derogation_form=form)


def contract_diagnosis(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request, pk, Contract.objects.select_related("department", "authority"))
    if not may_edit_diagnosis(contract, request.user):
        raise Http404
    diagnosis = _diagnosis(contract)
    initial: dict[str, Any] = {}
    if diagnosis is not None:
        initial = {
            "bpi_count": diagnosis.bpi_count,
            "other_newcomers_count": diagnosis.other_newcomers_count,
            "existing_offer": diagnosis.existing_offer,
            "gaps": diagnosis.gaps,
            **{f"besoin_{code}": text for code, text in (diagnosis.needs_by_domain or {}).items()},
        }
    form = DiagnosisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_diagnosis(user=request.user, contract=contract, **form.diagnosis_data())
        except TransitionError as error:
            for message in error_messages(error):
                form.add_error(None, message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Le diagnostic territorial est enregistré.")
            return redirect("web:contract_detail", pk=contract.pk)
    return render(request, "web/contracts/diagnosis.html", {"contract": contract, "form": form})


def contract_coordinator(request: HttpRequest, pk: int) -> HttpResponse:
    """F20: record the dedicated coordinator the collectivité MAY name or recruit — named, being
    recruited, or none — before the signature or while the contract is in force."""
    contract = get_contract(request, pk, Contract.objects.select_related("department", "authority", "campaign"))
    if not may_record_coordinator(contract, request.user):
        raise Http404
    initial = {
        "name": contract.coordinator_name,
        "role": contract.coordinator_role,
        "contact": contract.coordinator_contact,
        "recruiting": contract.coordinator_recruiting,
    }
    form = CoordinatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_coordinator(user=request.user, contract=contract, **form.cleaned_data)
        except TransitionError as error:
            for message in error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(request, "Le coordinateur du contrat est enregistré.")
            return redirect(reverse("web:contract_detail", args=[contract.pk]) + "#coordinateur")
    back = reverse("web:contract_detail", args=[contract.pk])
    return render(
        request,
        "web/contracts/form_page.html",
        {
            "contract": contract,
            "form": form,
            "title": "Coordinateur du contrat",
            "intro": (
                "La collectivité peut nommer ou recruter un coordinateur dédié au contrat : ce n'est pas "
                "obligatoire pour le signer. Laissez tout vide s'il n'y en a pas."
            ),
            "multipart": False,
            "submit_label": "Enregistrer le coordinateur",
            "back_url": back,
            "parent_label": str(contract),
            "parent_url": back,
        },
    )
