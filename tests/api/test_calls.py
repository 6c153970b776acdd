"""/api/v1/calls/{id}/applications/ and /api/v1/applications/: an opérateur applies to a call for
projects (F22), the collectivité scores, retains or not, and makes a retained application an action
of its programming — each actor with its own token, through `contracts.calls` as the pages.
404 outside the scope, 403 in scope without the right, 409 when not possible now."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from contracts.models import Action, CallApplication, Programming
from programme.models import Campaign
from tests.api.conftest import API, ApiClient
from tests.api.test_ctai import CALLS, act, make_call, ok, refused, signed_contract
from tests.projects.conftest import make_persona

pytestmark = pytest.mark.django_db

APPLICATIONS = f"{API}/applications"
PROPOSAL = {
    "title": "Ateliers de français à visée professionnelle",
    "description": "Douze semaines d'ateliers pour des réfugiés en recherche d'emploi.",
    "domains": ["formation-linguistique"],
    "public": "bpi",
    "planned_bpi": 20,
    "planned_newcomers": 0,
    "budget": "30000",
    "requested_amount": "20000",
}


def client(persona: str) -> ApiClient:
    return ApiClient(make_persona(persona))


def test_f22_an_operator_applies_then_the_collectivite_scores_retains_and_programmes_it() -> None:
    """F22: the whole path of an application through the API alone."""
    contract = signed_contract()
    call = make_call(contract)
    operator, agent, other = client("operator"), client("agent_lead"), client("agent_other")
    instructor = client("instructor_isere")

    # Applying: opérateurs only (403 for an agent), domains among the call's (400), then 201.
    assert refused(agent.post_json(f"{CALLS}/{call.pk}/applications/", PROPOSAL), 403)["code"] == "permission_denied"
    wrong = refused(operator.post_json(f"{CALLS}/{call.pk}/applications/", {**PROPOSAL, "domains": ["sante"]}))
    assert "domaines" in wrong["detail"]
    too_much = refused(
        operator.post_json(f"{CALLS}/{call.pk}/applications/", {**PROPOSAL, "requested_amount": "40000"})
    )
    assert too_much["code"] == "requested_amount"
    created = ok(operator.post_json(f"{CALLS}/{call.pk}/applications/", PROPOSAL), 201)
    assert (created["status"], created["score"], created["action"]) == ("submitted", None, None)
    assert created["operator"]["name"] == CallApplication.objects.get().operator.name
    application = f"{APPLICATIONS}/{created['id']}"

    # Who reads it: the collectivité and the opérateur; nobody else (404), not even the instructeur.
    assert [row["id"] for row in agent.get_json(f"{CALLS}/{call.pk}/applications/")["results"]] == [created["id"]]
    assert instructor.get_json(f"{CALLS}/{call.pk}/applications/")["results"] == []
    assert refused(other.post_json(f"{application}/transitions/score/", {"score": 12}), 404)["code"] == "not_found"
    assert instructor.get_json(f"{application}/", 404)["detail"] == "Introuvable."

    # While the call receives applications nothing is decided (409); the opérateur never decides (403).
    assert agent.get_json(f"{application}/transitions/") == []
    assert refused(act(agent, application, "score", score=12), 409)["code"] == "transition_unavailable"
    assert refused(act(operator, application, "select"), 403)["code"] == "permission_denied"

    ok(act(agent, f"{CALLS}/{call.pk}", "close"))
    assert refused(operator.post_json(f"{CALLS}/{call.pk}/applications/", PROPOSAL), 409)["code"] == "call_not_open"
    assert [t["name"] for t in agent.get_json(f"{application}/transitions/")] == [
        "score",
        "select",
        "reject",
        "to_action",
    ]
    assert refused(act(agent, application, "score", score=21))["errors"].keys() == {"score"}
    scored = ok(act(agent, application, "score", score=15, comment="Solide."))
    assert (scored["score"], scored["score_comment"]) == (15, "Solide.")
    seen_by_operator = operator.get_json(f"{application}/")
    assert (seen_by_operator["score"], seen_by_operator["score_comment"]) == (None, None)  # the page hides it too

    # Retained and made an action of the 2022 programming, in one call; then neither again.
    programming = Programming.objects.create(contract=contract, campaign=Campaign.objects.get(year=2022))
    assert refused(act(agent, application, "to_action", programming=999999))["errors"].keys() == {"programming"}
    done = ok(act(agent, application, "to_action", programming=programming.pk))
    action = Action.objects.get(application_id=created["id"])
    assert done["status"] == "selected"
    assert done["action"] == {"id": action.pk, "programming": programming.pk}
    assert (action.state_amount, action.carrier_name) == (Decimal("20000"), done["operator"]["name"])
    assert refused(act(agent, application, "to_action", programming=programming.pk), 409)["code"] == (
        "transition_unavailable"
    )
    assert refused(act(agent, application, "reject"), 409)["code"] == "transition_unavailable"
    assert refused(act(agent, application, "select"), 409)["code"] == "transition_unavailable"


def test_f22_an_application_not_retained_then_retained_and_the_list_filters_by_call() -> None:
    contract = signed_contract()
    call, other_call = make_call(contract), make_call(contract, title="Deuxième appel")
    operator, agent = client("operator"), client("agent_lead")
    first = ok(operator.post_json(f"{CALLS}/{call.pk}/applications/", PROPOSAL), 201)
    ok(operator.post_json(f"{CALLS}/{other_call.pk}/applications/", PROPOSAL), 201)
    assert operator.get_json(f"{APPLICATIONS}/")["count"] == 2
    assert [row["id"] for row in agent.get_json(f"{APPLICATIONS}/", call=call.pk)["results"]] == [first["id"]]
    assert refused(agent.get(f"{APPLICATIONS}/", {"call": "x"}))["errors"].keys() == {"call"}
    ok(act(agent, f"{CALLS}/{call.pk}", "close"))
    url = f"{APPLICATIONS}/{first['id']}"
    assert ok(act(agent, url, "reject"))["status"] == "rejected"
    assert refused(act(agent, url, "reject"), 409)["code"] == "transition_unavailable"
    assert ok(act(agent, url, "select"))["status"] == "selected"
    assert refused(act(agent, url, "nope"), 404)["code"] == "transition_unknown"


def test_an_operator_of_several_structures_names_the_one_that_applies() -> None:
    from accounts.enums import Role
    from accounts.models import Membership
    from tests.factories import OperatorFactory

    call = make_call(signed_contract())
    user = make_persona("operator")
    second = OperatorFactory()
    Membership.objects.create(user=user, role=Role.OPERATOR, operator=second)
    caller = ApiClient(user)
    assert refused(caller.post_json(f"{CALLS}/{call.pk}/applications/", PROPOSAL))["errors"].keys() == {"operator"}
    body: dict[str, Any] = {**PROPOSAL, "operator": second.pk}
    assert ok(caller.post_json(f"{CALLS}/{call.pk}/applications/", body), 201)["operator"]["id"] == second.pk
    stranger = OperatorFactory()
    assert refused(caller.post_json(f"{CALLS}/{call.pk}/applications/", {**body, "operator": stranger.pk}), 403)
