"""The pages of a CTAI's yearly programming, as each actor uses them (F11, F13, F14, F15, F20, F22, F24,
F41, F43).

Grenoble-Alpes-Métropole's agent opens the 2022 programming of its signed contract, adds actions (each
on the socle or the complement, each with its priority of the national strategy), presents it; the
Diair examines each action and approves; the préfet of Isère commits the credits and pays the advance,
then records the year's report and pays the balance. A page never shows a rule id.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from contracts.enums import ActionReview, ProgrammingState
from contracts.models import Action, ActionPublic, Programming
from contracts.programming import add_action, create_programming, update_action
from programme.models import Domain
from tests.contracts.conftest import campaign, make_persona
from tests.contracts.test_programming import credits_for_isere, housing, language, signed_contract, walk
from tests.reporting.factories import accept_programming_reports
from tests.web.html import parse
from tests.web.html import text_of as text_of_html
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db

ROWS = [pytest.param(10, id="10 actions"), pytest.param(1000, id="1000 actions")]


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    names = ("agent_own", "agent_other", "prefect_own", "prefect_other", "instructor", "diair", "ministry")
    return {name: make_persona(name) for name in names}


def text_of(response: Any) -> str:
    return text_of_html(response.content.decode())


def as_(user: Any) -> PersonaClient:
    return PersonaClient(user)


@pytest.fixture
def programming(people: dict[str, Any]) -> Programming:
    contract = signed_contract()
    programming = create_programming(
        user=people["agent_own"],
        contract=contract,
        campaign=campaign(2022),
        base_amount="150000",
        complement_amount="50000",
    )
    add_action(user=people["agent_own"], programming=programming, **housing())
    add_action(user=people["agent_own"], programming=programming, **language())
    return programming


def page(client: PersonaClient, programming: Programming) -> Any:
    return client.get(reverse("web:programming_detail", args=[programming.pk]))


def test_the_agent_opens_the_year_from_the_contract_page(people):
    contract = signed_contract()
    agent = as_(people["agent_own"])
    contract_page = agent.get(reverse("web:contract_detail", args=[contract.pk]))
    assert "Ouvrir la programmation de cette année" in contract_page.content.decode()
    response = agent.post(reverse("web:programming_create", args=[contract.pk]), {"year": "2022"}, follow=True)
    programming = Programming.objects.get(contract=contract)
    assert response.redirect_chain[-1][0] == reverse("web:programming_detail", args=[programming.pk])
    body = text_of(response)
    assert "Programmation 2022" in body
    assert "Ajouter une action" in body
    assert "Ajoutez au moins une action." in body  # the "Ce qu'il manque" panel


def test_the_page_shows_the_funding_computation(people, programming):
    """F15, F43: socle * other newcomers ÷ BPI, capped: 150 000 * 30 ÷ 90 = 50 000 €; F11: the socle's
    actions against the socle, the complement's against the complement; F20: the contract's coordinator."""
    body = text_of(page(as_(people["agent_own"]), programming)).replace("\u202f", " ").replace("\xa0", " ")
    assert "150 000 € \u00d7 30 ÷ 90" in body
    assert "50 000,00 €" in body
    assert "Rien ne manque" in body
    assert "150 000,00 € pour un socle de 150 000,00 € égal au socle" in body
    assert "50 000,00 € pour un complément de 50 000,00 € égal au complément" in body
    assert "Coordinateur du contrat : Camille Martin" in body
    assert "Garantir l'accès au logement" in body and "Porté par le socle (programme 104, action 15)" in body


def test_f11_the_page_shows_a_part_that_does_not_add_up(people, programming):
    """F11: an action moved from the complement to the socle: both sums are wrong, said in French."""
    language_action = programming.actions.get(title__startswith="Ateliers")
    update_action(user=people["agent_own"], action=language_action, part="base")
    body = text_of(page(as_(people["agent_own"]), programming)).replace("\u202f", " ").replace("\xa0", " ")
    assert "200 000,00 € pour un socle de 150 000,00 € différent du socle" in body
    assert "0,00 € pour un complément de 50 000,00 € différent du complément" in body
    assert "portée par le socle, qui finance les actions en faveur des BPI" in body
    assert "ctai.base.bpi" not in body and "ctai.base.total" not in body


def test_an_action_with_a_bad_siret_gets_the_french_error_beside_the_field(people, programming):
    agent = as_(people["agent_own"])
    response = agent.post(
        reverse("web:action_create", args=[programming.pk]),
        {
            "title": "Cours de français",
            "domains": ["formation-linguistique"],
            "public": "newcomers",
            "planned_bpi": "10",
            "planned_newcomers": "10",
            "carrier_kind": "association",
            "carrier_name": "Association X",
            "siret": "12345678901234",
            "budget": "1000",
            "state_amount": "500",
            "part": "complement",
        },
    )
    assert response.status_code == 200
    assert "siret" in response.context["form"].errors
    assert "SIRET" in text_of(response)
    assert programming.actions.count() == 2


def test_presenting_without_housing_is_refused_on_the_page(people):
    contract = signed_contract()
    agent = people["agent_own"]
    programming = create_programming(user=agent, contract=contract, campaign=campaign(2022), base_amount="150000")
    add_action(user=agent, programming=programming, **language(state_amount="150000", budget="200000"))
    url = reverse("web:programming_transition", args=[programming.pk, "present"])
    response = as_(agent).post(url, {"etat": "draft"})
    assert response.status_code == 200
    assert "doit comporter au moins une action d'accès au logement" in text_of(response)
    assert "ctai.domains.mandatory" not in text_of(response)
    programming.refresh_from_db()
    assert programming.state == ProgrammingState.DRAFT


def test_the_diair_examines_each_action_then_the_prefect_commits(people, programming):
    """F22 then F41: the whole year through the pages."""
    credits_for_isere()
    agent, diair, prefect = as_(people["agent_own"]), as_(people["diair"]), as_(people["prefect_own"])
    response = agent.post(reverse("web:programming_transition", args=[programming.pk, "present"]), {"etat": "draft"})
    assert response.status_code == 302
    body = text_of(page(diair, programming))
    assert "Enregistrer l'examen" in body
    for action in programming.actions.all():
        response = diair.post(reverse("web:action_review", args=[programming.pk, action.pk]), {"decision": "accepted"})
        assert response.status_code == 302
    assert set(programming.actions.values_list("review", flat=True)) == {ActionReview.ACCEPTED}
    diair.post(reverse("web:programming_transition", args=[programming.pk, "approve"]), {"etat": "presented"})
    programming.refresh_from_db()
    assert programming.state == ProgrammingState.APPROVED
    response = prefect.post(
        reverse("web:programming_transition", args=[programming.pk, "commit"]), {"etat": "approved"}, follow=True
    )
    programming.refresh_from_db()
    assert programming.state == ProgrammingState.COMMITTED
    assert "Crédits engagés" in text_of(response)
    assert programming.base_commitment.envelope.budget_line.code == "104-15"
    # Committed, paid (the advance, 50 %) and to pay, per line.
    body = parse(response.content.decode())
    assert lines(body, "credits-104-15") == [
        "Socle (104-15)",
        "150 000,00 €",
        "75 000,00 €",
        "75 000,00 €",
        "bilan attendu",
    ]
    assert lines(body, "credits-104-12") == [
        "Complément (104-12)",
        "50 000,00 €",
        "25 000,00 €",
        "25 000,00 €",
        "bilan attendu",
    ]

    # The year's report: the balance paid up to what was spent, the rest released.
    accept_programming_reports(programming)
    response = prefect.post(
        reverse("web:programming_transition", args=[programming.pk, "close"]),
        {"etat": "committed", "report_received_on": "2023-03-15", "final_base_amount": "140000"},
        follow=True,
    )
    programming.refresh_from_db()
    assert programming.state == ProgrammingState.CLOSED
    body = parse(response.content.decode())
    assert lines(body, "credits-104-15") == ["Socle (104-15)", "140 000,00 €", "140 000,00 €", "0,00 €", "140 000,00 €"]
    assert lines(body, "credits-104-12") == [
        "Complément (104-12)",
        "50 000,00 €",
        "50 000,00 €",
        "0,00 €",
        "50 000,00 €",
    ]
    assert "Soldée" in body.text() and "reçu le 15/03/2023" in body.text()


def test_the_diair_cannot_accept_an_action_outside_the_programme_on_the_page(people, programming):
    outside = add_action(
        user=people["agent_own"],
        programming=programming,
        **language(title="Demandeurs d'asile", public=ActionPublic.ASYLUM_SEEKERS, state_amount="0"),
    )
    walk(programming, people, "present")
    diair = as_(people["diair"])
    response = diair.post(
        reverse("web:action_review", args=[programming.pk, outside.pk]), {"decision": "accepted"}, follow=True
    )
    assert "hors du programme" in text_of(response)
    outside.refresh_from_db()
    assert outside.review == ActionReview.PENDING


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("agent_own", 200),
        ("prefect_own", 200),
        ("instructor", 200),
        ("diair", 200),
        ("ministry", 200),
        ("agent_other", 404),
        ("prefect_other", 404),
    ],
)
def test_who_sees_the_programming(people, programming, name, status):
    """An agent of Lyon, a préfet of Rhône cannot see a programming of Grenoble (Isère)."""
    assert page(as_(people[name]), programming).status_code == status


@pytest.mark.parametrize("name", ["prefect_own", "instructor", "diair", "ministry", "agent_other"])
def test_only_the_agent_edits_the_programming(people, programming, name):
    client = as_(people[name])
    assert client.get(reverse("web:action_create", args=[programming.pk])).status_code == 404
    assert client.get(reverse("web:programming_amounts", args=[programming.pk])).status_code == 404
    action = programming.actions.first()
    assert client.post(reverse("web:action_remove", args=[programming.pk, action.pk])).status_code == 404
    assert programming.actions.count() == 2


def test_a_stale_transition_page_says_the_programming_moved(people, programming):
    agent = as_(people["agent_own"])
    url = reverse("web:programming_transition", args=[programming.pk, "present"])
    agent.post(url, {"etat": "draft"})
    response = agent.post(url, {"etat": "draft"}, follow=True)
    assert "Cette programmation a déjà changé d'état" in text_of(response)
    assert programming.transitions.count() == 1


def lines(body: Any, row_id: str) -> list[str]:
    row = body.by_id(row_id)
    assert row is not None, row_id
    return [cell.text().replace("\u202f", " ").replace("\xa0", " ") for cell in row.iter() if cell.tag in ("th", "td")]


def test_the_agent_gives_each_action_its_part_and_its_priority(people, programming):
    """F11, F13: the action form asks which part carries it and the priority it serves (optional, then
    « à préciser » and a warning)."""
    agent = as_(people["agent_own"])
    form = agent.get(reverse("web:action_create", args=[programming.pk]))
    text = text_of(form)
    assert "Part du financement de l'État qui porte l'action" in text
    assert "Favoriser les liens entre les réfugiés et la société française" in text
    response = agent.post(
        reverse("web:action_create", args=[programming.pk]),
        {
            "title": "Parrainage citoyen",
            "domains": ["lien-societe-accueil"],
            "public": "newcomers",
            "planned_bpi": "5",
            "planned_newcomers": "5",
            "carrier_kind": "authority",
            "budget": "1000",
            "state_amount": "0",
            "part": "complement",
            "priority": "liens-societe",
        },
    )
    assert response.status_code == 302
    action = programming.actions.get(title="Parrainage citoyen")
    assert (action.part, action.priority.code) == ("complement", "liens-societe")
    edit = agent.get(reverse("web:action_edit", args=[programming.pk, action.pk]))
    assert 'value="liens-societe" selected' in edit.content.decode()
    response = agent.post(
        reverse("web:action_edit", args=[programming.pk, action.pk]),
        {
            "title": "Parrainage citoyen",
            "domains": ["lien-societe-accueil"],
            "public": "newcomers",
            "planned_bpi": "5",
            "planned_newcomers": "5",
            "carrier_kind": "authority",
            "budget": "1000",
            "state_amount": "0",
            "part": "complement",
            "priority": "",
        },
    )
    assert response.status_code == 302
    body = text_of(page(agent, programming))
    assert "à préciser" in body
    assert "Action « Parrainage citoyen » : indiquez la priorité de la stratégie nationale" in body


def test_the_authorising_officer_cancels_a_commitment_on_the_page(people, programming):
    """The commitment is cancelled through the programming's workflow (reason required): back to
    « approuvée », the advance reversed."""
    credits_for_isere()
    programming = walk(programming, people, "present", "approve", "commit")
    prefect = as_(people["prefect_own"])
    url = reverse("web:programming_transition", args=[programming.pk, "cancel_commitment"])
    assert "Annuler l'engagement" in text_of(page(prefect, programming))
    refused = prefect.post(url, {"etat": "committed", "reason": ""})
    assert "Indiquez : motif de l'annulation de l'engagement." in text_of(refused)
    assert prefect.post(url, {"etat": "committed", "reason": "Erreur d'imputation."}).status_code == 302
    programming.refresh_from_db()
    assert programming.state == ProgrammingState.APPROVED and programming.base_commitment is None
    for who in ("agent_own", "diair", "instructor", "prefect_other"):
        assert (
            as_(people[who]).get(reverse("web:programming_transition", args=[programming.pk, "commit"])).status_code
            == 404
        )


def _many_actions(programming: Programming, count: int) -> None:
    domain = Domain.objects.get(code="emploi")
    actions = Action.objects.bulk_create(
        Action(
            programming=programming,
            title=f"Action {i}",
            public=ActionPublic.NEWCOMERS,
            budget=Decimal("100"),
            state_amount=Decimal("0"),
        )
        for i in range(count)
    )
    Action.domains.through.objects.bulk_create(
        Action.domains.through(action_id=a.pk, domain_id=domain.pk) for a in actions
    )


@pytest.mark.parametrize("rows", ROWS)
def test_query_budget_of_the_programming_page(people, programming, rows, django_assert_max_num_queries):
    _many_actions(programming, rows)
    agent = as_(people["agent_own"])
    assert page(agent, programming).status_code == 200
    with django_assert_max_num_queries(15):
        assert page(agent, programming).status_code == 200


@pytest.mark.parametrize("rows", ROWS)
def test_query_budget_of_a_committed_programming_page(people, programming, rows, django_assert_max_num_queries):
    """The money per line comes from one grouped query over the ledger, whatever the actions."""
    credits_for_isere()
    programming = walk(programming, people, "present", "approve", "commit")
    Programming.objects.filter(pk=programming.pk).update(state=ProgrammingState.DRAFT)  # to add actions
    _many_actions(programming, rows)
    Programming.objects.filter(pk=programming.pk).update(state=ProgrammingState.COMMITTED)
    prefect = as_(people["prefect_own"])
    assert page(prefect, programming).status_code == 200
    with django_assert_max_num_queries(16):
        assert page(prefect, programming).status_code == 200


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 programmings"), pytest.param(1000, id="1000 programmings")])
def test_query_budget_of_the_contract_page_with_programmings(people, rows, django_assert_max_num_queries):
    from programme.models import Campaign

    contract = signed_contract()
    base = Campaign.objects.get(year=2022)
    years = [2023 + i for i in range(rows)]
    campaigns = []
    for year in years:
        values = {f.name: getattr(base, f.name) for f in Campaign._meta.concrete_fields if f.name not in ("id", "year")}
        campaigns.append(Campaign(year=year, **values))
    campaigns = Campaign.objects.bulk_create(campaigns)
    Programming.objects.bulk_create(Programming(contract=contract, campaign=c) for c in campaigns)
    agent = as_(people["agent_own"])
    url = reverse("web:contract_detail", args=[contract.pk])
    assert agent.get(url).status_code == 200
    with django_assert_max_num_queries(22):  # + the reports and evaluations of its actions (steering)
        assert agent.get(url).status_code == 200


def test_the_dashboards_show_what_waits_for_each_actor(people, programming):
    """The agent sees the programming to prepare, the Diair the presented one, the préfet the approved one."""
    dashboard = reverse("web:dashboard")
    label = "Programmation 2022 — Grenoble-Alpes-Métropole"
    assert label in text_of(as_(people["agent_own"]).get(dashboard))
    assert label not in text_of(as_(people["diair"]).get(dashboard))
    walk(programming, people, "present")
    assert label in text_of(as_(people["diair"]).get(dashboard))
    assert label not in text_of(as_(people["prefect_own"]).get(dashboard))
    walk(programming, people, "approve")
    assert label in text_of(as_(people["prefect_own"]).get(dashboard))
    assert label not in text_of(as_(people["prefect_other"]).get(dashboard))


def test_the_agent_types_the_amounts_of_a_programming_and_of_an_action_the_french_way(people, programming):
    """Issue 10: « 150 000 », « 60 000 € » and « 12 345,67 » are read as a French civil servant writes
    them; « 1e9 » and « 12,345.67 » are refused with the expected format, and the page keeps the typing."""
    agent = as_(people["agent_own"])
    amounts = reverse("web:programming_amounts", args=[programming.pk])
    response = agent.post(amounts, {"base_amount": "1e9", "complement_amount": "12,345.67"})
    assert response.status_code == 200
    body = text_of(response)
    assert "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67." in body
    assert "« 12,345.67 » est ambigu" in body
    programming.refresh_from_db()
    assert (programming.base_amount, programming.complement_amount) == (Decimal("150000"), Decimal("50000"))
    assert agent.post(amounts, {"base_amount": "150 000", "complement_amount": "60\u202f000 €"}).status_code == 302
    programming.refresh_from_db()
    assert (programming.base_amount, programming.complement_amount) == (Decimal("150000"), Decimal("60000"))
    assert "150\u202f000" in agent.get(amounts).content.decode()  # shown back the French way

    response = agent.post(
        reverse("web:action_create", args=[programming.pk]),
        {
            "title": "Ateliers numériques",
            "domains": ["lien-societe-accueil"],
            "public": "newcomers",
            "planned_bpi": "1 200",
            "planned_newcomers": "40",
            "carrier_kind": "authority",
            "budget": "40 000",
            "state_amount": "12 345,67 €",
            "part": "complement",
        },
    )
    assert response.status_code == 302
    action = programming.actions.get(title="Ateliers numériques")
    assert (action.budget, action.state_amount, action.planned_bpi) == (Decimal("40000"), Decimal("12345.67"), 1200)
