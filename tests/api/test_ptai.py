"""/api/v1/ptai/: scopes, representation, filters, writes and their refusals, transitions, query budget."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from programme.models import Domain
from projects.enums import ProjectState
from projects.models import Project, ProjectTransition
from tests.api.conftest import API, ApiClient
from tests.factories import grenoble_metropole, metropole_de_lyon
from tests.projects.conftest import make_persona
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PTAI = f"{API}/ptai"


def client(persona: str) -> ApiClient:
    return ApiClient(make_persona(persona))


def patch(caller: ApiClient, pk: int, data: Any) -> Any:
    return caller.patch(f"{PTAI}/{pk}/", json.dumps(data), content_type="application/json")


# --- Scopes -------------------------------------------------------------------------------------


def test_anonymous_gets_401(api_anonymous: ApiClient) -> None:
    project = ProjectFactory()
    for url in (f"{PTAI}/", f"{PTAI}/{project.pk}/", f"{PTAI}/{project.pk}/transitions/"):
        response = api_anonymous.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert api_anonymous.post_json(f"{PTAI}/{project.pk}/transitions/start_review/").status_code == 401


def test_instructor_of_rhone_gets_404_on_an_isere_ptai() -> None:
    project = ProjectFactory(submitted=True)
    rhone = client("instructor_rhone")
    assert rhone.get_json(f"{PTAI}/")["count"] == 0
    assert rhone.get_json(f"{PTAI}/{project.pk}/", 404)["detail"] == "Introuvable."
    assert rhone.get_json(f"{PTAI}/{project.pk}/transitions/", 404)["code"] == "not_found"
    response = rhone.post_json(f"{PTAI}/{project.pk}/transitions/start_review/")
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).state == ProjectState.SUBMITTED


def test_operator_sees_an_empty_list(api_operator: ApiClient) -> None:
    ProjectFactory(submitted=True)
    assert api_operator.get_json(f"{PTAI}/") == {"count": 0, "next": None, "previous": None, "results": []}


def test_instructor_of_isere_lists_isere_files_with_the_representation() -> None:
    project = ProjectFactory(funded=True)
    ProjectFactory(lead_authority=metropole_de_lyon())
    body = client("instructor_isere").get_json(f"{PTAI}/")
    assert body["count"] == 1
    (row,) = body["results"]
    lead = grenoble_metropole()
    assert row["id"] == project.pk
    assert row["reference"] == project.reference
    assert (row["state"], row["state_label"], row["year"]) == ("funded", "Engagé", 2021)
    assert row["authority"] == {"code": lead.code, "name": lead.name}
    assert row["departement"] == "38"
    assert sorted(row["domains"]) == ["formation-linguistique", "logement"]
    assert row["requested_amount"] == "50000.00"
    assert (row["proposed_amount"], row["granted_amount"]) == ("40000.00", "40000.00")
    assert (row["committed_amount"], row["paid_amount"]) == ("0.00", "0.00")
    assert row["partners"] == []
    assert "findings" not in row


def test_detail_has_budget_contributions_and_findings(api_ministry: ApiClient) -> None:
    project = ProjectFactory()
    body = api_ministry.get_json(f"{PTAI}/{project.pk}/")
    assert body["budget"]["resources"][0] == {"kind": "state_request", "funder": "", "amount": "50000.00"}
    assert body["budget"]["expenses"] == [{"nature": "Animation des ateliers", "amount": "70000.00"}]
    assert body["contributions"][0]["kind"] == "room"
    assert all(set(f) == {"rule_id", "severity", "message", "field"} for f in body["findings"])


def test_list_filters(api_ministry: ApiClient) -> None:
    small = ProjectFactory(requested_amount=Decimal("10000.00"), domains=["logement"])
    big = ProjectFactory(submitted=True, requested_amount=Decimal("90000.00"), domains=["formation-linguistique"])
    lyon = ProjectFactory(lead_authority=metropole_de_lyon(), domains=["formation-linguistique"])

    def ids(**params: Any) -> set[int]:
        return {row["id"] for row in api_ministry.get_json(f"{PTAI}/", **params)["results"]}

    assert ids() == {small.pk, big.pk, lyon.pk}
    assert ids(state="submitted") == {big.pk}
    assert ids(departement="69") == {lyon.pk}
    assert ids(domain="logement") == {small.pk}
    assert ids(min_amount="50000") == {big.pk, lyon.pk}
    assert ids(max_amount="20000") == {small.pk}
    assert ids(year=2021) == {small.pk, big.pk, lyon.pk}
    assert ids(year=2022) == set()
    body = api_ministry.get_json(f"{PTAI}/", 400, state="perdu")
    assert "state" in body["errors"]


# --- Writes -------------------------------------------------------------------------------------


def test_only_an_agent_of_the_lead_creates_a_draft() -> None:
    lead = grenoble_metropole()
    data = {"authority": lead.code, "year": 2021, "title": "Projet"}
    body = client("agent_other").post_json(f"{PTAI}/", data)
    assert body.status_code == 403
    assert "agent de la collectivité porteuse" in body.json()["detail"]
    assert client("instructor_isere").post_json(f"{PTAI}/", data).status_code == 403
    unknown = client("agent_lead").post_json(f"{PTAI}/", {**data, "authority": "00000"})
    assert unknown.status_code == 400
    assert "authority" in unknown.json()["errors"]
    assert not Project.objects.exists()


def test_patch_checks_the_fields_in_french() -> None:
    agent = client("agent_lead")
    project = ProjectFactory()
    response = patch(agent, project.pk, {"start_date": "2022-01-01", "end_date": "2021-01-01"})
    assert response.status_code == 400, response.content
    response = patch(agent, project.pk, {"siret": "123"})
    assert response.status_code == 400
    assert "siret" in response.json()["errors"]
    response = patch(agent, project.pk, {"domains": ["inconnu"]})
    assert response.status_code == 400
    assert response.json()["errors"]["domains"] == ["Domaines inconnus : inconnu."]


@pytest.mark.parametrize(
    ("typed", "requested"),
    [
        ("40 000", "40000.00"),
        ("40\u202f000,50", "40000.50"),
        ("12 345,67 €", "12345.67"),
        ("40000.50", "40000.50"),
        (40000, "40000.00"),
        (40000.5, "40000.50"),
    ],
)
def test_amounts_are_read_the_french_way_as_on_the_pages(typed: Any, requested: str) -> None:
    """One reader of amounts for the whole platform: what a French agent types goes through the API."""
    agent = client("agent_lead")
    project = ProjectFactory()
    budget = {"expenses": [], "resources": [{"kind": "state_request", "amount": typed}]}
    response = patch(agent, project.pk, {"budget": budget})
    assert response.status_code == 200, response.content
    assert response.json()["requested_amount"] == requested


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('"1e9"', "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67."),
        ("1e9", "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67."),
        ('"12,345.67"', "« 12,345.67 » est ambigu"),
        ("-5", "Le montant ne peut pas être négatif."),
        ("40000.123", "Le montant a au plus deux décimales"),
    ],
)
def test_ambiguous_or_absurd_amounts_are_refused_in_french(raw: str, message: str) -> None:
    agent = client("agent_lead")
    project = ProjectFactory()
    body = '{"budget": {"expenses": [], "resources": [{"kind": "state_request", "amount": ' + raw + "}]}}"
    response = agent.patch(f"{PTAI}/{project.pk}/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert message in json.dumps(response.json()["errors"], ensure_ascii=False)
    project.refresh_from_db()
    assert project.requested_amount == Decimal("50000.00")


def test_patch_only_in_draft_or_correction() -> None:
    agent = client("agent_lead")
    project = ProjectFactory(in_review=True)
    response = patch(agent, project.pk, {"title": "Nouveau titre"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "not_editable"
    assert "n'est plus modifiable" in body["detail"]
    assert body["rule_ids"] == ["not_editable"]
    response = patch(agent, project.pk, {"budget": {"expenses": [], "resources": []}})
    assert response.status_code == 400
    assert Project.objects.get(pk=project.pk).title == project.title
    corrected = ProjectFactory(correction_requested=True)
    assert patch(agent, corrected.pk, {"title": "Corrigé"}).json()["title"] == "Corrigé"


def test_patch_by_a_state_agent_is_forbidden() -> None:
    project = ProjectFactory()
    response = patch(client("instructor_isere"), project.pk, {"title": "Autre"})
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).title == project.title


def test_put_and_delete_are_not_allowed(api_ministry: ApiClient) -> None:
    project = ProjectFactory()
    assert api_ministry.put(f"{PTAI}/{project.pk}/", "{}", content_type="application/json").status_code == 405
    assert api_ministry.delete(f"{PTAI}/{project.pk}/").status_code == 405


# --- Transitions --------------------------------------------------------------------------------


def test_transitions_list_only_what_the_caller_may_do() -> None:
    project = ProjectFactory(in_review=True)
    url = f"{PTAI}/{project.pk}/transitions/"
    names = {t["name"] for t in client("instructor_isere").get_json(url)}
    assert names == {"request_correction", "give_opinion", "dismiss"}
    assert {t["name"] for t in client("agent_lead").get_json(url)} == {"withdraw"}
    assert client("ministry").get_json(url) == []
    opinion = next(t for t in client("instructor_isere").get_json(url) if t["name"] == "give_opinion")
    assert opinion["target"] == "reviewed"
    assert opinion["fields"] == ["reason", "opinion", "amount"]
    assert opinion["form"]["reason"] == "required"
    assert opinion["form"]["opinion"] is True
    assert opinion["form"]["amount"] == "optional"


def test_a_transition_the_caller_may_not_do_is_409_and_changes_nothing() -> None:
    project = ProjectFactory(in_review=True)
    response = client("agent_lead").post_json(
        f"{PTAI}/{project.pk}/transitions/give_opinion/", {"opinion": "favorable", "reason": "Moi", "amount": "1"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_unavailable"
    assert "n'est pas possible" in body["detail"]
    assert Project.objects.get(pk=project.pk).state == ProjectState.IN_REVIEW
    assert not ProjectTransition.objects.filter(project=project).exists()


def test_an_unknown_transition_is_404(api_ministry: ApiClient) -> None:
    project = ProjectFactory()
    response = api_ministry.post_json(f"{PTAI}/{project.pk}/transitions/fly_away/")
    assert response.status_code == 404
    assert response.json()["code"] == "transition_unknown"


def test_a_double_post_applies_once() -> None:
    project = ProjectFactory(submitted=True)
    instructor = client("instructor_isere")
    url = f"{PTAI}/{project.pk}/transitions/start_review/"
    assert instructor.post_json(url).status_code == 200
    second = instructor.post_json(url)
    assert second.status_code == 409
    assert second.json()["detail"].startswith("La transition « start_review » n'est pas possible")
    assert ProjectTransition.objects.filter(project=project).count() == 1


def test_a_bpi_only_request_without_its_texts_is_refused_with_the_rule_ids() -> None:
    project = ProjectFactory(target_public="bpi_only", bpi_justification="", widening_perspective="")
    response = client("agent_lead").post_json(f"{PTAI}/{project.pk}/transitions/submit/")
    assert response.status_code == 400, response.content
    body = response.json()
    assert {"ptai.bpi_only.justification", "ptai.bpi_only.widening"} <= set(body["rule_ids"])
    assert len(body["errors"]["non_field_errors"]) >= 2
    assert Project.objects.get(pk=project.pk).state == ProjectState.DRAFT


def test_a_badly_typed_body_is_400() -> None:
    project = ProjectFactory(in_review=True)
    response = client("instructor_isere").post_json(
        f"{PTAI}/{project.pk}/transitions/request_correction/", {"reason": ["liste"]}
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


# --- Query budget -------------------------------------------------------------------------------

# At most: savepoint + release, token + user, memberships (scope), count, the page's ids, the page, partners, domains.
LIST_BUDGET = 9


def add_projects(count: int) -> None:
    template = ProjectFactory()
    domains = list(Domain.objects.filter(code__in=["logement", "formation-linguistique"]))
    fields = {
        "campaign_id": template.campaign_id,
        "lead_authority_id": template.lead_authority_id,
        "department_id": template.department_id,
        "created_by_id": template.created_by_id,
        "summary": template.summary,
        "requested_amount": template.requested_amount,
    }
    projects = Project.objects.bulk_create([Project(title=f"PTAI {n}", **fields) for n in range(count - 1)])
    through = Project.domains.through
    through.objects.bulk_create([through(project_id=p.pk, domain_id=d.pk) for p in projects for d in domains])


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 rows"), pytest.param(1000, id="1000 rows")])
def test_list_query_budget_is_flat(rows: int, django_assert_max_num_queries: Any) -> None:
    add_projects(rows)
    instructor = client("instructor_isere")
    instructor.get_json(f"{PTAI}/")
    counter: DjangoAssertNumQueries = django_assert_max_num_queries
    with counter(LIST_BUDGET):
        body = instructor.get_json(f"{PTAI}/")
    assert body["count"] == rows
    assert len(body["results"]) == min(rows, 50)
