"""F24 through the API: a CTAI's amendment read and signed by the préfet with `/api/v1/amendments/`,
or abandoned with a reason; another métropole's agent does not see it; a second click is a 409."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.models import Contract
from tests.api.conftest import API, ApiClient
from tests.contracts.conftest import people  # noqa: F401  (the fixture)
from tests.contracts.test_amendments import open_extension, signed_contract

pytestmark = pytest.mark.django_db


def test_f24_the_prefect_signs_an_amendment_through_the_api(people: dict[str, Any]) -> None:  # noqa: F811
    contract = signed_contract()
    amendment = open_extension(contract, people["agent_own"])
    agent, prefect = ApiClient(people["agent_own"]), ApiClient(people["prefect_own"])
    rows = agent.get_json(f"{API}/amendments/", contract=contract.pk)["results"]
    assert [(r["id"], r["number"], r["state"], r["objects_changed"], r["signed_on"]) for r in rows] == [
        (amendment.pk, 1, "drafted", ["dates"], None)
    ]
    assert [t["name"] for t in agent.get_json(f"{API}/amendments/{amendment.pk}/transitions/")] == ["abandon"]
    assert [t["name"] for t in prefect.get_json(f"{API}/amendments/{amendment.pk}/transitions/")] == [
        "sign",
        "abandon",
    ]
    refused = agent.post_json(f"{API}/amendments/{amendment.pk}/transitions/sign/", {"signed_on": "2023-06-15"})
    assert refused.status_code == 409 and refused.json()["code"] == "transition_unavailable"
    signed = prefect.post_json(f"{API}/amendments/{amendment.pk}/transitions/sign/", {"signed_on": "2023-06-15"})
    assert signed.status_code == 200, signed.content
    assert (signed.json()["state"], signed.json()["signed_on"]) == ("signed", "2023-06-15")
    contract.refresh_from_db()
    assert contract.effective_to == date(2025, 12, 31)
    again = prefect.post_json(f"{API}/amendments/{amendment.pk}/transitions/sign/", {"signed_on": "2023-06-15"})
    assert again.status_code == 409


def test_f24_an_abandon_needs_a_reason_and_another_agent_sees_nothing(people: dict[str, Any]) -> None:  # noqa: F811
    amendment = open_extension(signed_contract(), people["agent_own"])
    agent = ApiClient(people["agent_own"])
    url = f"{API}/amendments/{amendment.pk}/transitions/abandon/"
    missing = agent.post_json(url, {})
    assert missing.status_code == 400, missing.content
    assert agent.post_json(url, {"reason": "Le projet de prolongation est retiré."}).json()["state"] == "abandoned"
    other = ApiClient(people["agent_other"])
    assert other.get_json(f"{API}/amendments/")["count"] == 0
    assert other.get_json(f"{API}/amendments/{amendment.pk}/", expected=404)["detail"] == "Introuvable."
    assert Contract.objects.count() == 1
