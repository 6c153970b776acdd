"""Steering committees of a CTAI (F23): the section of the contract page and the Diair's form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from contracts.models import Action, Contract, SteeringCommittee
from contracts.steering import actions_of, may_record_committee, record_committee
from web.forms.steering import CommitteeForm


def committees_context(contract: Contract, user: Any) -> dict[str, Any]:
    committees = (
        SteeringCommittee.objects.filter(contract=contract)
        .select_related("organised_by")
        .prefetch_related(
            Prefetch("evaluated_actions", queryset=Action.objects.select_related("programming__campaign"))
        )
        .order_by("-held_on", "-pk")
    )
    return {"committees": committees, "can_record_committee": may_record_committee(contract, user)}


def committee_create(request: HttpRequest, pk: int) -> HttpResponse:
    from web.views.contracts import get_contract

    contract = get_contract(request, pk, Contract.objects.select_related("department", "authority", "campaign"))
    if not may_record_committee(contract, request.user):
        raise Http404
    form = CommitteeForm(request.POST or None, actions=actions_of(contract), rules=contract.campaign.rules())
    if request.method == "POST" and form.is_valid():
        try:
            record_committee(user=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, "Le comité de pilotage est enregistré ; la collectivité et le préfet en sont informés."
            )
            return redirect("web:contract_detail", pk=contract.pk)
    return render(request, "web/contracts/committee_form.html", {"contract": contract, "form": form})
