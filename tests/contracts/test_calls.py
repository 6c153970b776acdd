"""Calls for projects (F22: a collectivité with a signed CTAI retains its actions through a call).

Grenoble-Alpes-Métropole's contract is signed; its agent drafts, publishes and closes a call, an
association of Isère (opérateur) applies, the agent scores and selects, and a selected application
becomes an action of the 2022 programming in one click. The Métropole de Lyon's agent is the
other collectivité.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from audit.models import Event
from contracts.calls import (
    application_to_action,
    applications_for,
    apply_to_call,
    calls_for,
    close_call,
    create_call,
    publish_call,
    reject_application,
    score_application,
    select_application,
    update_call,
)
from contracts.enums import ApplicationStatus, CallState, CarrierKind, ContractState, ProgrammingState
from contracts.models import Action, ActionPublic, Call, CallApplication, Contract, Programming
from contracts.programming import create_programming, remove_action
from programme.errors import TransitionError
from referential.models import Operator
from tests.contracts.conftest import campaign, make_contract
from tests.factories import OperatorFactory, grenoble_metropole, make_user, metropole_de_lyon

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def contract() -> Contract:
    return make_contract(ContractState.SIGNED, effective_to=date(2024, 12, 31))


@pytest.fixture
def agent() -> User:
    return make_user(Role.AGENT, authority=grenoble_metropole())


@pytest.fixture
def other_agent() -> User:
    return make_user(Role.AGENT, authority=metropole_de_lyon())


@pytest.fixture
def operator() -> Operator:
    return OperatorFactory(name="Association Accueil Isère")


@pytest.fixture
def operator_member(operator: Operator) -> User:
    return make_user(Role.OPERATOR, operator=operator)


def draft_call(contract: Contract, agent: User, **extra: Any) -> Call:
    values: dict[str, Any] = {
        "campaign": campaign(2022),
        "title": "Appel à projets 2022 : logement et emploi des réfugiés",
        "text": "Actions d'accès au logement et à l'emploi pour les BPI de la métropole.",
        "deadline": today() + timedelta(days=30),
        "budget": Decimal("200000"),
        "domains": ["logement", "emploi"],
    }
    values.update(extra)
    return create_call(user=agent, contract=contract, **values)


def open_call(contract: Contract, agent: User, **extra: Any) -> Call:
    return publish_call(user=agent, call=draft_call(contract, agent, **extra))


def application_data(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Sortir des CPH vers un logement",
        "description": "Accompagnement vers le logement des BPI sortant de centres provisoires d'hébergement.",
        "domains": ["logement"],
        "public": ActionPublic.BPI,
        "planned_bpi": 60,
        "planned_newcomers": 0,
        "budget": Decimal("90000"),
        "requested_amount": Decimal("60000"),
    }
    values.update(extra)
    return values


def past_deadline(call: Call) -> Call:
    """The deadline is behind us (as if the days had passed)."""
    Call.objects.filter(pk=call.pk).update(deadline=today() - timedelta(days=1))
    call.refresh_from_db()
    return call


def submitted(call: Call, member: User, operator: Operator, **extra: Any) -> CallApplication:
    return apply_to_call(user=member, call=call, operator=operator, **application_data(**extra))


# --- The life of a call ---------------------------------------------------------------------------


def test_f22_the_life_of_a_call(contract: Contract, agent: User, operator: Operator, operator_member: User) -> None:
    """F22: drafted, edited, published, applied to, scored, selected, closed; each step audited."""
    call = draft_call(contract, agent)
    assert call.state == CallState.DRAFT and call.authority == contract.authority
    call = update_call(user=agent, call=call, title="Appel à projets 2022", budget="250 000")
    assert (call.title, call.budget) == ("Appel à projets 2022", Decimal("250000.00"))

    call = publish_call(user=agent, call=call)
    assert call.state == CallState.PUBLISHED and call.published_at is not None
    with pytest.raises(TransitionError, match="ne se modifie plus"):
        update_call(user=agent, call=call, title="Autre titre")

    application = submitted(call, operator_member, operator)
    assert application.status == ApplicationStatus.SUBMITTED
    assert {d.code for d in application.domains.all()} == {"logement"}

    call = close_call(user=agent, call=call)
    assert call.state == CallState.CLOSED
    with pytest.raises(TransitionError, match="ne reçoit plus"):
        submitted(call, operator_member, operator, title="Une autre action")

    score_application(user=agent, application=application, score=16, comment="Partenariat solide.")
    select_application(user=agent, application=application)
    application.refresh_from_db()
    assert (application.score, application.status) == (16, ApplicationStatus.SELECTED)

    verbs = set(Event.objects.filter(verb__startswith="contracts.call_").values_list("verb", flat=True))
    assert verbs == {
        "contracts.call_created",
        "contracts.call_updated",
        "contracts.call_published",
        "contracts.call_closed",
        "contracts.call_application_submitted",
        "contracts.call_application_scored",
        "contracts.call_application_selected",
    }


def test_a_call_needs_a_signed_contract_and_an_agent_of_its_collectivite(agent: User, other_agent: User) -> None:
    drafting = make_contract(ContractState.DRAFTING)
    with pytest.raises(TransitionError, match="contrat signé"):
        draft_call(drafting, agent)
    signed = make_contract(ContractState.SIGNED)
    with pytest.raises(PermissionDenied):
        draft_call(signed, other_agent)
    prefect = make_user(Role.PREFECT, department=signed.department)
    with pytest.raises(PermissionDenied):
        draft_call(signed, prefect)
    assert not Call.objects.exists()


def test_a_call_aims_at_a_year_of_the_contract(contract: Contract, agent: User) -> None:
    """The contract is signed in 2022: no call for the 2021 programming."""
    with pytest.raises(TransitionError, match="signé en 2022") as refused:
        draft_call(contract, agent, campaign=campaign(2021))
    assert refused.value.code == "campaign"


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"deadline": "today"}, "deadline", "dans le futur"),
        ({"domains": []}, "domains", "au moins un domaine"),
    ],
)
def test_publication_needs_a_future_deadline_and_a_domain(
    contract: Contract, agent: User, change: dict[str, Any], code: str, message: str
) -> None:
    if change.get("deadline") == "today":
        change = {"deadline": today()}
    call = draft_call(contract, agent, **change)
    with pytest.raises(TransitionError, match=message) as refused:
        publish_call(user=agent, call=call)
    assert refused.value.code == code
    call.refresh_from_db()
    assert call.state == CallState.DRAFT and call.published_at is None


def test_a_call_has_a_budget(contract: Contract, agent: User) -> None:
    with pytest.raises(TransitionError, match="supérieur à zéro") as refused:
        draft_call(contract, agent, budget="0")
    assert refused.value.code == "budget"


def test_only_a_published_call_closes(contract: Contract, agent: User, other_agent: User) -> None:
    call = draft_call(contract, agent)
    with pytest.raises(TransitionError, match="Seul un appel publié"):
        close_call(user=agent, call=call)
    publish_call(user=agent, call=call)
    with pytest.raises(PermissionDenied):
        close_call(user=other_agent, call=call)


# --- Applying -------------------------------------------------------------------------------------


def test_f22_an_operator_cannot_apply_after_the_deadline(
    contract: Contract, agent: User, operator: Operator, operator_member: User
) -> None:
    call = past_deadline(open_call(contract, agent))
    with pytest.raises(TransitionError, match="date limite passée") as refused:
        submitted(call, operator_member, operator)
    assert refused.value.code == "closed"
    assert not CallApplication.objects.exists()


def test_the_deadline_day_is_still_open(
    contract: Contract, agent: User, operator: Operator, operator_member: User
) -> None:
    call = open_call(contract, agent)
    Call.objects.filter(pk=call.pk).update(deadline=today())
    assert submitted(call, operator_member, operator).pk


def test_no_application_to_a_draft(contract: Contract, agent: User, operator: Operator, operator_member: User) -> None:
    call = draft_call(contract, agent)
    with pytest.raises(TransitionError, match="ne reçoit plus"):
        submitted(call, operator_member, operator)


def test_a_request_above_the_calls_budget_is_refused(
    contract: Contract, agent: User, operator: Operator, operator_member: User
) -> None:
    call = open_call(contract, agent, budget=Decimal("50000"))
    with pytest.raises(TransitionError, match="dépasse le budget de l'appel") as refused:
        submitted(call, operator_member, operator, budget=Decimal("90000"), requested_amount=Decimal("60000"))
    assert refused.value.code == "requested_amount"
    with pytest.raises(TransitionError, match="budget total de l'action"):
        submitted(call, operator_member, operator, budget=Decimal("30000"), requested_amount=Decimal("40000"))
    assert not CallApplication.objects.exists()


def test_the_domains_are_among_the_calls(
    contract: Contract, agent: User, operator: Operator, operator_member: User
) -> None:
    call = open_call(contract, agent)
    with pytest.raises(TransitionError, match="parmi ceux de l'appel") as refused:
        submitted(call, operator_member, operator, domains=["sante"])
    assert refused.value.code == "domains"


def test_only_a_member_of_the_operator_applies_in_its_name(
    contract: Contract, agent: User, operator: Operator, operator_member: User
) -> None:
    call = open_call(contract, agent)
    another = OperatorFactory()
    for outsider in (make_user(Role.OPERATOR, operator=another), agent, make_user(Role.DIAIR)):
        with pytest.raises(PermissionDenied):
            submitted(call, outsider, operator)


def test_one_title_per_operator_and_call(
    contract: Contract, agent: User, operator: Operator, operator_member: User
) -> None:
    call = open_call(contract, agent)
    submitted(call, operator_member, operator)
    with pytest.raises(TransitionError, match="déjà déposé") as refused:
        submitted(call, operator_member, operator)
    assert refused.value.code == "title"


# --- Scoring and deciding -------------------------------------------------------------------------


def test_f22_only_the_collectivite_scores_after_the_deadline(
    contract: Contract, agent: User, other_agent: User, operator: Operator, operator_member: User
) -> None:
    call = open_call(contract, agent)
    application = submitted(call, operator_member, operator)
    with pytest.raises(TransitionError, match="après la date limite"):
        score_application(user=agent, application=application, score=12)
    past_deadline(call)
    prefect = make_user(Role.PREFECT, department=contract.department)
    for outsider in (other_agent, operator_member, prefect, make_user(Role.DIAIR)):
        with pytest.raises(PermissionDenied):
            score_application(user=outsider, application=application, score=12)
        with pytest.raises(PermissionDenied):
            select_application(user=outsider, application=application)
    with pytest.raises(TransitionError, match="de 0 à 20"):
        score_application(user=agent, application=application, score=21)
    score_application(user=agent, application=application, score=12)
    application.refresh_from_db()
    assert application.score == 12


def test_reject_then_select(contract: Contract, agent: User, operator: Operator, operator_member: User) -> None:
    call = open_call(contract, agent)
    application = submitted(call, operator_member, operator)
    close_call(user=agent, call=call)
    assert reject_application(user=agent, application=application).status == ApplicationStatus.REJECTED
    assert select_application(user=agent, application=application).status == ApplicationStatus.SELECTED


# --- One click: from the application to the action of the programming --------------------------------


@pytest.fixture
def programming(contract: Contract, agent: User) -> Programming:
    return create_programming(user=agent, contract=contract, campaign=campaign(2022))


def test_f22_a_selected_application_becomes_an_action_in_one_click(
    contract: Contract, agent: User, operator: Operator, operator_member: User, programming: Programming
) -> None:
    """F22: retained through the call, the action joins the programming the Diair will check; it is
    carried by the opérateur, with its SIRET and RNA."""
    call = open_call(contract, agent)
    application = submitted(call, operator_member, operator)
    close_call(user=agent, call=call)

    action = application_to_action(user=agent, application=application, programming=programming)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SELECTED
    action = Action.objects.get(pk=action.pk)
    assert action.programming == programming
    assert action.application == application
    assert action.carrier_kind == CarrierKind.ASSOCIATION
    assert (action.operator, action.siret, action.rna) == (operator, operator.siret, operator.rna)
    assert action.carrier_name == "Association Accueil Isère"
    assert (action.title, action.description) == (application.title, application.description)
    assert {d.code for d in action.domains.all()} == {"logement"}
    assert (action.public, action.planned_bpi, action.planned_newcomers) == (ActionPublic.BPI, 60, 0)
    assert (action.budget, action.state_amount) == (Decimal("90000.00"), Decimal("60000.00"))
    assert Event.objects.filter(verb="contracts.call_application_to_action").count() == 1
    assert Event.objects.filter(verb="contracts.action_added").count() == 1

    with pytest.raises(TransitionError, match="déjà une action"):
        application_to_action(user=agent, application=application, programming=programming)
    with pytest.raises(TransitionError, match="retirez d'abord l'action"):
        reject_application(user=agent, application=application)

    remove_action(user=agent, action=action)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_programming_must_be_editable_and_of_the_calls_contract(
    contract: Contract, agent: User, operator: Operator, operator_member: User, programming: Programming
) -> None:
    call = open_call(contract, agent)
    application = submitted(call, operator_member, operator)
    close_call(user=agent, call=call)

    Programming.objects.filter(pk=programming.pk).update(state=ProgrammingState.PRESENTED)
    programming.refresh_from_db()
    with pytest.raises(TransitionError, match="ne se modifie plus"):
        application_to_action(user=agent, application=application, programming=programming)

    lyon_contract = make_contract(ContractState.SIGNED, authority=metropole_de_lyon())
    lyon_agent = make_user(Role.AGENT, authority=metropole_de_lyon())
    lyon_programming = create_programming(user=lyon_agent, contract=lyon_contract, campaign=campaign(2022))
    with pytest.raises(TransitionError, match="du contrat de cet appel"):
        application_to_action(user=agent, application=application, programming=lyon_programming)

    # Both or neither: the refused clicks selected nothing.
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Action.objects.exists()


def test_another_collectivite_cannot_turn_an_application_into_an_action(
    contract: Contract,
    agent: User,
    other_agent: User,
    operator: Operator,
    operator_member: User,
    programming: Programming,
) -> None:
    call = open_call(contract, agent)
    application = submitted(call, operator_member, operator)
    close_call(user=agent, call=call)
    with pytest.raises(PermissionDenied):
        application_to_action(user=other_agent, application=application, programming=programming)
    assert not Action.objects.exists()


# --- Who sees what --------------------------------------------------------------------------------


def test_anonymous_sees_only_published_open_calls(contract: Contract, agent: User) -> None:
    draft = draft_call(contract, agent, title="En préparation")
    opened = open_call(contract, agent, title="Ouvert")
    late = past_deadline(open_call(contract, agent, title="Date limite passée"))
    closed = close_call(user=agent, call=open_call(contract, agent, title="Clos"))

    assert set(calls_for(AnonymousUser())) == {opened}
    assert set(Call.objects.open()) == {opened}
    assert set(calls_for(agent)) == {draft, opened, late, closed}
    assert set(calls_for(make_user(Role.AGENT, authority=metropole_de_lyon()))) == {opened}
    assert set(calls_for(make_user(Role.PREFECT, department=contract.department))) == {opened, late, closed}


def test_an_agent_of_another_collectivite_cannot_see_the_applications(
    contract: Contract, agent: User, other_agent: User, operator: Operator, operator_member: User
) -> None:
    call = open_call(contract, agent)
    application = submitted(call, operator_member, operator)
    rival = make_user(Role.OPERATOR, operator=OperatorFactory())
    assert set(applications_for(agent)) == {application}
    assert set(applications_for(operator_member)) == {application}
    assert not applications_for(other_agent).exists()
    assert not applications_for(rival).exists()
    assert not applications_for(AnonymousUser()).exists()
    # The opérateur still opens the call after its deadline, through its application.
    past_deadline(call)
    assert call in calls_for(operator_member)
    assert call not in calls_for(rival)


def test_f22_the_collectivite_hears_of_each_application_and_the_operator_of_the_decision(
    contract: Contract,
    agent: User,
    operator: Operator,
    operator_member: User,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    call = open_call(contract, agent)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(call, operator_member, operator)
    assert mailoutbox[-1].to == [agent.email]
    assert "nouvelle candidature de Association Accueil Isère" in mailoutbox[-1].subject
    close_call(user=agent, call=call)
    with django_capture_on_commit_callbacks(execute=True):
        select_application(user=agent, application=application)
    assert mailoutbox[-1].to == [operator_member.email]
    assert mailoutbox[-1].subject.endswith("« Sortir des CPH vers un logement » : retenue")
