"""PTAI pages (issue 4): who sees what (persona, page, own / other scope), the list's filters,
sorting, exports, query budgets with 10 and 1 000 files, "À traiter" on the dashboards, and the
request's errors in French beside the fields.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from documents.services import attach
from programme.models import Campaign
from projects.enums import ProjectState
from projects.models import Project
from tests.factories import UserFactory, grenoble_metropole, metropole_de_lyon, rhone
from tests.projects.factories import ProjectFactory
from tests.web.html import field_errors, text_of
from tests.web.personas import PersonaClient, persona

pytestmark = pytest.mark.django_db
S = ProjectState
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SEES_ISERE = ("agent_grenoble", "instructor_isere", "prefect_isere", "diair", "ministry", "admin")
NOT_ISERE = ("agent_lyon", "instructor_rhone", "prefect_rhone", "operator_user", "no_role_user")
STEPS = ("porteur", "projet", "public", "action", "budget", "engagement", "diagnostic")


@pytest.fixture
def isere_file(db: None) -> Project:
    return ProjectFactory(submitted=True)


@pytest.fixture
def isere_draft(db: None) -> Project:
    return ProjectFactory()


# --- The permission matrix ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [*SEES_ISERE, *NOT_ISERE, "anonymous"])
def test_list_is_open_to_every_ptai_role_and_scoped(
    request: pytest.FixtureRequest, name: str, isere_file: Project
) -> None:
    response = persona(request, name).get(reverse("web:project_list"))
    if name == "anonymous":
        assert response.status_code == 302 and "/connexion/" in response.url
        return
    if name in ("operator_user", "no_role_user"):
        assert response.status_code == 404  # an opérateur sees no PTAI
        return
    assert response.status_code == 200
    shown = isere_file.reference in response.text
    assert shown == (name in SEES_ISERE)


@pytest.mark.parametrize("name", [*SEES_ISERE, *NOT_ISERE])
def test_file_page_404_outside_the_scope(request: pytest.FixtureRequest, name: str, isere_file: Project) -> None:
    status = persona(request, name).get(reverse("web:project_detail", args=[isere_file.pk])).status_code
    assert status == (200 if name in SEES_ISERE else 404)


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("name", [*SEES_ISERE, *NOT_ISERE])
def test_request_steps_only_for_the_applicant(
    request: pytest.FixtureRequest, name: str, step: str, isere_draft: Project
) -> None:
    client = persona(request, name)
    url = reverse("web:project_step", args=[isere_draft.pk, step])
    assert client.get(url).status_code == (200 if name == "agent_grenoble" else 404)
    if name != "agent_grenoble":
        assert client.post(url, {"title": "Pris"}).status_code == 404
        isere_draft.refresh_from_db()
        assert isere_draft.title != "Pris"


def test_new_request_only_for_agents(request: pytest.FixtureRequest) -> None:
    for name in ("agent_grenoble", "agent_lyon"):
        assert persona(request, name).get(reverse("web:project_create")).status_code == 200
    for name in ("instructor_isere", "prefect_isere", "ministry", "operator_user"):
        assert persona(request, name).get(reverse("web:project_create")).status_code == 404


def test_an_agent_cannot_create_for_another_collectivite(agent_lyon: PersonaClient) -> None:
    response = agent_lyon.post(
        reverse("web:project_create"),
        {"lead": grenoble_metropole().pk, "campaign": Campaign.objects.get(year=2021).pk},
    )
    assert response.status_code == 200
    assert not Project.objects.exists()


@pytest.mark.parametrize("name", [*SEES_ISERE, *NOT_ISERE])
def test_transition_post_only_for_who_may(request: pytest.FixtureRequest, name: str, isere_file: Project) -> None:
    url = reverse("web:project_transition", args=[isere_file.pk, "start_review"])
    response = persona(request, name).post(url, {"etat": "submitted"})
    isere_file.refresh_from_db()
    if name == "instructor_isere":
        assert response.status_code == 302 and isere_file.state == S.IN_REVIEW
    else:
        assert response.status_code == 404 and isere_file.state == S.SUBMITTED


def test_only_the_available_actions_are_shown(
    instructor_isere: PersonaClient, prefect_isere: PersonaClient, isere_file: Project
) -> None:
    page = instructor_isere.get(reverse("web:project_detail", args=[isere_file.pk])).text
    assert reverse("web:project_transition", args=[isere_file.pk, "start_review"]) in page
    assert "prefect_approve" not in page
    page = prefect_isere.get(reverse("web:project_detail", args=[isere_file.pk])).text
    assert "start_review" not in page
    assert reverse("web:project_transition", args=[isere_file.pk, "dismiss"]) in page


@pytest.fixture
def documents_of(isere_file: Project) -> dict[str, Any]:
    actor = UserFactory()
    public = attach(
        actor=actor, target=isere_file, uploaded_file=ContentFile(PDF_BYTES, name="budget.pdf"), kind="piece-jointe"
    )
    internal = attach(
        actor=actor,
        target=isere_file,
        uploaded_file=ContentFile(PDF_BYTES, name="note.pdf"),
        kind="note",
        is_internal=True,
    )
    return {"public": public, "internal": internal}


@pytest.mark.parametrize("name", [*SEES_ISERE, *NOT_ISERE])
def test_document_download_checks_visibility_and_scope(
    request: pytest.FixtureRequest, name: str, documents_of: dict[str, Any]
) -> None:
    client = persona(request, name)
    public = client.get(reverse("web:document_download", args=[documents_of["public"].pk])).status_code
    internal = client.get(reverse("web:document_download", args=[documents_of["internal"].pk])).status_code
    assert public == (200 if name in SEES_ISERE else 404)
    assert internal == (200 if name in SEES_ISERE and name != "agent_grenoble" else 404)


def test_internal_notes_and_their_events_are_hidden_from_the_applicant(
    instructor_isere: PersonaClient, agent_grenoble: PersonaClient, isere_file: Project
) -> None:
    url = reverse("web:project_message", args=[isere_file.pk])
    assert instructor_isere.post(url, {"body": "À vérifier avec la DDETS.", "is_internal": "on"}).status_code == 302
    assert agent_grenoble.post(url, {"body": "Voici nos précisions."}).status_code == 302
    page = text_of(agent_grenoble.get(reverse("web:project_detail", args=[isere_file.pk])).text)
    assert "Voici nos précisions." in page and "DDETS" not in page and "Note interne ajoutée" not in page
    page = text_of(instructor_isere.get(reverse("web:project_detail", args=[isere_file.pk])).text)
    assert "DDETS" in page and "Note interne ajoutée" in page


def test_the_applicant_still_sees_the_rest_of_the_timeline(
    instructor_isere: PersonaClient, agent_grenoble: PersonaClient, isere_file: Project
) -> None:
    """Hiding the internal events must not hide the others (events without the "interne" key)."""
    from audit.models import Event
    from audit.services import record_event

    record_event(actor=instructor_isere.user, verb="projects.start_review", target=isere_file, details={"de": "x"})
    assert Event.objects.for_target(isere_file).public().filter(verb="projects.start_review").exists()
    page = text_of(agent_grenoble.get(reverse("web:project_detail", args=[isere_file.pk])).text)
    assert "Instruction commencée" in page


# --- The request's errors -----------------------------------------------------------------------


def test_a_step_with_errors_keeps_the_values_and_speaks_french(
    agent_grenoble: PersonaClient, isere_draft: Project
) -> None:
    url = reverse("web:project_step", args=[isere_draft.pk, "action"])
    response = agent_grenoble.post(
        url, {"carrier_kind": "association", "carrier_name": "Accueil 38", "siret": "12345678901234"}
    )
    assert response.status_code == 400
    assert field_errors(response.text, "id_siret")
    assert "SIRET" in " ".join(field_errors(response.text, "id_siret"))
    assert 'value="Accueil 38"' in response.text
    isere_draft.refresh_from_db()
    assert isere_draft.carrier_name != "Accueil 38"


def test_add_a_line_saves_and_shows_one_more_row(agent_grenoble: PersonaClient, isere_draft: Project) -> None:
    url = reverse("web:project_step", args=[isere_draft.pk, "engagement"])
    response = agent_grenoble.post(
        url,
        {
            "engagements-TOTAL_FORMS": "1",
            "engagements-INITIAL_FORMS": "0",
            "engagements-0-kind": "staff",
            "engagements-0-description": "Un agent à mi-temps.",
            "ajouter": "engagement",
        },
    )
    assert response.status_code == 302 and "ajout=engagement" in response.url
    page = agent_grenoble.get(response.url).text
    assert 'name="engagements-TOTAL_FORMS" value="3"' in page  # the saved one + 2 empty
    assert list(isere_draft.contributions.values_list("kind", flat=True)) == ["staff"]


def test_partners_added_with_the_picker_and_removed(agent_grenoble: PersonaClient, isere_draft: Project) -> None:
    url = reverse("web:project_step", args=[isere_draft.pk, "porteur"])
    lyon = metropole_de_lyon()
    assert agent_grenoble.post(url, {"partner": "", "partner_id": str(lyon.pk)}).status_code == 302
    assert list(isere_draft.partners.all()) == [lyon]
    assert agent_grenoble.post(url, {"retirer": str(lyon.pk)}).status_code == 302
    assert not isere_draft.partners.exists()


# --- The list ----------------------------------------------------------------------------------


def test_filters_sorting_count_and_exports(ministry: PersonaClient) -> None:
    small = ProjectFactory(submitted=True, requested_amount=10000, title="Petit projet")
    big = ProjectFactory(submitted=True, requested_amount=90000, title="Grand projet")
    ProjectFactory(title="Un brouillon")
    url = reverse("web:project_list")
    page = ministry.get(url, {"etat": "submitted", "tri": "montant"})
    text = text_of(page.text)
    assert "2 projets" in text
    assert text.index("Petit projet") < text.index("Grand projet")
    assert 'aria-sort="ascending"' in page.text
    text = text_of(ministry.get(url, {"etat": "submitted", "tri": "-montant"}).text)
    assert text.index("Grand projet") < text.index("Petit projet")
    assert "1 projet" in text_of(ministry.get(url, {"montant_min": "60000"}).text)
    assert "1 projet" in text_of(ministry.get(url, {"q": small.reference}).text)

    response = ministry.get(reverse("web:project_csv"), {"etat": "submitted", "montant_max": "50000"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and rows[1][0] == small.reference and rows[1][8] == "10000,00"
    response = ministry.get(reverse("web:project_xlsx"), {"etat": "submitted"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {small.reference, big.reference}


def bulk_projects(count: int) -> None:
    """`count` drafts of Grenoble-Alpes-Métropole and as many of the Métropole de Lyon, in bulk."""
    author = UserFactory()
    campaign = Campaign.objects.get(year=2021)
    grenoble, lyon = grenoble_metropole(), metropole_de_lyon()
    Project.objects.bulk_create(
        Project(
            campaign=campaign,
            lead_authority=lead,
            department=lead.department or rhone(),
            title=f"Projet n° {n}",
            created_by=author,
            requested_amount=n,
        )
        for n in range(count)
        for lead in (grenoble, lyon)
    )


LIST_BUDGET = 13
DETAIL_BUDGET = 20  # + the file's reports and its evaluation (steering), + whether a letter is being generated (2)


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 files"), pytest.param(1000, id="1000 files")])
@pytest.mark.parametrize("name", ["agent_grenoble", "instructor_isere", "ministry"])
def test_list_query_budget(
    request: pytest.FixtureRequest, name: str, rows: int, django_assert_max_num_queries: Any
) -> None:
    client = persona(request, name)
    bulk_projects(rows)
    ProjectFactory(funded=True)
    url = reverse("web:project_list")
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(LIST_BUDGET):
        assert client.get(url, {"domaine": "logement", "tri": "-montant"}).status_code == 200
    with django_assert_max_num_queries(LIST_BUDGET):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 files"), pytest.param(1000, id="1000 files")])
@pytest.mark.parametrize("name", ["agent_grenoble", "instructor_isere", "ministry"])
def test_file_page_query_budget(
    request: pytest.FixtureRequest, name: str, rows: int, django_assert_max_num_queries: Any
) -> None:
    client = persona(request, name)
    bulk_projects(rows)
    project = ProjectFactory(in_review=True)
    url = reverse("web:project_detail", args=[project.pk])
    message_url = reverse("web:project_message", args=[project.pk])
    for n in range(min(rows, 20)):
        client.post(message_url, {"body": f"Message {n}"})
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(DETAIL_BUDGET):
        assert client.get(url).status_code == 200


# --- "À traiter" -------------------------------------------------------------------------------


def test_a_traiter_oldest_first_with_age_in_days(instructor_isere: PersonaClient) -> None:
    now = timezone.now()
    young = ProjectFactory(submitted=True, title="Arrivé hier")
    old = ProjectFactory(in_review=True, title="Arrivé il y a 30 jours")
    ProjectFactory(reviewed=True, title="Attend le préfet")
    Project.objects.filter(pk=young.pk).update(state_changed_at=now - timedelta(days=1, hours=1))
    Project.objects.filter(pk=old.pk).update(state_changed_at=now - timedelta(days=30, hours=1))
    text = text_of(instructor_isere.get(reverse("web:dashboard")).text)
    assert text.index("Arrivé il y a 30 jours") < text.index("Arrivé hier")
    assert "depuis 30 jours" in text and "depuis 1 jour" in text
    assert "Attend le préfet" not in text


def test_prefect_and_ministry_homes_list_what_waits_for_their_decision(
    prefect_isere: PersonaClient, ministry: PersonaClient, agent_grenoble: PersonaClient
) -> None:
    ProjectFactory(reviewed=True, title="Attend le préfet")
    ProjectFactory(prefect_approved=True, title="Attend le Ministère")
    assert "Attend le préfet" in prefect_isere.get(reverse("web:dashboard")).text
    text = ministry.get(reverse("web:dashboard")).text
    assert "Attend le Ministère" in text and "Attend le préfet" not in text
    text = agent_grenoble.get(reverse("web:dashboard")).text
    assert "Attend le préfet" in text and reverse("web:project_create") in text


DASHBOARD_SECTIONS = (
    "Demandes à valider",
    "Crédits à déléguer aux départements",
    "Décisions en attente",
    "Crédits délégués à engager",
    "Projets engagés, à solder sur leur bilan",
    "À traiter",
)


def test_f38_each_step_of_the_money_chain_waits_on_its_actors_home(
    prefect_isere: PersonaClient, ministry: PersonaClient, instructor_isere: PersonaClient
) -> None:
    """The Ministère sees what to validate and what to delegate; the préfet what to decide, the
    credits to commit and the projects to settle; the instructeur none of those."""
    ProjectFactory(prefect_approved=True, title="À valider par le Ministère")
    ProjectFactory(ministry_approved=True, title="Crédits à déléguer")
    ProjectFactory(credits_delegated=True, title="Crédits à engager")
    ProjectFactory(funded=True, title="Projet à solder")

    def sections(client: PersonaClient) -> dict[str, str]:
        page = text_of(client.get(reverse("web:dashboard")).text)
        return {title: page.split(title, 1)[1][:400] for title in DASHBOARD_SECTIONS if title in page}

    found = sections(ministry)
    assert "À valider par le Ministère" in found["Demandes à valider"].split("Crédits à déléguer")[0]
    assert "Crédits à déléguer" in found["Crédits à déléguer aux départements"]
    found = sections(prefect_isere)
    assert "Crédits à engager" in found["Crédits délégués à engager"]
    assert "Projet à solder" in found["Projets engagés, à solder sur leur bilan"]
    text = text_of(instructor_isere.get(reverse("web:dashboard")).text)
    assert not any(title in text for title in ("Crédits à engager", "Projet à solder", "Crédits à déléguer"))


@pytest.mark.parametrize("name", ["agent_grenoble", "instructor_isere", "prefect_isere", "diair", "ministry"])
def test_navigation_has_ptai(request: pytest.FixtureRequest, name: str) -> None:
    assert "Projets (PTAI)" in persona(request, name).get(reverse("web:dashboard")).text


def test_operator_has_no_ptai_in_navigation(operator_user: PersonaClient) -> None:
    assert "Projets (PTAI)" not in operator_user.get(reverse("web:dashboard")).text
