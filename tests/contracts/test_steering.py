"""Step 7 (F23): the Diair organises the steering committees with the Ministry; the biggest
actions may get a deeper qualitative evaluation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Event
from contracts.enums import ContractState
from contracts.models import SteeringCommittee
from contracts.programming import add_action, create_programming
from contracts.steering import record_committee
from tests.contracts.conftest import campaign, make_contract
from tests.contracts.test_programming import housing, language, signed_contract
from tests.factories import metropole_de_lyon
from tests.mail import recipients

pytestmark = pytest.mark.django_db

MINUTES = {
    "participants": "Diair, DGEF, préfet de l'Isère, vice-président de la métropole, opérateurs.",
    "summary": "Bilan 2022 : 180 ménages accompagnés vers le logement ; ateliers complets.",
    "decisions": "Évaluer l'accès au logement en 2023.",
}


@pytest.fixture
def with_actions(people: dict[str, Any]) -> Any:
    return contract_with_actions(people)


def contract_with_actions(people: dict[str, Any]) -> Any:
    """Grenoble's signed contract with a 2022 programming: a 150 000 € housing action (at the
    evaluation threshold) and a 50 000 € language action."""
    contract = signed_contract()
    programming = create_programming(
        user=people["agent_own"],
        contract=contract,
        campaign=campaign(2022),
        base_amount="150000",
        complement_amount="50000",
    )
    big = add_action(user=people["agent_own"], programming=programming, **housing())
    small = add_action(user=people["agent_own"], programming=programming, **language())
    return contract, big, small


def test_f23_the_diair_records_a_committee_and_retains_the_biggest_action_for_evaluation(
    people, with_actions, mailoutbox, django_capture_on_commit_callbacks
):
    contract, big, small = with_actions
    rules = campaign(2022).rules()
    assert big.above_evaluation_threshold(rules) and not small.above_evaluation_threshold(rules)
    with django_capture_on_commit_callbacks(execute=True):
        committee = record_committee(
            user=people["diair"], contract=contract, held_on=date(2022, 11, 15), evaluated_actions=[big], **MINUTES
        )
    assert list(committee.evaluated_actions.all()) == [big]
    event = Event.objects.get(verb="contracts.committee_recorded")
    assert event.details["évaluation approfondie"] == big.title
    assert recipients(mailoutbox) == {people["agent_own"].email, people["prefect_own"].email}
    assert "comité de pilotage du 15/11/2022" in mailoutbox[0].subject


@pytest.mark.parametrize("name", ["agent_own", "prefect_own", "instructor", "agent_other"])
def test_only_the_diair_or_the_ministry_records_a_committee(people, with_actions, name):
    contract, _, _ = with_actions
    with pytest.raises(PermissionDenied):
        record_committee(user=people[name], contract=contract, held_on=date(2022, 11, 15), **MINUTES)
    assert record_committee(user=people["ministry"], contract=contract, held_on=date(2022, 11, 15), **MINUTES).pk


def test_a_committee_steers_a_contract_in_force(people):
    drafting = make_contract(ContractState.DRAFTING)
    with pytest.raises(PermissionDenied):
        record_committee(user=people["diair"], contract=drafting, held_on=date(2022, 1, 15), **MINUTES)


def test_dates_and_actions_are_checked(people, with_actions):
    contract, big, _ = with_actions
    other = make_contract(ContractState.SIGNED, authority=metropole_de_lyon())
    with pytest.raises(ValidationError) as caught:
        record_committee(
            user=people["diair"], contract=contract, held_on=timezone.localdate() + timedelta(days=3), **MINUTES
        )
    assert "held_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        record_committee(user=people["diair"], contract=contract, held_on=date(2021, 1, 1), **MINUTES)
    assert "suit la signature" in caught.value.message_dict["held_on"][0]
    # Lyon's committee cannot retain an action of Grenoble's contract.
    with pytest.raises(ValidationError) as caught:
        record_committee(
            user=people["diair"],
            contract=other,
            held_on=date(2022, 11, 15),
            evaluated_actions=[big],
            **MINUTES,
        )
    assert "evaluated_actions" in caught.value.message_dict
    assert not SteeringCommittee.objects.exists()
