"""The steering committees on the contract page (F23): the Diair records them, everyone who sees
the contract reads them; the page's queries do not grow with their number."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from contracts.models import SteeringCommittee
from tests.contracts.conftest import make_persona
from tests.contracts.test_steering import MINUTES, contract_with_actions
from tests.web.html import text_of
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    names = ("agent_own", "agent_other", "prefect_own", "instructor", "diair", "ministry")
    return {name: make_persona(name) for name in names}


@pytest.fixture
def with_actions(people: dict[str, Any]) -> Any:
    return contract_with_actions(people)


def test_f23_the_diair_records_a_committee_through_the_page(people, with_actions):
    contract, big, _ = with_actions
    diair = PersonaClient(people["diair"])
    page = diair.get(reverse("web:contract_detail", args=[contract.pk])).content.decode()
    assert "Enregistrer un comité de pilotage" in page
    form = diair.get(reverse("web:committee_create", args=[contract.pk])).content.decode()
    assert "seuil d'évaluation atteint" in text_of(form)
    response = diair.post(
        reverse("web:committee_create", args=[contract.pk]),
        {"held_on": "2022-11-15", "evaluated_actions": [str(big.pk)], **MINUTES},
        follow=True,
    )
    body = text_of(response.content.decode())
    assert "Le comité de pilotage est enregistré" in body
    assert "Comité du 15/11/2022" in body and big.title in body
    agent_page = text_of(
        PersonaClient(people["agent_own"]).get(reverse("web:contract_detail", args=[contract.pk])).content.decode()
    )
    assert "Comité du 15/11/2022" in agent_page and "Enregistrer un comité de pilotage" not in agent_page


def test_a_missing_summary_is_said_beside_the_field(people, with_actions):
    contract, _, _ = with_actions
    response = PersonaClient(people["diair"]).post(
        reverse("web:committee_create", args=[contract.pk]), {"held_on": "2022-11-15", "participants": "Diair"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["summary"] == ["Indiquez le compte rendu."]
    assert not SteeringCommittee.objects.exists()


@pytest.mark.parametrize("name", ["agent_own", "prefect_own", "instructor", "agent_other"])
def test_others_cannot_open_the_committee_form(people, with_actions, name):
    contract, _, _ = with_actions
    assert PersonaClient(people[name]).get(reverse("web:committee_create", args=[contract.pk])).status_code == 404


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 committees"), pytest.param(1000, id="1000 committees")])
def test_query_budget_of_the_contract_page_with_committees(people, with_actions, rows, django_assert_max_num_queries):
    contract, big, _ = with_actions
    committees = SteeringCommittee.objects.bulk_create(
        SteeringCommittee(
            contract=contract,
            held_on=date(2022, 11, 15),
            organised_by=people["diair"],
            participants="Diair",
            summary=f"Comité {n}",
        )
        for n in range(rows)
    )
    SteeringCommittee.evaluated_actions.through.objects.bulk_create(
        SteeringCommittee.evaluated_actions.through(steeringcommittee_id=c.pk, action_id=big.pk) for c in committees
    )
    diair = PersonaClient(people["diair"])
    url = reverse("web:contract_detail", args=[contract.pk])
    assert diair.get(url).status_code == 200
    with django_assert_max_num_queries(22):  # + the reports and evaluations of its actions (steering)
        assert diair.get(url).status_code == 200
