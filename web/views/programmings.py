"""CTAI yearly programmings: the section of the contract page, the programming page (actions with
their part of the funding and their priority, socle and complement with their computation and the
sums of their actions, the money committed / paid / to pay per line, the Diair's check of each
action, transitions), and the agent's forms (amounts, actions). Out of scope = 404, as every page
of the site; a page never shows a rule id."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contracts import permissions
from contracts.checks import part_sums
from contracts.enums import ActionPart, ActionReview, ContractState, ProgrammingState
from contracts.models import Action, Contract, Programming
from contracts.programming import (
    PROGRAMMING,
    add_action,
    apply_transition,
    create_programming,
    money_lines,
    remove_action,
    review_action,
    set_amounts,
    update_action,
)
from programme.errors import TransitionError
from programme.models import Campaign, Domain
from web.forms.programmings import PROGRAMMING_INPUTS, ActionForm, AmountsForm, ProgrammingCreateForm, ReviewForm
from web.views.workflow import error_messages, transition_page

REVIEW_BADGES = {
    ActionReview.PENDING: "fr-badge--info",
    ActionReview.ACCEPTED: "fr-badge--success",
    ActionReview.SENT_BACK: "fr-badge--error",
}
STATE_BADGES = {
    ProgrammingState.DRAFT: "",
    ProgrammingState.PRESENTED: "fr-badge--info",
    ProgrammingState.CHANGES_REQUESTED: "fr-badge--warning",
    ProgrammingState.APPROVED: "fr-badge--new",
    ProgrammingState.COMMITTED: "fr-badge--success",
    ProgrammingState.CLOSED: "fr-badge--success",
}


def open_years(contract: Contract, taken: set[int]) -> list[int]:
    """The campaign years a signed contract may still get a programming for (its effect period)."""
    first = contract.signed_on.year if contract.signed_on else 0
    last = contract.effective_to.year if contract.effective_to else 9999
    years = Campaign.objects.filter(year__gte=first, year__lte=last).values_list("year", flat=True)
    return sorted(y for y in years if y not in taken)


def programmings_context(contract: Contract, user: Any) -> dict[str, Any]:
    """What the contract page shows of its programmings: one row per year, and the years the
    collectivité may still open."""
    programmings = list(
        Programming.objects.filter(contract=contract).select_related("campaign").order_by("campaign__year")
    )
    years: list[int] = []
    if contract.state == ContractState.SIGNED and permissions.is_agent(contract, user):
        years = open_years(contract, {p.campaign.year for p in programmings})
    form = ProgrammingCreateForm(years=years) if years else None
    return {"programmings": programmings, "programming_form": form, "programming_badges": STATE_BADGES}


def get_programming(request: HttpRequest, pk: int) -> Programming:
    """The programming through its contract's scope: outside it, 404."""
    if not request.user.is_authenticated:
        raise Http404
    programming = (
        Programming.objects.for_user(request.user)
        .select_related("campaign", "contract__authority", "contract__department__region")
        .filter(pk=pk)
        .first()
    )
    if programming is None:
        raise Http404
    return programming


def _actions(programming: Programming) -> list[Action]:
    return list(
        Action.objects.filter(programming=programming)
        .select_related("operator", "reviewed_by", "application", "priority")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("position", "label")))
        .order_by("pk")
    )


def _funding_lines(programming: Programming, actions: list[Action]) -> dict[str, Any]:
    """The computation shown on the page (F43): bounds of the socle, planned beneficiaries, the
    complement's ceiling by the campaign's rule."""
    from programme.funding import max_complement

    rules = programming.current_rules()
    counted = [a for a in actions if a.review != ActionReview.SENT_BACK]
    bpi = sum(a.planned_bpi for a in counted)
    others = sum(a.planned_newcomers for a in counted)
    sums = part_sums(counted)
    return {
        "base_min": rules["base_min"],
        "base_max": rules["base_max"],
        "cap": rules["complement_cap"],
        "rule": rules["complement_rule"],
        "planned_bpi": bpi,
        "planned_newcomers": others,
        "ceiling": max_complement(programming.base_amount, bpi, others, rules),
        "asked": sum((a.state_amount for a in counted), Decimal(0)),
        # F11: the socle's actions make the socle, the complement's the complement.
        "on_base": sums[ActionPart.BASE],
        "on_complement": sums[ActionPart.COMPLEMENT],
        "base_matches": sums[ActionPart.BASE] == programming.base_amount,
        "complement_matches": sums[ActionPart.COMPLEMENT] == programming.complement_amount,
    }


def programming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programming = get_programming(request, pk)
    user = request.user
    actions = _actions(programming)
    # The rule engine reads the actions already loaded (no query per action).
    programming._prefetched_objects_cache = {"actions": actions}  # type: ignore[attr-defined]
    editable = programming.is_editable and permissions.may_edit_programming(programming, user)
    reviewing = programming.state == ProgrammingState.PRESENTED and permissions.may_review_programming(
        programming, user
    )
    return render(
        request,
        "web/programmings/detail.html",
        {
            "programming": programming,
            "contract": programming.contract,
            "crumb": f"Programmation {programming.year}",
            "badge": STATE_BADGES.get(programming.state, ""),
            "actions": actions,
            "review_badges": REVIEW_BADGES,
            "funding": _funding_lines(programming, actions),
            "panel": [{"finding": f} for f in programming.findings()],
            "money": money_lines(programming),
            "transitions": PROGRAMMING.available(programming, user),
            "editable": editable,
            "reviewing": reviewing,
            "review_form": ReviewForm() if reviewing else None,
            "log": programming.transitions.select_related("actor").order_by("created_at", "pk"),
        },
    )


@require_POST
def programming_create(request: HttpRequest, contract_pk: int) -> HttpResponse:
    from web.views.contracts import get_contract

    contract = get_contract(request, contract_pk)
    if not permissions.is_agent(contract, request.user):
        raise Http404
    taken = set(Programming.objects.filter(contract=contract).values_list("campaign__year", flat=True))
    form = ProgrammingCreateForm(request.POST, years=open_years(contract, taken))
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("web:contract_detail", pk=contract.pk)
    try:
        programming = create_programming(
            user=request.user, contract=contract, campaign=Campaign.objects.get(year=form.cleaned_data["year"])
        )
    except TransitionError as error:
        messages.error(request, " ".join(error_messages(error)))
        return redirect("web:contract_detail", pk=contract.pk)
    messages.success(request, f"La programmation {programming.year} est ouverte : ajoutez ses actions.")
    return redirect("web:programming_detail", pk=programming.pk)


def _editable_or_404(request: HttpRequest, pk: int) -> Programming:
    programming = get_programming(request, pk)
    if not (programming.is_editable and permissions.may_edit_programming(programming, request.user)):
        raise Http404
    return programming


def _add_errors(form: Any, error: ValidationError) -> None:
    if isinstance(error, TransitionError):
        for message in error_messages(error):
            form.add_error(None, message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def programming_amounts(request: HttpRequest, pk: int) -> HttpResponse:
    programming = _editable_or_404(request, pk)
    initial = {"base_amount": programming.base_amount, "complement_amount": programming.complement_amount}
    form = AmountsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_amounts(user=request.user, programming=programming, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                raise Http404 from error
            _add_errors(form, error)
        else:
            messages.success(request, "Les montants de la programmation sont enregistrés.")
            return redirect("web:programming_detail", pk=programming.pk)
    return render(
        request,
        "web/programmings/form.html",
        {"programming": programming, "form": form, "heading": "Socle et crédits complémentaires"},
    )


def action_form(request: HttpRequest, pk: int, action_pk: int | None = None) -> HttpResponse:
    programming = _editable_or_404(request, pk)
    action = None
    initial: dict[str, Any] = {"carrier_kind": "authority", "public": "newcomers", "part": ActionPart.BASE}
    if action_pk is not None:
        action = (
            Action.objects.filter(programming=programming, pk=action_pk)
            .select_related("priority")
            .prefetch_related("domains")
            .first()
        )
        if action is None:
            raise Http404
        initial = {
            name: getattr(action, name) for name in ActionForm.base_fields if name not in ("domains", "priority")
        }
        initial["domains"] = [d.code for d in action.domains.all()]
        initial["priority"] = action.priority.code if action.priority else None
    form = ActionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.action_data()
        try:
            if action is None:
                add_action(user=request.user, programming=programming, **data)
            else:
                update_action(user=request.user, action=action, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"L'action « {data['title']} » est enregistrée.")
            return redirect("web:programming_detail", pk=programming.pk)
    heading = f"Modifier l'action « {action.title} »" if action else "Ajouter une action"
    return render(request, "web/programmings/form.html", {"programming": programming, "form": form, "heading": heading})


@require_POST
def action_remove(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    programming = _editable_or_404(request, pk)
    action = Action.objects.filter(programming=programming, pk=action_pk).first()
    if action is None:
        raise Http404
    try:
        remove_action(user=request.user, action=action)
    except TransitionError as error:
        messages.error(request, " ".join(error_messages(error)))
    else:
        messages.success(request, f"L'action « {action.title} » est retirée de la programmation.")
    return redirect("web:programming_detail", pk=programming.pk)


@require_POST
def action_review(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    programming = get_programming(request, pk)
    if not permissions.may_review_programming(programming, request.user):
        raise Http404
    action = Action.objects.filter(programming=programming, pk=action_pk).first()
    if action is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_action(user=request.user, action=action, **form.cleaned_data)
        except TransitionError as error:
            messages.error(request, f"« {action.title} » : " + " ".join(error_messages(error)))
        else:
            label = "acceptée" if form.cleaned_data["decision"] == ActionReview.ACCEPTED else "renvoyée"
            messages.success(request, f"L'action « {action.title} » est {label}.")
    else:
        messages.error(request, f"« {action.title} » : " + " ".join(m for e in form.errors.values() for m in e))
    return redirect(reverse("web:programming_detail", args=[programming.pk]) + f"#action-{action.pk}")


def programming_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    programming = get_programming(request, pk)
    back = reverse("web:programming_detail", args=[programming.pk])
    return transition_page(
        request,
        obj=programming,
        name=name,
        workflow=PROGRAMMING,
        apply=partial(apply_transition, programming=programming),
        back_url=back,
        context={},
        inputs=PROGRAMMING_INPUTS,
        explain=error_messages,
    )
