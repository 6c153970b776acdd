"""Calls for projects through the pages (F22): the public sees the open calls without logging in;
the collectivité drafts, publishes, closes, scores, selects and adds an application to its
programming; an association registers itself (SIRET checked by its key) and applies. Every page
answers 404 outside its scope, and each list and detail page holds its query budget with 10 and
1 000 rows.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership, User
from contracts.calls import apply_to_call, close_call, create_call, publish_call
from contracts.enums import ApplicationStatus, CallState, ContractState
from contracts.models import Action, ActionPublic, Call, CallApplication, Contract
from contracts.programming import create_programming
from core.formats import format_number
from programme.models import Domain
from referential.models import Operator
from tests.contracts.conftest import campaign, make_contract
from tests.factories import PASSWORD, OperatorFactory, make_user, metropole_de_lyon, rhone, with_luhn_key
from tests.web.html import field_errors, text_of
from tests.web.personas import PersonaClient, persona

pytestmark = pytest.mark.django_db

Counter = Callable[[int], AbstractContextManager[object]]
ROWS = [pytest.param(10, id="10 rows"), pytest.param(1000, id="1000 rows")]


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def contract(db: None) -> Contract:
    return make_contract(ContractState.SIGNED, effective_to=date(2024, 12, 31))


def operator_of(client: PersonaClient) -> Operator:
    assert client.user is not None
    membership = Membership.objects.get(user=client.user, role=Role.OPERATOR)
    assert membership.operator is not None
    return membership.operator


def new_call(contract: Contract, agent: User, *, publish: bool = True, **extra: Any) -> Call:
    values: dict[str, Any] = {
        "campaign": campaign(2022),
        "title": "Logement des réfugiés 2022",
        "text": "Actions d'accès au logement pour les BPI.",
        "deadline": today() + timedelta(days=20),
        "budget": Decimal("150000"),
        "domains": ["logement", "emploi"],
    }
    values.update(extra)
    call = create_call(user=agent, contract=contract, **values)
    return publish_call(user=agent, call=call) if publish else call


def agent_of(client: PersonaClient) -> User:
    assert client.user is not None
    return client.user


def apply(call: Call, client: PersonaClient, **extra: Any) -> CallApplication:
    values: dict[str, Any] = {
        "title": "Sortir des CPH",
        "description": "Accompagnement vers le logement.",
        "domains": ["logement"],
        "public": ActionPublic.BPI,
        "planned_bpi": 40,
        "budget": Decimal("80000"),
        "requested_amount": Decimal("50000"),
    }
    values.update(extra)
    return apply_to_call(user=agent_of(client), call=call, operator=operator_of(client), **values)


def past_deadline(call: Call) -> None:
    Call.objects.filter(pk=call.pk).update(deadline=today() - timedelta(days=1))
    call.refresh_from_db()


# --- The public ---------------------------------------------------------------------------------


def test_f22_anyone_sees_the_open_calls_without_logging_in(
    anonymous: PersonaClient, agent_grenoble: PersonaClient, contract: Contract
) -> None:
    agent = agent_of(agent_grenoble)
    opened = new_call(contract, agent, title="Appel ouvert au public")
    draft = new_call(contract, agent, title="Appel en préparation", publish=False)
    late = new_call(contract, agent, title="Appel dont la date est passée")
    past_deadline(late)

    page = anonymous.get(reverse("web:call_list"))
    assert page.status_code == 200
    assert "Appel ouvert au public" in page.text
    assert "Appel en préparation" not in page.text and "Appel dont la date est passée" not in page.text
    assert "Appels à projets" in page.text  # the navigation
    assert reverse("web:call_operator_register") in page.text

    assert anonymous.get(reverse("web:call_detail", args=[opened.pk])).status_code == 200
    assert anonymous.get(reverse("web:call_detail", args=[draft.pk])).status_code == 404
    assert anonymous.get(reverse("web:call_detail", args=[late.pk])).status_code == 404


def test_the_public_list_filters_by_departement_and_domain(
    anonymous: PersonaClient, agent_grenoble: PersonaClient, contract: Contract
) -> None:
    agent = agent_of(agent_grenoble)
    new_call(contract, agent, title="Appel logement", domains=["logement"])
    new_call(contract, agent, title="Appel emploi", domains=["emploi"])
    isere = contract.department
    rhone_id = rhone().pk

    def titles(**params: Any) -> str:
        return text_of(anonymous.get(reverse("web:call_list"), params).text)

    assert "Appel logement" in titles(departement=isere.pk) and "Appel emploi" in titles(departement=isere.pk)
    assert "Appel logement" not in titles(departement=rhone_id)
    only_housing = titles(domaine="logement")
    assert "Appel logement" in only_housing and "Appel emploi" not in only_housing
    assert "1 appel ouvert" in only_housing


# --- The collectivité ------------------------------------------------------------------------------


def test_the_contract_page_links_to_the_calls_for_its_agents_once_signed(
    request: pytest.FixtureRequest, contract: Contract
) -> None:
    url = reverse("web:contract_detail", args=[contract.pk])
    assert 'id="appels-a-projets"' in persona(request, "agent_grenoble").get(url).text
    for who in ("prefect_isere", "diair"):
        assert 'id="appels-a-projets"' not in persona(request, who).get(url).text
    drafting = make_contract(ContractState.DRAFTING, authority=metropole_de_lyon())
    lyon = persona(request, "agent_lyon").get(reverse("web:contract_detail", args=[drafting.pk]))
    assert 'id="appels-a-projets"' not in lyon.text


def test_f22_an_agent_drafts_and_publishes_a_call(agent_grenoble: PersonaClient, contract: Contract) -> None:
    create_url = reverse("web:call_create", args=[contract.pk])
    assert agent_grenoble.get(create_url).status_code == 200
    response = agent_grenoble.post(
        create_url,
        {
            "title": "Emploi des réfugiés",
            "text": "Parcours vers l'emploi.",
            "campaign": campaign(2022).pk,
            "domains": ["emploi"],
            "deadline": (today() + timedelta(days=15)).isoformat(),
            "budget": "120 000",
        },
    )
    call = Call.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:call_detail", args=[call.pk])
    assert (call.state, call.budget) == (CallState.DRAFT, Decimal("120000.00"))

    page = agent_grenoble.get(reverse("web:call_publish", args=[call.pk]))
    assert "Confirmez-vous" in page.text
    response = agent_grenoble.post(reverse("web:call_publish", args=[call.pk]))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    manage = agent_grenoble.get(reverse("web:call_manage") + f"?contrat={contract.pk}")
    assert "Emploi des réfugiés" in manage.text and "Publié" in manage.text


def test_a_call_form_shows_the_french_error_beside_the_field(agent_grenoble: PersonaClient, contract: Contract) -> None:
    response = agent_grenoble.post(
        reverse("web:call_create", args=[contract.pk]),
        {
            "title": "Appel",
            "text": "Texte.",
            "campaign": campaign(2022).pk,
            "deadline": "2022-13-45",
            "budget": "beaucoup",
        },
    )
    assert response.status_code == 400
    assert field_errors(response.text, "id_deadline") == ["Date invalide (AAAA-MM-JJ)."]
    assert "euros" in field_errors(response.text, "id_budget")[0]
    assert not Call.objects.exists()


def test_publishing_a_call_without_domain_is_refused_in_french(
    agent_grenoble: PersonaClient, contract: Contract
) -> None:
    call = new_call(contract, agent_of(agent_grenoble), publish=False, domains=[])
    response = agent_grenoble.post(reverse("web:call_publish", args=[call.pk]))
    assert response.status_code == 400
    assert "Choisissez au moins un domaine." in text_of(response.text)
    call.refresh_from_db()
    assert call.state == CallState.DRAFT


@pytest.mark.parametrize("who", ["agent_lyon", "prefect_isere", "operator_user", "diair", "no_role_user"])
def test_other_people_cannot_manage_the_call(request: pytest.FixtureRequest, who: str, contract: Contract) -> None:
    agent = make_user(Role.AGENT, authority=contract.authority)
    draft = new_call(contract, agent, publish=False)
    opened = new_call(contract, agent, title="Ouvert")
    client = persona(request, who)
    assert client.get(reverse("web:call_create", args=[contract.pk])).status_code == 404
    assert client.get(reverse("web:call_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("web:call_edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("web:call_publish", args=[draft.pk])).status_code == 404
    assert client.post(reverse("web:call_close", args=[opened.pk])).status_code == 404
    assert client.get(reverse("web:call_applications", args=[opened.pk])).status_code == 404
    draft.refresh_from_db()
    opened.refresh_from_db()
    assert (draft.state, opened.state) == (CallState.DRAFT, CallState.PUBLISHED)


def test_manage_list_is_for_agents(request: pytest.FixtureRequest) -> None:
    assert persona(request, "agent_grenoble").get(reverse("web:call_manage")).status_code == 200
    for who in ("operator_user", "prefect_isere", "no_role_user"):
        assert persona(request, who).get(reverse("web:call_manage")).status_code == 404
    response = persona(request, "anonymous").get(reverse("web:call_manage"))
    assert response.status_code == 302 and "/connexion/" in response.url


def test_f22_score_select_and_add_to_the_programming(
    agent_grenoble: PersonaClient, operator_user: PersonaClient, contract: Contract
) -> None:
    agent = agent_of(agent_grenoble)
    call = new_call(contract, agent)
    application = apply(call, operator_user)
    page_url = reverse("web:call_application", args=[application.pk])

    # Still open: nothing to score yet.
    assert "Noter la candidature" not in agent_grenoble.get(page_url).text
    close_call(user=agent, call=call)

    response = agent_grenoble.post(reverse("web:call_application_score", args=[application.pk]), {"score": "25"})
    assert response.status_code == 400
    assert field_errors(response.text, "id_score") == ["La note va de 0 à 20."]
    response = agent_grenoble.post(
        reverse("web:call_application_score", args=[application.pk]), {"score": "17", "comment": "Solide."}
    )
    assert response.status_code == 302

    # No programming in preparation yet: said in French, nothing written.
    page = agent_grenoble.get(page_url)
    assert "aucune programmation en préparation" in text_of(page.text)
    response = agent_grenoble.post(reverse("web:call_application_to_action", args=[application.pk]), {})
    assert response.status_code == 400
    assert "aucune programmation en préparation" in field_errors(response.text, "id_programming")[0]
    assert not Action.objects.exists()

    programming = create_programming(user=agent, contract=contract, campaign=campaign(2022))
    page = agent_grenoble.get(page_url)
    assert "Ajouter à la programmation 2022" in text_of(page.text)
    response = agent_grenoble.post(
        reverse("web:call_application_to_action", args=[application.pk]), {"programming": programming.pk}
    )
    assert response.status_code == 302
    action = Action.objects.get()
    operator = operator_of(operator_user)
    assert (action.programming, action.application, action.siret) == (programming, application, operator.siret)
    application.refresh_from_db()
    assert (application.status, application.score) == (ApplicationStatus.SELECTED, 17)
    page = agent_grenoble.get(page_url)
    assert "de la programmation 2022" in text_of(page.text)

    # The opérateur sees the decision, not the score.
    own = operator_user.get(page_url)
    assert own.status_code == 200 and "Retenue" in own.text and "17/20" not in own.text


def test_reject_button(agent_grenoble: PersonaClient, operator_user: PersonaClient, contract: Contract) -> None:
    call = new_call(contract, agent_of(agent_grenoble))
    application = apply(call, operator_user)
    past_deadline(call)
    url = reverse("web:call_application_decide", args=[application.pk, "ne-pas-retenir"])
    assert agent_grenoble.post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED


@pytest.mark.parametrize("who", ["agent_lyon", "prefect_isere", "diair", "no_role_user"])
def test_applications_are_404_outside(
    request: pytest.FixtureRequest, who: str, operator_user: PersonaClient, contract: Contract
) -> None:
    agent = make_user(Role.AGENT, authority=contract.authority)
    call = new_call(contract, agent)
    application = apply(call, operator_user)
    past_deadline(call)
    client = persona(request, who)
    assert client.get(reverse("web:call_application", args=[application.pk])).status_code == 404
    assert client.post(reverse("web:call_application_score", args=[application.pk]), {"score": 3}).status_code == 404
    url = reverse("web:call_application_decide", args=[application.pk, "retenir"])
    assert client.post(url).status_code == 404
    application.refresh_from_db()
    assert (application.score, application.status) == (None, ApplicationStatus.SUBMITTED)


def test_another_operator_does_not_see_an_application(operator_user: PersonaClient, contract: Contract) -> None:
    call = new_call(contract, make_user(Role.AGENT, authority=contract.authority))
    application = apply(call, operator_user)
    rival = PersonaClient(make_user(Role.OPERATOR, operator=OperatorFactory()))
    assert rival.get(reverse("web:call_application", args=[application.pk])).status_code == 404
    assert "Sortir des CPH" not in rival.get(reverse("web:call_my_applications")).text


# --- The opérateur -----------------------------------------------------------------------------------


def test_an_operator_applies_through_the_form(operator_user: PersonaClient, contract: Contract) -> None:
    call = new_call(contract, make_user(Role.AGENT, authority=contract.authority), budget=Decimal("50000"))
    url = reverse("web:call_apply", args=[call.pk])
    assert "Candidater" in operator_user.get(reverse("web:call_detail", args=[call.pk])).text
    data = {
        "operator": operator_of(operator_user).pk,
        "title": "Ateliers logement",
        "description": "Des ateliers.",
        "domains": ["logement"],
        "public": ActionPublic.NEWCOMERS,
        "planned_bpi": "10",
        "planned_newcomers": "30",
        "budget": "90 000",
        "requested_amount": "60 000",
    }
    response = operator_user.post(url, data)
    assert response.status_code == 400
    assert field_errors(response.text, "id_requested_amount") == ["Le montant demandé dépasse le budget de l'appel."]
    response = operator_user.post(url, {**data, "requested_amount": "40 000"})
    assert response.status_code == 302 and response.url == reverse("web:call_my_applications")
    assert "Ateliers logement" in operator_user.get(response.url).text

    past_deadline(call)
    assert operator_user.get(url).status_code == 404


@pytest.mark.parametrize("who", ["agent_grenoble", "prefect_isere", "no_role_user"])
def test_only_operators_apply(request: pytest.FixtureRequest, who: str, contract: Contract) -> None:
    call = new_call(contract, make_user(Role.AGENT, authority=contract.authority))
    assert persona(request, who).get(reverse("web:call_apply", args=[call.pk])).status_code == 404
    assert persona(request, who).get(reverse("web:call_my_applications")).status_code == 404


# --- Self-registration --------------------------------------------------------------------------------

GOOD_SIRET = with_luhn_key("7750123400001")


def registration(**extra: str) -> dict[str, str]:
    values = {
        "first_name": "Amina",
        "last_name": "Benali",
        "email": "amina.benali@accueil-isere.example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organisation_name": "Accueil Isère",
        "siret": GOOD_SIRET[:3] + " " + GOOD_SIRET[3:6] + " " + GOOD_SIRET[6:9] + " " + GOOD_SIRET[9:],
        "rna": "w381000001",
    }
    values.update(extra)
    return values


def test_registration_with_a_bad_siret_shows_the_french_error_beside_the_field(anonymous: PersonaClient) -> None:
    bad = GOOD_SIRET[:-1] + str((int(GOOD_SIRET[-1]) + 1) % 10)
    response = anonymous.post(reverse("web:call_operator_register"), registration(siret=bad))
    assert response.status_code == 400
    assert field_errors(response.text, "id_siret") == [
        "Ce numéro SIRET n'existe pas (sa clé de contrôle est fausse) : vérifiez-le sur l'avis de situation INSEE."
    ]
    response = anonymous.post(reverse("web:call_operator_register"), registration(siret="123"))
    assert field_errors(response.text, "id_siret") == ["Un numéro SIRET compte 14 chiffres."]
    response = anonymous.post(reverse("web:call_operator_register"), registration(rna="123"))
    assert "W suivi de 9 caractères" in field_errors(response.text, "id_rna")[0]
    assert not User.objects.filter(email="amina.benali@accueil-isere.example.org").exists()
    assert not Operator.objects.filter(siret=GOOD_SIRET).exists()


def test_f22_an_association_registers_then_applies(
    anonymous: PersonaClient, agent_grenoble: PersonaClient, contract: Contract
) -> None:
    call = new_call(contract, agent_of(agent_grenoble))
    assert anonymous.get(reverse("web:call_operator_register")).status_code == 200
    response = anonymous.post(reverse("web:call_operator_register"), registration())
    assert response.status_code == 302 and response.url == reverse("web:call_list")

    user = User.objects.get(email="amina.benali@accueil-isere.example.org")
    operator = Operator.objects.get(siret=GOOD_SIRET)
    assert (operator.name, operator.rna) == ("Accueil Isère", "W381000001")
    assert Membership.objects.filter(user=user, role=Role.OPERATOR, operator=operator).exists()

    # Logged in: the same browser applies.
    response = anonymous.post(
        reverse("web:call_apply", args=[call.pk]),
        {
            "operator": operator.pk,
            "title": "Cours de français et logement",
            "description": "FLE et recherche de logement.",
            "domains": ["logement", "emploi"],
            "public": ActionPublic.NEWCOMERS,
            "planned_bpi": "15",
            "planned_newcomers": "25",
            "budget": "30 000",
            "requested_amount": "20 000",
        },
    )
    assert response.status_code == 302
    application = CallApplication.objects.get()
    assert (application.operator, application.submitted_by) == (operator, user)


def test_registration_refuses_a_known_email_and_a_structure_with_members(
    anonymous: PersonaClient, operator_user: PersonaClient
) -> None:
    taken = agent_of(operator_user).email
    response = anonymous.post(reverse("web:call_operator_register"), registration(email=taken.upper()))
    assert response.status_code == 400
    assert field_errors(response.text, "id_email") == [
        "Un compte existe déjà avec cette adresse électronique : connectez-vous."
    ]
    existing = operator_of(operator_user)
    response = anonymous.post(reverse("web:call_operator_register"), registration(siret=existing.siret))
    assert response.status_code == 400
    assert field_errors(response.text, "id_siret")[0].startswith(
        "Cette structure a déjà un compte : demandez une invitation"
    )
    assert not User.objects.filter(email="amina.benali@accueil-isere.example.org").exists()


def test_registration_takes_over_a_structure_without_members(anonymous: PersonaClient) -> None:
    """An opérateur named on an action (or registered by an administrator) but with nobody yet."""
    known = OperatorFactory(name="Nom enregistré", rna="")
    response = anonymous.post(reverse("web:call_operator_register"), registration(siret=known.siret))
    assert response.status_code == 302
    known.refresh_from_db()
    assert (known.name, known.rna) == ("Nom enregistré", "W381000001")
    assert Membership.objects.filter(operator=known, role=Role.OPERATOR).count() == 1


def test_a_logged_in_person_is_sent_to_the_calls(operator_user: PersonaClient) -> None:
    response = operator_user.get(reverse("web:call_operator_register"))
    assert response.status_code == 302 and response.url == reverse("web:call_list")


# --- Query budgets: 10 rows and 1 000 rows ---------------------------------------------------------

# Queries per page, as measured (a logged-in page starts with 5: savepoint + release, session, user,
# memberships). The same with 10 and with 1 000 rows.
BUDGET = {
    "call_list_anonymous": 9,  # savepoint, domain of the filter, count, page ids, rows, domains, filter choices (2)
    "call_list_operator": 11,  # + session, user, memberships; no filter lookup
    "call_detail_agent": 8,  # + the call, its domains, the applications' counts in one aggregate
    "call_applications": 10,  # + the call, count, page ids, rows with the opérateur, which are actions
    "call_application": 11,  # + the application, its action, domains, editable programmings (3: years, choices)
    "call_my_applications": 8,  # + count, page ids, rows with call and opérateur
    "call_manage": 11,  # + the agent's contracts (2: buttons, filter), count, page ids, rows with their counts
}


def within_budget(client: PersonaClient, url: str, budget: int, counter: Counter) -> str:
    assert client.get(url).status_code == 200
    with counter(budget):
        response = client.get(url)
    assert response.status_code == 200
    return response.text


def add_calls(count: int, contract: Contract, creator: User, state: str = CallState.PUBLISHED) -> list[Call]:
    now = timezone.now()
    calls = Call.objects.bulk_create(
        Call(
            contract=contract,
            authority_id=contract.authority_id,
            campaign=campaign(2022),
            title=f"Appel n° {i:04}",
            text="Texte.",
            deadline=today() + timedelta(days=1 + i % 60),
            budget=Decimal(10000 + i),
            state=state,
            published_at=now if state != CallState.DRAFT else None,
            created_by=creator,
        )
        for i in range(count)
    )
    domains = list(Domain.objects.filter(code__in=["logement", "emploi"]))
    through = Call.domains.through
    through.objects.bulk_create(through(call_id=c.pk, domain_id=d.pk) for c in calls for d in domains)
    return calls


def add_applications(count: int, call: Call, operator: Operator, by: User) -> None:
    statuses = list(ApplicationStatus.values)
    applications = CallApplication.objects.bulk_create(
        CallApplication(
            call=call,
            operator=operator,
            title=f"Action n° {i:04}",
            description="Description.",
            budget=Decimal(20000),
            requested_amount=Decimal(10000),
            status=statuses[i % 3],
            score=i % 21 if i % 2 else None,
            submitted_by=by,
        )
        for i in range(count)
    )
    housing = Domain.objects.get(code="logement")
    through = CallApplication.domains.through
    through.objects.bulk_create(through(callapplication_id=a.pk, domain_id=housing.pk) for a in applications)


@pytest.mark.parametrize("rows", ROWS)
def test_budget_call_list(
    rows: int,
    anonymous: PersonaClient,
    operator_user: PersonaClient,
    contract: Contract,
    django_assert_max_num_queries: Counter,
) -> None:
    add_calls(rows, contract, make_user(Role.AGENT, authority=contract.authority))
    url = reverse("web:call_list") + "?domaine=logement&tri=-budget"
    html = within_budget(anonymous, url, BUDGET["call_list_anonymous"], django_assert_max_num_queries)
    assert f"{format_number(rows)} appels ouverts" in html
    within_budget(operator_user, reverse("web:call_list"), BUDGET["call_list_operator"], django_assert_max_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_budget_call_detail_and_applications(
    rows: int,
    agent_grenoble: PersonaClient,
    operator_user: PersonaClient,
    contract: Contract,
    django_assert_max_num_queries: Counter,
) -> None:
    call = new_call(contract, agent_of(agent_grenoble))
    add_applications(rows, call, operator_of(operator_user), agent_of(operator_user))
    close_call(user=agent_of(agent_grenoble), call=call)
    create_programming(user=agent_of(agent_grenoble), contract=contract, campaign=campaign(2022))
    within_budget(
        agent_grenoble,
        reverse("web:call_detail", args=[call.pk]),
        BUDGET["call_detail_agent"],
        django_assert_max_num_queries,
    )
    within_budget(
        agent_grenoble,
        reverse("web:call_applications", args=[call.pk]),
        BUDGET["call_applications"],
        django_assert_max_num_queries,
    )
    application = CallApplication.objects.filter(call=call).order_by("pk").first()
    assert application is not None
    within_budget(
        agent_grenoble,
        reverse("web:call_application", args=[application.pk]),
        BUDGET["call_application"],
        django_assert_max_num_queries,
    )
    within_budget(
        operator_user,
        reverse("web:call_my_applications"),
        BUDGET["call_my_applications"],
        django_assert_max_num_queries,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_budget_call_manage(
    rows: int, agent_grenoble: PersonaClient, contract: Contract, django_assert_max_num_queries: Counter
) -> None:
    calls = add_calls(rows, contract, agent_of(agent_grenoble), state=CallState.CLOSED)
    operator = OperatorFactory()
    add_applications(5, calls[0], operator, agent_of(agent_grenoble))
    within_budget(
        agent_grenoble,
        reverse("web:call_manage") + f"?contrat={contract.pk}&etat=closed",
        BUDGET["call_manage"],
        django_assert_max_num_queries,
    )
