"""/api/v1/reports/, /committees/, /evaluations/ (issue 12): the same scopes as the pages, the
report's workflow through the API (hand in with the counts, accept, ask for completion), a second
click answers 409, bad counts a French 400, and the schema describes them in French."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.enums import Role
from reporting.enums import Period, ReportState
from reporting.models import Report
from steering.enums import CommitteeLevel
from steering.models import Committee, Evaluation
from steering.schedule import ensure_project_reports
from tests.api.conftest import API, ApiClient
from tests.factories import grenoble_metropole, isere, make_user, metropole_de_lyon, rhone
from tests.projects.factories import ProjectFactory
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db

COUNTS = {"bpi_reached": 12, "newcomers_reached": 18, "women": 16, "men": 14}


@pytest.fixture
def final():
    project = ProjectFactory(funded=True, start_date=date(2021, 9, 1), end_date=date(2022, 8, 31))
    ensure_project_reports(project)
    return Report.objects.for_target(project).get(period=Period.FINAL)


@pytest.fixture
def agent():
    return ApiClient(make_user(Role.AGENT, authority=grenoble_metropole()))


@pytest.fixture
def instructor():
    return ApiClient(make_user(Role.INSTRUCTOR, department=isere()))


def test_reports_are_read_in_the_callers_scope_only(final, agent, instructor):
    page = instructor.get_json(f"{API}/reports/", period="final")
    assert [r["id"] for r in page["results"]] == [final.pk]
    report = agent.get_json(f"{API}/reports/{final.pk}/")
    assert report["departement"] == "38" and report["state"] == ReportState.EXPECTED
    assert report["target"] == {"kind": "ptai", "id": final.target_id}
    assert {i["code"] for i in report["indicators"]} >= {"bpi_reached", "newcomers_reached"}
    rhone_instructor = ApiClient(make_user(Role.INSTRUCTOR, department=rhone()))
    assert rhone_instructor.get_json(f"{API}/reports/")["count"] == 0
    assert rhone_instructor.get(f"{API}/reports/{final.pk}/").status_code == 404
    lyon = ApiClient(make_user(Role.AGENT, authority=metropole_de_lyon()))
    assert lyon.get(f"{API}/reports/{final.pk}/").status_code == 404
    assert instructor.get_json(f"{API}/reports/", state="nimporte", expected=400)


def test_the_agent_hands_in_with_the_counts_and_the_instructeur_accepts(final, agent, instructor):
    url = f"{API}/reports/{final.pk}/transitions/"
    assert [t["name"] for t in agent.get_json(url)] == ["submit"]
    assert instructor.get_json(url) == []
    bad = agent.post_json(url + "submit/", {"values": {**COUNTS, "women": 1}, "narrative": "Ateliers."})
    assert bad.status_code == 400
    assert "doit être égale aux bénéficiaires accompagnés" in bad.content.decode()
    incomplete = agent.post_json(url + "submit/", {})
    assert incomplete.status_code == 400 and "n'est pas complet" in incomplete.content.decode()
    done = agent.post_json(
        url + "submit/", {"values": COUNTS, "narrative": "Ateliers menés.", "spent_amount": "38 000,00"}
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == ReportState.SUBMITTED and body["spent_amount"] == "38000.00"
    assert agent.post_json(url + "submit/", {}).status_code == 409  # a second click
    assert agent.post_json(url + "accept/", {}).status_code == 409  # not the agent's to accept
    sent_back = instructor.post_json(url + "request_completion/", {"reason": ""})
    assert sent_back.status_code == 400 and "compléments" in sent_back.content.decode()
    sent_back = instructor.post_json(url + "request_completion/", {"reason": "Ajoutez les heures."})
    assert sent_back.json()["state"] == ReportState.COMPLETION_REQUESTED
    assert agent.post_json(url + "submit/", {"values": {**COUNTS, "hours": 1200}}).status_code == 200
    accepted = instructor.post_json(url + "accept/", {"reason": "Merci."})
    assert accepted.json()["state"] == ReportState.ACCEPTED
    final.refresh_from_db()
    assert final.values["hours"] == 1200 and final.transitions.count() == 4
    assert agent.post_json(url + "inconnue/", {}).status_code == 404


def test_committees_and_evaluations_are_read_in_scope(final, instructor):
    diair = make_user(Role.DIAIR)
    national = Committee.objects.create(
        level=CommitteeLevel.NATIONAL,
        held_on=date(2022, 6, 1),
        title="Comité national",
        agenda="Bilan",
        organised_by=diair,
    )
    lyon = Committee.objects.create(
        level=CommitteeLevel.DEPARTMENT,
        department=rhone(),
        held_on=date(2022, 5, 1),
        title="Comité du Rhône",
        agenda="Programmation",
        organised_by=diair,
    )
    project = final.target
    national.projects.add(project)
    evaluation = Evaluation.objects.create(
        target=project,
        title=project.title,
        department=isere(),
        authority=grenoble_metropole(),
        evaluator="Cabinet",
        questions="Q",
        method="Entretiens",
        summary="Action efficace.",
        completed_on=date(2023, 1, 5),
        created_by=diair,
    )
    seen = instructor.get_json(f"{API}/committees/")
    assert [c["id"] for c in seen["results"]] == [national.pk]
    assert seen["results"][0]["projects"] == [project.pk]
    assert instructor.get(f"{API}/committees/{lyon.pk}/").status_code == 404
    assert ApiClient(diair).get_json(f"{API}/committees/")["count"] == 2
    evaluations = instructor.get_json(f"{API}/evaluations/")["results"]
    assert evaluations[0]["id"] == evaluation.pk and evaluations[0]["summary"] == "Action efficace."
    assert evaluations[0]["target"] == {"kind": "ptai", "id": project.pk}
    rhone_instructor = ApiClient(make_user(Role.INSTRUCTOR, department=rhone()))
    assert rhone_instructor.get_json(f"{API}/evaluations/")["count"] == 0


def test_the_schema_describes_the_steering_endpoints_in_french(api_anonymous):
    schema = api_anonymous.get(f"{API}/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"/api/v1/reports/", "/api/v1/committees/", "/api/v1/evaluations/"} <= set(paths)
    assert paths["/api/v1/reports/"]["get"]["summary"] == "Bilans des actions du périmètre de l'appelant"
    apply = paths["/api/v1/reports/{id}/transitions/{name}/"]["post"]
    assert "Remettre" in apply["summary"]


def test_a_reports_pieces_are_listed_for_its_readers_in_a_fixed_number_of_queries(
    final, agent, instructor, django_assert_max_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting.services import attach_to_report

    pdf = SimpleUploadedFile("presence.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    attach_to_report(report=final, user=agent.user, uploaded_file=pdf)
    detail = instructor.get_json(f"{API}/reports/{final.pk}/")
    assert [a["name"] for a in detail["attachments"]] == ["presence.pdf"]
    # The file itself is served by the site (its session), to the same readers.
    assert PersonaClient(instructor.user).get(detail["attachments"][0]["url"]).status_code == 200
    for _ in range(5):
        project = ProjectFactory(funded=True, start_date=date(2021, 9, 1), end_date=date(2022, 8, 31))
        ensure_project_reports(project)
    instructor.get_json(f"{API}/reports/")
    with django_assert_max_num_queries(12):
        page = instructor.get_json(f"{API}/reports/")
    assert page["count"] == 12
    assert [a["name"] for r in page["results"] if r["id"] == final.pk for a in r["attachments"]] == ["presence.pdf"]
