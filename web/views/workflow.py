"""The one page of a workflow transition (confirmation, form, refusal in French), shared by the
PTAI, the CTAI contracts, their yearly programmings and their amendments; the object's own page lists
the buttons (`Workflow.available`). A workflow's template may extend `web/includes/transition_page.html`
(blocks `question` and `before_form`) to word the question or show more beside the form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from programme.errors import TransitionError
from programme.workflow import AvailableTransition, Workflow, sources_of
from web.forms.workflow import NO_INPUTS, WorkflowTransitionForm


def error_messages(error: TransitionError) -> list[str]:
    """A refusal's French messages, without the rule ids (a page never shows a rule id; the API gives
    them)."""
    return [str(message) for message in error.messages]


def reached_state(transition: AvailableTransition) -> str:
    """The default message after a transition: « label » : état « target »."""
    return f"« {transition.label} » : état « {transition.target_label} »."


def transition_page(
    request: HttpRequest,
    *,
    obj: Any,
    name: str,
    workflow: Workflow,
    apply: Callable[..., Any],
    back_url: str,
    context: Mapping[str, Any],
    inputs: Mapping[str, Callable[[], forms.Field]] = NO_INPUTS,
    template: str = "web/includes/transition_page.html",
    success_message: Callable[[AvailableTransition], str] = reached_state,
    refusal_context: Callable[[TransitionError], Mapping[str, Any]] | None = None,
    explain: Callable[[TransitionError], list[str]] = error_messages,
) -> HttpResponse:
    """GET: the confirmation and the transition's form; POST: apply it once. `apply(name=…, user=…,
    reason=…, **inputs)` is the domain's service (bound to `obj`); blank inputs are left out. A
    transition this user may not apply is a 404; one the object already left (double click, another
    tab) sends back to its page with a warning. `success_message(transition)` words the message after
    it; `refusal_context(error)` adds to the page's context when the service refuses (e.g. a hint
    that a derogation may lift the rule); `explain(error)` words the refusal (default: its French
    messages, never a rule id)."""
    chosen = workflow.may_open(obj, name, request.user)
    if chosen is None:
        if request.method == "POST" and name in workflow.forms and obj.state not in sources_of(type(obj), name):
            messages.warning(request, f"{workflow.noun} a déjà changé d'état : voici les actions possibles.")
            return redirect(back_url)
        raise Http404
    form = WorkflowTransitionForm(request.POST or None, spec=chosen.form, inputs=inputs)
    refused: Mapping[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        reason = data.pop("reason", "")
        if request.POST.get("etat") != obj.state:
            form.add_error(None, f"{workflow.noun} a déjà changé d'état : rechargez la page.")
        else:
            try:
                apply(name=name, user=request.user, reason=reason, **data)
            except TransitionError as error:
                for message in explain(error):
                    form.add_error(None, message)
                if refusal_context is not None:
                    refused = refusal_context(error)
            else:
                messages.success(request, success_message(chosen))
                return redirect(back_url)
    return render(
        request,
        template,
        {"object": obj, "transition": chosen, "form": form, "back_url": back_url, **context, **refused},
    )
