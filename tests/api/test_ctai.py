"""/api/v1/ctai/, /api/v1/programmings/, /api/v1/calls/: a métropole's CTAI from contact to signed,
its coordinator (F20), the widening of a CTAIR from the collectivité's declaration (F16), its yearly
programming from draft to committed and settled (the actions' parts F11 and priorities F13, the
advance and the balance), each actor with its own token; scopes, representation, refusals (400 with
rule ids, 409), query budgets.

The signatory is Grenoble-Alpes-Métropole (EPCI, Isère); "another collectivité" is the Métropole
de Lyon (Rhône).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from contracts.enums import CallState, ContractKind, ContractState, ProgrammingState
from contracts.models import Action, Call, Contract, ContractTransition, Programming, ProgrammingTransition
from programme.enums import BudgetLineCode
from programme.models import Campaign, Domain
from tests.api.conftest import API, ApiClient
from tests.contracts.conftest import DIAGNOSIS, SIGN_DATA, make_contract
from tests.factories import grenoble_metropole, isere, metropole_de_lyon, with_luhn_key
from tests.projects.conftest import isere_envelope, make_persona
from tests.reporting.factories import accept_programming_reports

pytestmark = pytest.mark.django_db

CTAI = f"{API}/ctai"
PROGRAMMINGS = f"{API}/programmings"
CALLS = f"{API}/calls"


def client(persona: str) -> ApiClient:
    return ApiClient(make_persona(persona))


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def refused(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["detail"] and body["code"]
    return body


def act(caller: ApiClient, url: str, name: str, **body: Any) -> Any:
    return caller.post_json(f"{url}/transitions/{name}/", body)


def patch(caller: ApiClient, url: str, data: Any) -> Any:
    return caller.patch(url, json.dumps(data), content_type="application/json")


def signed_contract(**fields: Any) -> Contract:
    """Grenoble-Alpes-Métropole's CTAI, signed on 1 March 2022 until the end of 2024."""
    values = {
        "signed_on": date(2022, 3, 1),
        "effective_from": date(2022, 3, 1),
        "effective_to": date(2024, 12, 31),
        "duration_years": 3,
        "elected_official_name": SIGN_DATA["elected_official_name"],
        "prefect_name": SIGN_DATA["prefect_name"],
        "coordinator_name": SIGN_DATA["coordinator_name"],
        **fields,
    }
    return make_contract(ContractState.SIGNED, **values)


# --- Scopes -------------------------------------------------------------------------------------


def test_anonymous_gets_401(api_anonymous: ApiClient) -> None:
    contract = signed_contract()
    for url in (f"{CTAI}/", f"{CTAI}/{contract.pk}/", f"{CTAI}/{contract.pk}/programmings/", f"{CALLS}/"):
        response = api_anonymous.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
    assert api_anonymous.post_json(f"{CTAI}/{contract.pk}/transitions/end/").status_code == 401


def test_another_departement_gets_404_everywhere() -> None:
    """A contract of Isère does not exist for the instructeur, the préfet or an agent of the Rhône."""
    contract = signed_contract()
    programming = Programming.objects.create(contract=contract, campaign=Campaign.objects.get(year=2022))
    for persona in ("instructor_rhone", "prefect_rhone", "agent_other"):
        caller = client(persona)
        assert caller.get_json(f"{CTAI}/")["count"] == 0
        assert caller.get_json(f"{CTAI}/{contract.pk}/", 404)["detail"] == "Introuvable."
        assert caller.get_json(f"{CTAI}/{contract.pk}/transitions/", 404)["code"] == "not_found"
        assert caller.get_json(f"{CTAI}/{contract.pk}/programmings/", 404)["code"] == "not_found"
        assert refused(act(caller, f"{CTAI}/{contract.pk}", "end"), 404)["detail"] == "Introuvable."
        assert caller.get_json(f"{PROGRAMMINGS}/{programming.pk}/", 404)["detail"] == "Introuvable."
        assert refused(act(caller, f"{PROGRAMMINGS}/{programming.pk}", "present"), 404)["code"] == "not_found"
    assert Contract.objects.get(pk=contract.pk).state == ContractState.SIGNED
    # Isère's instructeur reads it, applies nothing.
    instructor = client("instructor_isere")
    assert instructor.get_json(f"{CTAI}/{contract.pk}/")["id"] == contract.pk
    assert instructor.get_json(f"{CTAI}/{contract.pk}/transitions/") == []
    assert instructor.get_json(f"{PROGRAMMINGS}/{programming.pk}/")["id"] == programming.pk


def test_operator_sees_no_contract() -> None:
    signed_contract()
    assert client("operator").get_json(f"{CTAI}/") == {"count": 0, "next": None, "previous": None, "results": []}


# --- The contract, from contact to signed -------------------------------------------------------


def test_f10_f17_f18_f19_f20_f21_a_metropole_signs_its_ctai_through_the_api() -> None:
    """F10/F12 a métropole, F17 contact, F18 letter of engagement, F19 diagnostic with the Diair's
    support, F20 coordinator, F21 signature by the elected official and the préfet: each step by
    the right token, refusals in French with their rule ids, a double POST answered 409."""
    agent, prefect, diair = client("agent_lead"), client("prefect_isere"), client("diair")
    lead = grenoble_metropole()

    created = ok(agent.post_json(f"{CTAI}/", {"authority": lead.code, "year": 2021, "title": "CTAI Grenoble"}), 201)
    pk = created["id"]
    url = f"{CTAI}/{pk}"
    assert (created["kind"], created["state"], created["state_label"]) == ("ctai", "contact", "Prise de contact")
    assert created["authority"] == {"code": "200040715", "name": lead.name}
    assert (created["departement"], created["year"], created["widens"], created["widened_into"]) == (
        "38",
        2021,
        None,
        None,
    )
    assert (created["diagnosis"], created["findings"][0]["rule_id"]) == (None, "ctai.letter.required")
    assert [t["name"] for t in agent.get_json(f"{url}/transitions/")] == ["record_letter", "abandon"]
    assert prefect.get_json(f"{url}/transitions/")[0]["name"] == "abandon"

    # F18: the letter, by the collectivité only.
    assert refused(act(prefect, url, "record_letter", letter_date="2021-11-15"), 409)["code"] == (
        "transition_unavailable"
    )
    body = refused(act(agent, url, "record_letter", letter_date="15/11/2021"))
    assert "letter_date" in body["errors"]
    letter = ok(act(agent, url, "record_letter", letter_date="2021-11-15"))
    assert (letter["state"], letter["letter_date"], letter["signature_year"]) == ("letter_received", "2021-11-15", 2022)

    # F19: the diagnostic, started by the Diair (support), completed by the préfet once filled in.
    assert ok(act(diair, url, "start_diagnosis"))["state"] == "diagnosis"
    body = refused(act(prefect, url, "complete_diagnosis"))
    assert (body["code"], body["rule_ids"]) == ("diagnosis_incomplete", ["ctai.diagnosis.required"])
    assert "Complétez le diagnostic territorial" in body["detail"]
    filled = ok(patch(agent, f"{url}/diagnosis/", DIAGNOSIS))
    assert filled["diagnosis"]["complete"] is True
    assert filled["diagnosis"]["bpi_count"] == 420
    assert filled["diagnosis"]["needs_by_domain"] == DIAGNOSIS["needs_by_domain"]
    assert ok(act(prefect, url, "complete_diagnosis"))["state"] == "drafting"
    assert refused(patch(agent, f"{url}/diagnosis/", {"gaps": "Autre"}))["code"] == "not_editable"

    # F21: the signature needs the signatories; F20: the coordinator may be given, it is not required.
    sign = next(t for t in prefect.get_json(f"{url}/transitions/") if t["name"] == "sign")
    assert sign["target"] == "signed"
    assert sign["fields"][:2] == ["signed_on", "effective_from"]
    assert "coordinator_recruiting" in sign["form"]["fields"]
    body = refused(act(prefect, url, "sign", signed_on="2022-03-01"))
    assert body["rule_ids"] == ["ctai.signatories.required"]
    assert len(body["errors"]["non_field_errors"]) == 1
    signed = ok(act(prefect, url, "sign", **SIGN_DATA))
    second = refused(act(prefect, url, "sign", **SIGN_DATA), 409)
    assert second["code"] == "transition_unavailable"

    assert {key: signed[key] for key in ISSUE_FIELDS} == {
        "id": pk,
        "kind": "ctai",
        "state": "signed",
        "authority": {"code": "200040715", "name": lead.name},
        "departement": "38",
        "signed_on": "2022-03-01",
        "widens": None,
        "widened_into": None,
        "programmings": [],
    }
    assert {key: signed[key] for key in ("effective_from", "effective_to", "duration_years")} == {
        "effective_from": "2022-03-01",
        "effective_to": "2024-12-31",
        "duration_years": 3,
    }
    assert signed["coordinator"] == {
        "status": "named",
        "name": "Camille Martin",
        "role": "Cheffe de projet intégration",
        "contact": "camille.martin@example.org",
        "recruiting": False,
    }
    assert signed["signatories"] == {
        "elected_official": "Christophe Ferrari",
        "prefect": "Laurent Prévost",
        "delegate": "Alain Régnier",
    }
    assert signed["findings"] == []
    assert list(ContractTransition.objects.filter(contract_id=pk).values_list("transition", flat=True)) == [
        "record_letter",
        "start_diagnosis",
        "complete_diagnosis",
        "sign",
    ]


ISSUE_FIELDS = (
    "id",
    "kind",
    "state",
    "authority",
    "departement",
    "signed_on",
    "widens",
    "widened_into",
    "programmings",
)


def test_f19_signing_without_a_completed_diagnosis_is_400_with_the_rule_id() -> None:
    """F19: no signature without the completed diagnostic; nothing is written."""
    contract = make_contract(ContractState.DRAFTING, diagnosis=False)
    body = refused(act(client("prefect_isere"), f"{CTAI}/{contract.pk}", "sign", **SIGN_DATA))
    assert body["rule_ids"] == ["ctai.diagnosis.required"]
    assert body["detail"] == "Le diagnostic territorial doit être terminé avant la signature."
    assert body["errors"] == {"non_field_errors": [body["detail"]]}
    assert Contract.objects.get(pk=contract.pk).state == ContractState.DRAFTING
    assert not ContractTransition.objects.filter(contract=contract).exists()


def test_f20_the_coordinator_is_recorded_through_the_api_and_a_contract_signs_without_one() -> None:
    """F20: a contract signs with no coordinator (status `none`); the collectivité then records one
    being recruited, then named; another collectivité's agent is refused."""
    contract = make_contract(ContractState.DRAFTING)
    url = f"{CTAI}/{contract.pk}"
    signed = ok(
        act(
            client("prefect_isere"),
            url,
            "sign",
            signed_on="2022-03-01",
            elected_official_name="Christophe Ferrari",
            prefect_name="Laurent Prévost",
        )
    )
    assert (signed["state"], signed["coordinator"]["status"]) == ("signed", "none")
    agent = client("agent_lead")
    recruiting = ok(agent.put(f"{url}/coordinator/", json.dumps({"recruiting": True}), content_type="application/json"))
    assert recruiting["coordinator"] == {
        "status": "recruiting",
        "name": "",
        "role": "",
        "contact": "",
        "recruiting": True,
    }
    named = ok(
        agent.put(
            f"{url}/coordinator/",
            json.dumps({"name": "Camille Martin", "role": "Cheffe de projet"}),
            content_type="application/json",
        )
    )
    assert (named["coordinator"]["status"], named["coordinator"]["name"]) == ("named", "Camille Martin")
    body = refused(
        agent.put(f"{url}/coordinator/", json.dumps({"name": "X", "recruiting": True}), content_type="application/json")
    )
    assert body["code"] == "coordinator"
    other = client("agent_other").put(
        f"{url}/coordinator/", json.dumps({"recruiting": True}), content_type="application/json"
    )
    assert other.status_code == 404


def test_f16_a_signed_ctair_is_widened_through_the_api_from_the_declaration() -> None:
    """F16: the collectivité declares its intention (transition `declare_widening` of the CTAIR); the CTAI
    opened from it links to the CTAIR, carries the declaration, needs no letter; at its signature the
    CTAIR is widened."""
    ctair = signed_contract(kind=ContractKind.CTAIR, title="CTAIR Grenoble")
    Contract.objects.filter(pk=ctair.pk).update(created_at=timezone.now() - timedelta(days=400))
    agent, lead, ministry = client("agent_lead"), grenoble_metropole(), client("ministry")
    offered = {t["name"]: t for t in agent.get_json(f"{CTAI}/{ctair.pk}/transitions/")}
    assert offered["declare_widening"]["fields"] == ["reason", "declared_on"]
    assert offered["declare_widening"]["target"] == "signed"
    body = refused(act(agent, f"{CTAI}/{ctair.pk}", "declare_widening", reason=""))
    assert body["code"] == "reason_required"
    declared = ok(
        act(agent, f"{CTAI}/{ctair.pk}", "declare_widening", reason="Ouvrir le CTAIR.", declared_on="2021-06-01")
    )
    assert declared["state"] == "signed"
    ctai = Contract.objects.get(widens=ctair)
    assert declared["widened_into"] == ctai.pk

    row = ministry.get_json(f"{CTAI}/{ctai.pk}/")
    assert (row["kind"], row["state"], row["widens"], row["letter_date"]) == (
        "ctai",
        "widening_declared",
        ctair.pk,
        None,
    )
    assert row["widening"] == {
        "declared_on": "2021-06-01",
        "declared_by": agent.user.email,  # type: ignore[union-attr]
        "declaration": "Ouvrir le CTAIR.",
        "in_negotiation": False,
    }
    assert row["findings"] == []  # no letter rule for a widening
    rows = ministry.get_json(f"{CTAI}/")["results"]
    assert [(r["id"], r["kind"], r["widens"], r["widened_into"]) for r in rows] == [
        (ctai.pk, "ctai", ctair.pk, None),
        (ctair.pk, "ctair", None, ctai.pk),
    ]
    assert "findings" not in rows[0] and "diagnosis" not in rows[0]
    assert [t["name"] for t in client("prefect_isere").get_json(f"{CTAI}/{ctai.pk}/transitions/")] == [
        "start_diagnosis",
        "abandon",
    ]

    # Signed in its place: the CTAIR is closed as widened.
    Contract.objects.filter(pk=ctai.pk).update(state=ContractState.DRAFTING)
    from tests.contracts.conftest import complete_diagnosis_of

    complete_diagnosis_of(ctai)
    signed = ok(act(client("prefect_isere"), f"{CTAI}/{ctai.pk}", "sign", **SIGN_DATA))
    assert (signed["state"], signed["widens"]) == ("signed", ctair.pk)
    assert ministry.get_json(f"{CTAI}/{ctair.pk}/")["state"] == "widened"
    assert lead.siren == signed["authority"]["code"]


def test_f16_a_ctair_in_negotiation_is_carried_on_through_the_api() -> None:
    ctair = make_contract(ContractState.LETTER_RECEIVED, kind=ContractKind.CTAIR)
    carried = ok(act(client("prefect_isere"), f"{CTAI}/{ctair.pk}", "declare_widening", reason="Courrier du 2 juin."))
    assert (carried["id"], carried["kind"], carried["state"], carried["letter_date"]) == (
        ctair.pk,
        "ctai",
        "letter_received",
        "2021-10-01",
    )
    assert carried["widening"]["in_negotiation"] is True and carried["findings"] == []


def test_create_refusals_in_french() -> None:
    lead = grenoble_metropole()
    data = {"authority": lead.code, "year": 2021}
    assert refused(client("instructor_isere").post_json(f"{CTAI}/", data), 403)["code"] == "permission_denied"
    assert refused(client("agent_other").post_json(f"{CTAI}/", data), 403)["code"] == "permission_denied"
    body = refused(client("agent_lead").post_json(f"{CTAI}/", {**data, "authority": "00000"}))
    assert body["errors"] == {"authority": ["Aucune collectivité n'a le code « 00000 »."]}
    body = refused(client("agent_lead").post_json(f"{CTAI}/", {**data, "year": 2030}))
    assert body["errors"] == {"year": ["Aucune campagne pour l'année 2030."]}
    ctair = signed_contract(kind=ContractKind.CTAIR)
    body = refused(client("agent_lead").post_json(f"{CTAI}/", {**data, "widens": ctair.pk}))
    assert body["errors"] == {
        "widens": [
            "Pour élargir un CTAIR, déclarez l'intention de la collectivité sur le CTAIR : transition "
            f"« declare_widening » (POST /api/v1/ctai/{ctair.pk}/transitions/declare_widening/)."
        ]
    }
    assert Contract.objects.count() == 1
    for method in ("put", "patch", "delete"):
        assert getattr(client("agent_lead"), method)(f"{CTAI}/{ctair.pk}/").status_code == 405


def test_list_filters_and_order() -> None:
    """F12: the list by state, kind, département and campaign year, newest first."""
    first = make_contract()
    lyon = make_contract(authority=metropole_de_lyon())
    ctair = signed_contract(kind=ContractKind.CTAIR)
    ministry = client("ministry")

    def ids(**params: Any) -> list[int]:
        return [row["id"] for row in ministry.get_json(f"{CTAI}/", **params)["results"]]

    assert ids() == [ctair.pk, lyon.pk, first.pk]
    assert ids(state="signed") == [ctair.pk]
    assert ids(kind="ctai") == [lyon.pk, first.pk]
    assert ids(departement="69") == [lyon.pk]
    assert ids(year=2021) == [ctair.pk, lyon.pk, first.pk]
    assert ids(year=2022) == []
    body = ministry.get_json(f"{CTAI}/", 400, state="perdu")
    assert "state" in body["errors"]
    assert client("instructor_isere").get_json(f"{CTAI}/")["count"] == 2


# --- The yearly programming ---------------------------------------------------------------------


def housing_action(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Accès au logement des BPI",
        "diagnosis_need": "Sorties de CPH sans solution de logement.",
        "cir_link": "Relais du volet logement de l'accompagnement CIR.",
        "carrier_kind": "authority",
        "public": "bpi",
        "planned_bpi": 90,
        "planned_newcomers": 0,
        "budget": "260000",
        "state_amount": "150000",
        "domains": ["logement"],
        "priority": "logement",
        **extra,
    }


def language_action(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Ateliers sociolinguistiques",
        "diagnosis_need": "Peu de parcours FLE-emploi.",
        "cir_link": "Prolonge la formation linguistique du CIR.",
        "carrier_kind": "association",
        "carrier_name": "Association Accueil Isère",
        "siret": with_luhn_key("4423956000001"),
        "public": "newcomers",
        "planned_bpi": 0,
        "planned_newcomers": 30,
        "budget": "80000",
        "state_amount": "60000",
        "domains": ["formation-linguistique"],
        "part": "complement",
        "priority": "langue-formation-emploi",
        **extra,
    }


def isere_balance(caller: ApiClient, line: str) -> dict[str, str]:
    (isere_row,) = [
        e for e in caller.get_json(f"{API}/envelopes/", year=2022, line=line)["results"] if e["departement"] == "38"
    ]
    balance: dict[str, str] = isere_row["balance"]
    return balance


def test_f22_f24_f15_f43_a_programming_is_presented_approved_and_committed_through_the_api() -> None:
    """F24 yearly programming of a signed CTAI; F22 actions presented to the Diair, who checks each
    one; F15/F43 socle for BPI and a complement in proportion to the other newcomers — 150 000 € +
    50 000 € as Poitiers in 2021, the complement capped by socle * 30 / 90; F41 committed by the
    préfet on Isère's envelopes of lines 104-15 and 104-12."""
    contract = signed_contract()
    agent, diair, prefect, ministry = (
        client("agent_lead"),
        client("diair"),
        client("prefect_isere"),
        client("ministry"),
    )

    body = refused(agent.post_json(f"{CTAI}/{contract.pk}/programmings/", {"year": 2021}))
    assert body["code"] == "year"
    assert refused(prefect.post_json(f"{CTAI}/{contract.pk}/programmings/", {"year": 2022}), 403)
    created = ok(
        agent.post_json(
            f"{CTAI}/{contract.pk}/programmings/",
            {"year": 2022, "base_amount": "150 000", "complement_amount": "60\u202f000 €"},  # typed the French way
        ),
        201,
    )
    pk = created["id"]
    url = f"{PROGRAMMINGS}/{pk}"
    assert (created["year"], created["state"], created["contract"]) == (2022, "draft", contract.pk)
    assert (created["base_amount"], created["complement_amount"], created["total"]) == (
        "150000.00",
        "60000.00",
        "210000.00",
    )
    assert "ctai.programming.actions" in {f["rule_id"] for f in created["findings"]}
    listed = agent.get_json(f"{CTAI}/{contract.pk}/programmings/")
    assert [row["id"] for row in listed["results"]] == [pk]

    housing = ok(agent.post_json(f"{url}/actions/", housing_action()), 201)
    assert (housing["domains"], housing["review"], housing["state_amount"]) == (["logement"], "pending", "150000.00")
    assert (housing["part"], housing["priority"]) == ("base", "logement")  # F11: the socle by default; F13
    body = refused(agent.post_json(f"{url}/actions/", language_action(part="socle")))
    assert body["errors"] == {"part": ["« socle » n'est pas un choix valide : base, complement."]}
    body = refused(agent.post_json(f"{url}/actions/", language_action(priority="inconnue")))
    assert "priority" in body["errors"]
    body = refused(agent.post_json(f"{url}/actions/", language_action(siret="123")))
    assert "siret" in body["errors"]
    language = ok(agent.post_json(f"{url}/actions/", language_action()), 201)

    # The complement is capped: 150 000 * 30 / 90 = 50 000 €.
    detail = agent.get_json(f"{url}/")
    assert detail["funding"] == {
        "planned_bpi": 90,
        "planned_newcomers": 30,
        "complement_rule": "proportional",
        "complement_cap": "150000.00",
        "base_min": "150000.00",
        "base_max": "300000.00",
        "max_complement": "50000.00",
        "base": "150000.00",
        "complement": "60000.00",
        "total": "210000.00",
        "on_base": "150000.00",
        "on_complement": "60000.00",
    }
    assert [a["id"] for a in detail["actions"]] == [housing["id"], language["id"]]
    body = refused(act(agent, url, "present"))
    assert body["rule_ids"] == ["ctai.complement.cap"]
    assert "ne peuvent pas dépasser 50\u202f000,00\xa0€" in body["detail"]

    body = refused(patch(agent, f"{url}/", {"complement_amount": "1e9"}))
    assert body["errors"]["complement_amount"] == ["Indiquez un montant en euros, par exemple 40 000 ou 12 345,67."]
    body = refused(patch(agent, f"{url}/", {"complement_amount": "12,345.67"}))
    assert "ambigu" in body["errors"]["complement_amount"][0]
    ok(patch(agent, f"{url}/", {"complement_amount": "50 000,00"}))
    body = refused(act(agent, url, "present"))
    assert body["rule_ids"] == ["ctai.complement.total"]  # F11: the complement's actions make the complement
    ok(patch(agent, f"{url}/actions/{language['id']}/", {"state_amount": "50000"}))
    presented = ok(act(agent, url, "present", reason="Programmation 2022."))
    assert presented["state"] == "presented"
    assert presented["findings"] == []
    assert refused(patch(agent, f"{url}/", {"base_amount": "160000"}))["code"] == "not_editable"
    assert refused(act(agent, url, "present"), 409)["code"] == "transition_unavailable"

    # F22: the Diair checks each action, then approves.
    assert [t["name"] for t in diair.get_json(f"{url}/transitions/")] == ["request_changes", "approve"]
    assert refused(act(diair, url, "approve"))["code"] == "actions_pending"
    assert refused(agent.post_json(f"{url}/actions/{housing['id']}/review/", {"decision": "accepted"}), 403)
    body = refused(diair.post_json(f"{url}/actions/{language['id']}/review/", {"decision": "sent_back"}))
    assert body["code"] == "reason_required"
    for action_id in (housing["id"], language["id"]):
        reviewed = ok(diair.post_json(f"{url}/actions/{action_id}/review/", {"decision": "accepted"}))
        assert reviewed["review"] == "accepted"
    assert ok(act(diair, url, "approve"))["state"] == "approved"

    # F41: committed by the préfet, once Isère has credits on both lines.
    assert [t["name"] for t in prefect.get_json(f"{url}/transitions/")] == ["commit"]
    body = refused(act(prefect, url, "commit"))
    assert body["code"] == "finance_no_envelope"
    assert Programming.objects.get(pk=pk).state == ProgrammingState.APPROVED
    assert ministry.user is not None
    campaign = Campaign.objects.get(year=2022)
    isere_envelope(campaign, BudgetLineCode.REFUGEES, "400000", actor=ministry.user)
    isere_envelope(campaign, BudgetLineCode.NEWCOMERS, "100000", actor=ministry.user)
    committed = ok(act(prefect, url, "commit"))
    assert committed["state"] == "committed"
    assert committed["base_commitment"] is not None and committed["complement_commitment"] is not None
    assert refused(act(prefect, url, "commit"), 409)["code"] == "transition_unavailable"
    assert isere_balance(ministry, BudgetLineCode.REFUGEES)["committed"] == "150000.00"
    assert isere_balance(ministry, BudgetLineCode.NEWCOMERS)["committed"] == "50000.00"
    # The advance (50 %) paid at the commitment, as a PTAI's.
    assert committed["money"] == [
        {"line": "104-15", "committed": "150000.00", "paid": "75000.00", "to_pay": "75000.00", "spent": None},
        {"line": "104-12", "committed": "50000.00", "paid": "25000.00", "to_pay": "25000.00", "spent": None},
    ]
    assert [t["name"] for t in prefect.get_json(f"{url}/transitions/")] == ["cancel_commitment", "close"]

    # The year's report: the balance paid up to what was spent, the rest released.
    accept_programming_reports(Programming.objects.get(pk=pk))
    body = refused(act(prefect, url, "close", report_received_on="2023-03-15", final_base_amount="160000"))
    assert body["code"] == "finance_amount_above_committed"
    closed = ok(act(prefect, url, "close", report_received_on="2023-03-15", final_base_amount="140000"))
    assert (closed["state"], closed["report_received_on"], closed["final_base_amount"]) == (
        "closed",
        "2023-03-15",
        "140000.00",
    )
    assert closed["money"] == [
        {"line": "104-15", "committed": "140000.00", "paid": "140000.00", "to_pay": "0.00", "spent": "140000.00"},
        {"line": "104-12", "committed": "50000.00", "paid": "50000.00", "to_pay": "0.00", "spent": "50000.00"},
    ]
    assert isere_balance(ministry, BudgetLineCode.REFUGEES)["committed"] == "140000.00"
    assert list(ProgrammingTransition.objects.filter(programming_id=pk).values_list("transition", flat=True)) == [
        "present",
        "approve",
        "commit",
        "close",
    ]

    # The contract shows its year.
    assert agent.get_json(f"{CTAI}/{contract.pk}/")["programmings"] == [
        {
            "id": pk,
            "year": 2022,
            "state": "closed",
            "state_label": "Soldée",
            "base_amount": "150000.00",
            "complement_amount": "50000.00",
            "total": "200000.00",
        }
    ]


def test_f22_an_action_outside_the_programme_public_is_sent_back_then_removed() -> None:
    """F22: the Diair checks the public; an action for asylum seekers cannot be accepted."""
    contract = signed_contract()
    programming = Programming.objects.create(
        contract=contract,
        campaign=Campaign.objects.get(year=2022),
        state=ProgrammingState.PRESENTED,
        base_amount=Decimal("150000"),
    )
    action = Action.objects.create(
        programming=programming,
        title="Hébergement des demandeurs d'asile",
        public="asylum_seekers",
        budget=Decimal("1"),
    )
    action.domains.set([Domain.objects.get(code="logement")])
    diair, agent = client("diair"), client("agent_lead")
    url = f"{PROGRAMMINGS}/{programming.pk}/actions/{action.pk}"
    body = refused(diair.post_json(f"{url}/review/", {"decision": "accepted"}))
    assert (body["code"], body["rule_ids"]) == ("public_outside", ["ctai.action.public"])
    sent_back = ok(diair.post_json(f"{url}/review/", {"decision": "sent_back", "reason": "Hors programme."}))
    assert (sent_back["review"], sent_back["review_reason"]) == ("sent_back", "Hors programme.")
    assert refused(diair.post_json(f"{url}/review/", {"decision": "pending"}))["errors"].keys() == {"decision"}
    assert ok(act(diair, f"{PROGRAMMINGS}/{programming.pk}", "request_changes", reason="Retirez-la."))["state"] == (
        "changes_requested"
    )
    assert agent.delete(f"{url}/").status_code == 204
    assert not Action.objects.filter(pk=action.pk).exists()
    assert agent.get_json(f"{PROGRAMMINGS}/{programming.pk}/")["actions"] == []
    assert agent.delete(f"{url}/").status_code == 404


# --- Calls for projects -------------------------------------------------------------------------


def make_call(contract: Contract, state: str = CallState.PUBLISHED, days: int = 30, **fields: Any) -> Call:
    call = Call.objects.create(
        contract=contract,
        authority=contract.authority,
        campaign=Campaign.objects.get(year=2022),
        title=fields.pop("title", "Appel à projets 2022"),
        text="Actions d'accès au logement et de formation linguistique.",
        deadline=timezone.localdate() + timedelta(days=days),
        budget=Decimal("80000"),
        state=state,
        published_at=timezone.now() if state != CallState.DRAFT else None,
        created_by=make_persona("agent_lead"),
        **fields,
    )
    call.domains.set(Domain.objects.filter(code__in=["logement", "formation-linguistique"]))
    return call


def test_f22_calls_published_for_everyone_drafts_for_their_collectivite() -> None:
    """F22: a call for projects is read by every authenticated caller once published; its draft by
    the collectivité's agents only."""
    contract = signed_contract()
    published = make_call(contract)
    draft = make_call(contract, CallState.DRAFT, title="Brouillon")
    past = make_call(contract, days=-1, title="Échu")

    operator = client("operator")
    assert [row["id"] for row in operator.get_json(f"{CALLS}/")["results"]] == [published.pk]
    assert operator.get_json(f"{CALLS}/{draft.pk}/", 404)["detail"] == "Introuvable."
    agent_other = client("agent_other")
    assert [row["id"] for row in agent_other.get_json(f"{CALLS}/")["results"]] == [published.pk]

    agent = client("agent_lead")
    assert {row["id"] for row in agent.get_json(f"{CALLS}/")["results"]} == {published.pk, draft.pk, past.pk}
    assert [row["id"] for row in agent.get_json(f"{CALLS}/", open="true")["results"]] == [published.pk]
    assert {row["id"] for row in agent.get_json(f"{CALLS}/", open="false")["results"]} == {draft.pk, past.pk}

    detail = operator.get_json(f"{CALLS}/{published.pk}/")
    assert detail == {
        "id": published.pk,
        "title": "Appel à projets 2022",
        "state": "published",
        "state_label": "Publié",
        "year": 2022,
        "authority": {"code": "200040715", "name": grenoble_metropole().name},
        "contract": contract.pk,
        "domains": detail["domains"],
        "deadline": published.deadline.isoformat(),
        "budget": "80000.00",
        "is_open": True,
        "published_at": detail["published_at"],
        "created_at": detail["created_at"],
        "text": "Actions d'accès au logement et de formation linguistique.",
    }
    assert sorted(detail["domains"]) == ["formation-linguistique", "logement"]
    assert "text" not in operator.get_json(f"{CALLS}/")["results"][0]
    assert operator.post_json(f"{CALLS}/", {}).status_code == 405


def test_f22_the_collectivite_publishes_then_closes_its_call_through_the_api() -> None:
    """F22: the agent of the collectivité publishes its draft call (checked as on the page), then
    closes it; another collectivité's agent may not; a second click is a 409."""
    contract = signed_contract()
    draft = make_call(contract, CallState.DRAFT, title="Brouillon")
    agent, other = client("agent_lead"), client("agent_other")
    assert [t["name"] for t in agent.get_json(f"{CALLS}/{draft.pk}/transitions/")] == ["publish"]
    assert other.post_json(f"{CALLS}/{draft.pk}/transitions/publish/").status_code == 404  # a draft: not visible
    published = agent.post_json(f"{CALLS}/{draft.pk}/transitions/publish/")
    assert published.status_code == 200, published.content
    assert (published.json()["state"], published.json()["is_open"]) == ("published", True)
    assert agent.post_json(f"{CALLS}/{draft.pk}/transitions/publish/").status_code == 409
    assert other.get_json(f"{CALLS}/{draft.pk}/transitions/") == []  # published: seen, not managed
    assert other.post_json(f"{CALLS}/{draft.pk}/transitions/close/").status_code == 409
    closed = agent.post_json(f"{CALLS}/{draft.pk}/transitions/close/")
    assert closed.json()["state"] == "closed"
    late = make_call(contract, CallState.DRAFT, days=-1, title="Échu")
    body = agent.post_json(f"{CALLS}/{late.pk}/transitions/publish/")
    assert body.status_code == 400 and body.json()["rule_ids"] == ["ctai.call.deadline"]


# --- Query budgets ------------------------------------------------------------------------------

# Each budget is the number measured. Every call starts with 4: savepoint + release, the token with
# its user, the user's memberships (the scope).
# + count, page (campaign, collectivité, département joined), programmings (prefetched).
LIST_BUDGET = 7
# + the contract (diagnosis joined), programmings, derogations (findings), the campaign's rules (3).
DETAIL_BUDGET = 10
# + the programming, the campaign's rules (3, prefetched once for funding and findings), actions, domains.
PROGRAMMING_BUDGET = 10

ROWS = [pytest.param(10, id="10 rows"), pytest.param(1000, id="1000 rows")]


def add_contracts(count: int) -> list[Contract]:
    """`count` contracts of Grenoble-Alpes-Métropole at `contact`, each with a 2022 programming."""
    template = make_contract()
    fields = {
        "campaign_id": template.campaign_id,
        "authority_id": template.authority_id,
        "department_id": template.department_id,
    }
    contracts = [
        template,
        *Contract.objects.bulk_create([Contract(title=f"CTAI {n}", **fields) for n in range(count - 1)]),
    ]
    campaign = Campaign.objects.get(year=2022)
    Programming.objects.bulk_create([Programming(contract=c, campaign=campaign) for c in contracts])
    return contracts


@pytest.mark.parametrize("rows", ROWS)
def test_list_query_budget_is_flat(rows: int, django_assert_max_num_queries: Any) -> None:
    add_contracts(rows)
    instructor = client("instructor_isere")
    instructor.get_json(f"{CTAI}/")
    counter: DjangoAssertNumQueries = django_assert_max_num_queries
    with counter(LIST_BUDGET):
        body = instructor.get_json(f"{CTAI}/")
    assert body["count"] == rows
    assert len(body["results"]) == min(rows, 50)
    assert all(len(row["programmings"]) == 1 for row in body["results"])


@pytest.mark.parametrize("rows", ROWS)
def test_detail_query_budget_is_flat(rows: int, django_assert_max_num_queries: Any) -> None:
    contract = add_contracts(rows)[-1]
    instructor = client("instructor_isere")
    instructor.get_json(f"{CTAI}/{contract.pk}/")
    counter: DjangoAssertNumQueries = django_assert_max_num_queries
    with counter(DETAIL_BUDGET):
        body = instructor.get_json(f"{CTAI}/{contract.pk}/")
    assert body["id"] == contract.pk


@pytest.mark.parametrize("actions", [pytest.param(1, id="1 action"), pytest.param(40, id="40 actions")])
def test_programming_detail_query_budget_is_flat(actions: int, django_assert_max_num_queries: Any) -> None:
    programming = Programming.objects.create(contract=signed_contract(), campaign=Campaign.objects.get(year=2022))
    created = Action.objects.bulk_create(
        Action(programming=programming, title=f"Action {n}", planned_bpi=1, planned_newcomers=1) for n in range(actions)
    )
    domains = list(Domain.objects.filter(code__in=["logement", "emploi"]))
    through = Action.domains.through
    through.objects.bulk_create(through(action_id=a.pk, domain_id=d.pk) for a in created for d in domains)
    instructor = client("instructor_isere")
    instructor.get_json(f"{PROGRAMMINGS}/{programming.pk}/")
    counter: DjangoAssertNumQueries = django_assert_max_num_queries
    with counter(PROGRAMMING_BUDGET):
        body = instructor.get_json(f"{PROGRAMMINGS}/{programming.pk}/")
    assert len(body["actions"]) == actions
    assert body["funding"]["planned_bpi"] == actions
    assert isere().code == body["departement"]
