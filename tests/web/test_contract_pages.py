"""CTAI pages (issue 5): who sees what (persona x page x own / other scope: 404 outside), the life of
a contract through the pages by the right actors (F10-F24), a late letter refused then accepted after
a recorded derogation (F18), the coordinator the collectivité MAY name (F20), the widening of a CTAIR
from the collectivité's declaration (F16), and query budgets with 10 and 1 000 contracts. A page
never shows a rule id: the refusals and « Ce qu'il manque » are in French only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from contracts.enums import ContractKind, ContractState
from contracts.models import Contract
from programme.models import Campaign
from tests.contracts.conftest import DIAGNOSIS, SIGN_DATA, make_contract, make_ctair
from tests.factories import grenoble_metropole, metropole_de_lyon
from tests.web.html import field_errors, parse, text_of
from tests.web.personas import persona

pytestmark = pytest.mark.django_db
S = ContractState

SEES_ISERE = ("agent_grenoble", "instructor_isere", "prefect_isere", "diair", "ministry", "admin")
NOT_ISERE = ("agent_lyon", "instructor_rhone", "prefect_rhone")
NO_CTAI = ("operator_user", "no_role_user")
CREATORS = ("agent_grenoble", "agent_lyon", "prefect_isere", "prefect_rhone", "diair")
LIST_BUDGET = 12
DETAIL_BUDGET = 23  # + the reports of its actions, those still owed, its evaluations (steering)


@pytest.fixture
def isere_contract(db: None) -> Contract:
    return make_contract(S.CONTACT, title="CTAI de Grenoble-Alpes-Métropole")


@pytest.fixture
def lyon_contract(db: None) -> Contract:
    return make_contract(S.CONTACT, authority=metropole_de_lyon(), title="CTAI de la Métropole de Lyon")


# --- The permission matrix ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [*SEES_ISERE, *NOT_ISERE, *NO_CTAI, "anonymous"])
def test_list_is_scoped(request: pytest.FixtureRequest, name: str, isere_contract: Contract) -> None:
    response = persona(request, name).get(reverse("web:contract_list"))
    if name == "anonymous":
        assert response.status_code == 302 and "/connexion/" in response.url
        return
    if name in NO_CTAI:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert ("CTAI de Grenoble-Alpes-Métropole" in response.text) == (name in SEES_ISERE)


@pytest.mark.parametrize("name", [*SEES_ISERE, *NOT_ISERE, *NO_CTAI])
def test_file_page_404_outside_the_scope(request: pytest.FixtureRequest, name: str, isere_contract: Contract) -> None:
    status = persona(request, name).get(reverse("web:contract_detail", args=[isere_contract.pk])).status_code
    assert status == (200 if name in SEES_ISERE else 404)


ACTORS = {  # (state, transition) -> the one persona of the web fixtures who may apply it on Isère
    (S.CONTACT, "record_letter"): ("agent_grenoble",),
    (S.LETTER_RECEIVED, "start_diagnosis"): ("prefect_isere", "diair"),
    (S.DIAGNOSIS, "complete_diagnosis"): ("prefect_isere", "diair"),
    (S.DRAFTING, "sign"): ("prefect_isere",),
    (S.SIGNED, "end"): ("prefect_isere",),
    (S.DRAFTING, "abandon"): ("agent_grenoble", "prefect_isere"),
}


@pytest.mark.parametrize(("state", "name"), list(ACTORS))
@pytest.mark.parametrize("who", [*SEES_ISERE, *NOT_ISERE, *NO_CTAI])
def test_action_pages_only_for_the_right_actor_in_scope(
    request: pytest.FixtureRequest, who: str, state: str, name: str
) -> None:
    contract = make_contract(state)
    client = persona(request, who)
    url = reverse("web:contract_transition", args=[contract.pk, name])
    expected = 200 if who in ACTORS[(state, name)] else 404
    assert client.get(url).status_code == expected
    if expected == 404:
        assert client.post(url, {"etat": state, "reason": "x"}).status_code == 404
        contract.refresh_from_db()
        assert contract.state == state


@pytest.mark.parametrize("who", [*SEES_ISERE, *NOT_ISERE, *NO_CTAI])
def test_new_contract_page_and_scope_of_the_collectivite(request: pytest.FixtureRequest, who: str) -> None:
    client = persona(request, who)
    url = reverse("web:contract_create")
    if who not in CREATORS:
        assert client.get(url).status_code == 404
        return
    assert client.get(url).status_code == 200
    grenoble = grenoble_metropole()
    campaign = Campaign.objects.get(year=2021)
    data = {"kind": ContractKind.CTAI, "title": "Nouveau CTAI", "campaign": campaign.pk}
    if who.startswith("agent"):
        data["authority"] = grenoble.pk
    else:
        data.update({"authority": grenoble.name, "authority_id": grenoble.pk})
    response = client.post(url, data)
    created = Contract.objects.filter(title="Nouveau CTAI").first()
    if who in ("agent_grenoble", "prefect_isere", "diair"):
        assert created is not None and created.authority == grenoble and created.state == S.CONTACT
        assert response.status_code == 302
    else:  # another collectivité's agent or préfet: Grenoble is not among their choices
        assert created is None
        assert response.status_code == 200


def test_diagnosis_page_only_at_diagnosis_for_the_contributors(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.DIAGNOSIS)
    url = reverse("web:contract_diagnosis", args=[contract.pk])
    for who in ("agent_grenoble", "prefect_isere", "diair"):
        assert persona(request, who).get(url).status_code == 200
    for who in ("agent_lyon", "prefect_rhone", "instructor_isere", "ministry", "operator_user"):
        assert persona(request, who).get(url).status_code == 404
    drafting = make_contract(S.CONTACT, authority=metropole_de_lyon())
    assert persona(request, "diair").get(reverse("web:contract_diagnosis", args=[drafting.pk])).status_code == 404


# --- The life of a contract through the pages (F10-F24) --------------------------------------


def _act(client: Any, contract: Contract, name: str, data: dict[str, Any] | None = None) -> Any:
    contract.refresh_from_db()
    url = reverse("web:contract_transition", args=[contract.pk, name])
    return client.post(url, {"etat": contract.state, **(data or {})})


def test_life_contact_letter_diagnosis_drafting_signed_ended(request: pytest.FixtureRequest) -> None:
    agent = persona(request, "agent_grenoble")
    prefect = persona(request, "prefect_isere")
    diair = persona(request, "diair")
    campaign = Campaign.objects.get(year=2021)
    response = agent.post(
        reverse("web:contract_create"),
        {"authority": grenoble_metropole().pk, "kind": "ctai", "title": "CTAI Grenoble 2022", "campaign": campaign.pk},
    )
    contract = Contract.objects.get(title="CTAI Grenoble 2022")
    assert response.url == reverse("web:contract_detail", args=[contract.pk])
    page = text_of(agent.get(response.url).text)
    assert "Enregistrer la lettre d'engagement" in page

    assert _act(agent, contract, "record_letter", {"letter_date": "2021-10-01"}).status_code == 302
    contract.refresh_from_db()
    assert contract.state == S.LETTER_RECEIVED and contract.signature_year == 2022

    assert _act(diair, contract, "start_diagnosis").status_code == 302
    # An incomplete diagnostic is refused in French with its rule id.
    refused = _act(prefect, contract, "complete_diagnosis")
    assert refused.status_code == 200
    assert "Complétez le diagnostic" in text_of(refused.text)
    assert "ctai.diagnosis.required" not in text_of(refused.text)  # never a rule id on a page
    needs = {f"besoin_{code}": text for code, text in DIAGNOSIS["needs_by_domain"].items()}
    saved = agent.post(
        reverse("web:contract_diagnosis", args=[contract.pk]),
        {
            "bpi_count": DIAGNOSIS["bpi_count"],
            "other_newcomers_count": DIAGNOSIS["other_newcomers_count"],
            "existing_offer": DIAGNOSIS["existing_offer"],
            "gaps": DIAGNOSIS["gaps"],
            **needs,
        },
    )
    assert saved.status_code == 302
    assert _act(prefect, contract, "complete_diagnosis").status_code == 302
    contract.refresh_from_db()
    assert contract.state == S.DRAFTING

    # Missing signatories: refused with the rule ids, nothing written.
    refused = _act(
        prefect, contract, "sign", {"signed_on": "2022-03-01", "elected_official_name": "", "prefect_name": ""}
    )
    assert refused.status_code == 200
    contract.refresh_from_db()
    assert contract.state == S.DRAFTING
    assert _act(prefect, contract, "sign", SIGN_DATA).status_code == 302
    contract.refresh_from_db()
    assert contract.state == S.SIGNED and str(contract.signed_on) == "2022-03-01"
    page = text_of(agent.get(reverse("web:contract_detail", args=[contract.pk])).text)
    assert "Camille Martin" in page and "Christophe Ferrari" in page and "Laurent Prévost" in page

    assert _act(prefect, contract, "end", {"reason": "Fin de la période du contrat."}).status_code == 302
    contract.refresh_from_db()
    assert contract.state == S.ENDED
    # A second click finds the contract moved on: nothing applied twice.
    again = prefect.post(reverse("web:contract_transition", args=[contract.pk, "end"]), {"etat": S.SIGNED})
    assert again.status_code == 302
    page = text_of(agent.get(reverse("web:contract_detail", args=[contract.pk])).text)
    assert "Historique" in page and contract.transitions.count() == 5


def test_abandon_needs_a_reason(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.LETTER_RECEIVED)
    agent = persona(request, "agent_grenoble")
    response = _act(agent, contract, "abandon", {"reason": ""})
    assert response.status_code == 200 and "Indiquez : motif de l'abandon." in text_of(response.text)
    assert _act(agent, contract, "abandon", {"reason": "Changement d'équipe municipale."}).status_code == 302
    contract.refresh_from_db()
    assert contract.state == S.ABANDONED and contract.closed_reason == "Changement d'équipe municipale."


def test_f18_late_letter_refused_then_accepted_after_a_recorded_derogation(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.CONTACT)
    agent = persona(request, "agent_grenoble")
    prefect = persona(request, "prefect_isere")
    late = {"letter_date": "2022-01-15", "signature_year": 2022}
    refused = _act(agent, contract, "record_letter", late)
    assert refused.status_code == 200
    refusal = text_of(refused.text)
    assert "justifiez ce retard" in refusal and "ctai.letter.deadline" not in refusal
    assert "peut être levée par une dérogation justifiée par écrit (La lettre d'engagement arrive avant" in refusal
    contract.refresh_from_db()
    assert contract.state == S.CONTACT
    # The agent cannot record the derogation; the préfet can, with a written justification.
    derogation_url = reverse("web:contract_derogation", args=[contract.pk])
    assert agent.post(derogation_url, {"rule_id": "ctai.letter.deadline", "justification": "x"}).status_code == 404
    empty = prefect.post(derogation_url, {"rule_id": "ctai.letter.deadline", "justification": " "})
    assert empty.status_code == 200 and "Écrivez la justification" in empty.text
    done = prefect.post(
        derogation_url,
        {"rule_id": "ctai.letter.deadline", "justification": "Élections municipales : conseil installé en décembre."},
    )
    assert done.status_code == 302
    assert _act(agent, contract, "record_letter", late).status_code == 302
    contract.refresh_from_db()
    assert contract.state == S.LETTER_RECEIVED
    page = text_of(agent.get(reverse("web:contract_detail", args=[contract.pk])).text)
    assert "Élections municipales" in page


def test_ctair_widened_link_on_both_file_pages(request: pytest.FixtureRequest) -> None:
    ctair = make_contract(S.SIGNED, kind=ContractKind.CTAIR, title="CTAIR Grenoble 2019")
    ctai = make_contract(
        S.WIDENING_DECLARED,
        widens=ctair,
        title="CTAI Grenoble élargi",
        widening_declared_on=date(2021, 6, 1),
        widening_declaration="Nous élargissons le contrat aux autres primo-arrivants.",
        letter_date=None,
    )
    client = persona(request, "prefect_isere")
    page = text_of(client.get(reverse("web:contract_detail", args=[ctai.pk])).text)
    assert "CTAIR Grenoble 2019" in page
    assert "faite au préfet le 01/06/2021" in page and "Nous élargissons le contrat" in page
    assert "non requise : l'élargissement part de la déclaration d'intention" in page
    assert "CTAI Grenoble élargi" in text_of(client.get(reverse("web:contract_detail", args=[ctair.pk])).text)


# --- F20: the coordinator ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        (
            {"coordinator_name": "Camille Martin", "coordinator_role": "Cheffe de projet"},
            "Camille Martin, Cheffe de projet",
        ),
        ({"coordinator_recruiting": True}, "En cours de recrutement"),
        ({}, "Pas de coordinateur (la collectivité peut en nommer ou en recruter un : ce n'est pas obligatoire)"),
    ],
)
def test_f20_the_contract_page_says_whether_there_is_a_coordinator(
    request: pytest.FixtureRequest, fields: dict[str, Any], shown: str
) -> None:
    contract = make_contract(S.SIGNED, **fields)
    page = parse(persona(request, "ministry").get(reverse("web:contract_detail", args=[contract.pk])).text)
    coordinator = page.by_id("coordinateur")
    assert coordinator is not None and shown in coordinator.text()


def test_f20_the_collectivite_records_its_coordinator_before_and_after_the_signature(
    request: pytest.FixtureRequest,
) -> None:
    """F20: being recruited while drafting, then named once signed — a contract signs without one."""
    contract = make_contract(S.DRAFTING)
    agent, prefect = persona(request, "agent_grenoble"), persona(request, "prefect_isere")
    url = reverse("web:contract_coordinator", args=[contract.pk])
    assert "Enregistrer le coordinateur" in text_of(agent.get(reverse("web:contract_detail", args=[contract.pk])).text)
    assert agent.post(url, {"recruiting": "on"}).status_code == 302
    contract.refresh_from_db()
    assert contract.coordinator_recruiting is True
    assert (
        _act(
            prefect,
            contract,
            "sign",
            {
                "signed_on": "2022-03-01",
                "elected_official_name": "Christophe Ferrari",
                "prefect_name": "Laurent Prévost",
            },
        ).status_code
        == 302
    )
    contract.refresh_from_db()
    assert contract.state == S.SIGNED
    wrong = agent.post(url, {"name": "Camille Martin", "recruiting": "on"})
    assert wrong.status_code == 200
    assert field_errors(wrong.text, "id_recruiting") == ["Un coordinateur nommé n'est pas en cours de recrutement."]
    assert agent.post(url, {"name": "Camille Martin", "role": "Cheffe de projet"}).status_code == 302
    contract.refresh_from_db()
    assert (contract.coordinator_name, contract.coordinator_recruiting) == ("Camille Martin", False)
    page = text_of(agent.get(reverse("web:contract_detail", args=[contract.pk])).text)
    assert "Coordinateur enregistré" in page  # the version in the history, and the timeline


@pytest.mark.parametrize(
    "who", ["agent_lyon", "prefect_rhone", "instructor_isere", "diair", "ministry", "operator_user"]
)
def test_f20_the_coordinator_page_is_for_the_collectivite_and_the_prefect_only(
    request: pytest.FixtureRequest, who: str
) -> None:
    contract = make_contract(S.SIGNED)
    client = persona(request, who)
    url = reverse("web:contract_coordinator", args=[contract.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"recruiting": "on"}).status_code == 404
    contract.refresh_from_db()
    assert contract.coordinator_recruiting is False


# --- F16: the widening of a CTAIR, through the pages ------------------------------------------------


def test_f16_the_collectivite_declares_the_widening_of_its_signed_ctair(request: pytest.FixtureRequest) -> None:
    """F16: the CTAIR's page offers the declaration; the CTAI opened from it starts at the declaration,
    its page says no letter is needed, and the préfet starts its diagnostic."""
    ctair = make_ctair()
    agent, prefect = persona(request, "agent_grenoble"), persona(request, "prefect_isere")
    detail = reverse("web:contract_detail", args=[ctair.pk])
    assert "Déclarer l'intention d'élargir le CTAIR en CTAI" in text_of(agent.get(detail).text)
    form = agent.get(reverse("web:contract_transition", args=[ctair.pk, "declare_widening"]))
    assert form.status_code == 200 and "Déclaration d'intention de la collectivité" in text_of(form.text)
    assert "Un CTAI est ouvert pour être signé à sa place" in text_of(form.text)
    assert "aucune date limite ne s'applique" in text_of(form.text)
    refused = _act(agent, ctair, "declare_widening", {"reason": ""})
    assert "Indiquez : déclaration d'intention de la collectivité." in text_of(refused.text)
    done = _act(agent, ctair, "declare_widening", {"reason": "Nous ouvrons nos actions.", "declared_on": "2021-06-01"})
    assert done.status_code == 302
    ctai = Contract.objects.get(widens=ctair)
    page = text_of(agent.get(reverse("web:contract_detail", args=[ctai.pk])).text)
    assert "Intention d'élargissement déclarée" in page and "faite au préfet le 01/06/2021" in page
    assert "Enregistrer la lettre d'engagement" not in page
    assert "Élargissement en cours" in text_of(agent.get(detail).text)
    assert _act(prefect, ctai, "start_diagnosis").status_code == 302
    ctai.refresh_from_db()
    assert ctai.state == S.DIAGNOSIS


def test_f16_the_prefect_records_the_declaration_of_a_ctair_in_negotiation(request: pytest.FixtureRequest) -> None:
    """F16: a CTAIR at `drafting` is carried on as the CTAI; its page says so and keeps its letter."""
    ctair = make_ctair(S.DRAFTING)
    prefect = persona(request, "prefect_isere")
    done = _act(prefect, ctair, "declare_widening", {"reason": "La collectivité nous a écrit le 2 juin."})
    assert done.status_code == 302
    ctair.refresh_from_db()
    assert (ctair.kind, ctair.state) == (ContractKind.CTAI, S.DRAFTING)
    page = text_of(prefect.get(reverse("web:contract_detail", args=[ctair.pk])).text)
    assert "CTAIR en cours de négociation élargi aux autres primo-arrivants" in page
    assert "du 01/10/2021, signature visée en 2022" in page  # its letter kept
    assert "CTAIR élargi en CTAI (déclaration d'intention)" in page  # the version in the history


@pytest.mark.parametrize("who", ["agent_lyon", "prefect_rhone", "instructor_isere", "diair", "ministry"])
def test_f16_only_the_collectivite_or_its_prefect_declares(request: pytest.FixtureRequest, who: str) -> None:
    ctair = make_ctair()
    client = persona(request, who)
    url = reverse("web:contract_transition", args=[ctair.pk, "declare_widening"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"etat": "signed", "reason": "x"}).status_code == 404
    assert not Contract.objects.filter(widens=ctair).exists()


def test_list_filters(request: pytest.FixtureRequest, isere_contract: Contract, lyon_contract: Contract) -> None:
    client = persona(request, "ministry")
    url = reverse("web:contract_list")
    text = client.get(url).text
    assert "2 contrats" in text
    rhone = lyon_contract.department
    text = client.get(url, {"departement": rhone.pk}).text
    assert "CTAI de la Métropole de Lyon" in text and "CTAI de Grenoble-Alpes-Métropole" not in text
    text = client.get(url, {"etat": S.SIGNED}).text
    assert "Aucun contrat." in text
    text = client.get(url, {"type": ContractKind.CTAIR}).text
    assert "Aucun contrat." in text


def test_nav_shows_contracts_for_agents_and_state_roles(request: pytest.FixtureRequest) -> None:
    for who in ("agent_grenoble", "prefect_isere", "diair", "ministry", "instructor_isere"):
        assert "Contrats (CTAI)" in persona(request, who).get(reverse("web:dashboard")).text
    assert "Contrats (CTAI)" not in persona(request, "operator_user").get(reverse("web:dashboard")).text


# --- Query budgets ----------------------------------------------------------------------------


def bulk_contracts(rows: int) -> None:
    campaign = Campaign.objects.get(year=2021)
    grenoble = grenoble_metropole()
    model = make_contract(S.CONTACT)
    Contract.objects.bulk_create(
        Contract(
            kind=ContractKind.CTAI,
            campaign=campaign,
            authority=grenoble,
            department_id=model.department_id,
            title=f"CTAI n° {n}",
            state=S.ABANDONED if n % 2 else S.CONTACT,
        )
        for n in range(rows - 1)
    )


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 contracts"), pytest.param(1000, id="1000 contracts")])
@pytest.mark.parametrize("name", ["agent_grenoble", "prefect_isere", "ministry"])
def test_list_query_budget(
    request: pytest.FixtureRequest, name: str, rows: int, django_assert_max_num_queries: Any
) -> None:
    client = persona(request, name)
    bulk_contracts(rows)
    url = reverse("web:contract_list")
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(LIST_BUDGET):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(LIST_BUDGET):
        assert client.get(url, {"etat": S.CONTACT, "page": 2}).status_code == 200


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 contracts"), pytest.param(1000, id="1000 contracts")])
@pytest.mark.parametrize("name", ["agent_grenoble", "prefect_isere", "ministry"])
def test_file_page_query_budget(
    request: pytest.FixtureRequest, name: str, rows: int, django_assert_max_num_queries: Any
) -> None:
    client = persona(request, name)
    bulk_contracts(rows)
    contract = make_contract(S.SIGNED, diagnosis=True, coordinator_name="Camille Martin")
    url = reverse("web:contract_detail", args=[contract.pk])
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(DETAIL_BUDGET):
        assert client.get(url).status_code == 200
