"""F23: national and départemental steering committees with decisions on the files' timelines,
their agenda and relevé de décisions as PDF, and the qualitative evaluations of actions."""

from __future__ import annotations

import html
import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.enums import Role
from audit.models import Event
from steering.enums import CommitteeLevel
from steering.models import Committee, Evaluation
from tests.factories import isere, make_user, metropole_de_lyon, rhone
from tests.projects.factories import ProjectFactory
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def people():
    return {
        "diair": make_user(Role.DIAIR),
        "prefect_isere": make_user(Role.PREFECT, department=isere()),
        "prefect_rhone": make_user(Role.PREFECT, department=rhone()),
        "instructor_isere": make_user(Role.INSTRUCTOR, department=isere()),
    }


def test_f23_the_diair_records_a_national_committee_whose_decision_shows_on_the_file_s_timeline(people):
    isere_file = ProjectFactory(funded=True)
    rhone_file = ProjectFactory(funded=True, lead_authority=metropole_de_lyon())
    diair = PersonaClient(people["diair"])
    response = diair.post(
        reverse("web:committee_new"),
        {
            "level": CommitteeLevel.NATIONAL,
            "held_on": "2022-06-15",
            "title": "Comité national de pilotage — premier semestre 2022",
            "agenda": "1. Bilan des CTAI signés\n2. PTAI engagés",
            "participants": [people["diair"].pk],
            "external_participants": "DGEF : sous-direction de l'intégration",
            "projects": [isere_file.pk, rhone_file.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    committee = Committee.objects.get()
    detail = reverse("web:committee_detail", args=[committee.pk])
    assert (
        diair.post(detail, {"target": f"project:{isere_file.pk}", "text": "Évaluer l'action en 2023."}).status_code
        == 302
    )
    decision = Event.objects.for_target(isere_file).get(verb="steering.decision")
    assert decision.details["décision"] == "Évaluer l'action en 2023."
    timeline = PersonaClient(people["instructor_isere"]).get(reverse("web:project_detail", args=[isere_file.pk]))
    assert "Évaluer l'action en 2023." in html.unescape(timeline.content.decode())

    pdf = diair.get(reverse("web:committee_pdf", args=[committee.pk, "releve-de-decisions"]))
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "Relevé de décisions" in text and "Évaluer l'action en 2023." in text
    agenda = pdf_text(diair.get(reverse("web:committee_pdf", args=[committee.pk, "ordre-du-jour"])).content)
    assert "Bilan des CTAI signés" in agenda and "Évaluer l'action" not in agenda
    # A préfet of Rhône sees the national committee, not a départemental one of Isère.
    assert PersonaClient(people["prefect_rhone"]).get(detail).status_code == 200


def test_a_departmental_committee_reviews_the_files_of_its_departement_only(people):
    isere_file = ProjectFactory(funded=True)
    rhone_file = ProjectFactory(funded=True, lead_authority=metropole_de_lyon())
    prefect = PersonaClient(people["prefect_isere"])
    form = {
        "level": CommitteeLevel.DEPARTMENT,
        "department": "38",
        "held_on": "2022-05-10",
        "title": "Comité départemental de l'Isère",
        "agenda": "Suivi des actions",
        "projects": [isere_file.pk],
    }
    # The Rhône file is not even offered to the préfet of Isère.
    refused = prefect.post(reverse("web:committee_new"), {**form, "projects": [rhone_file.pk]})
    assert refused.status_code == 400
    assert prefect.post(reverse("web:committee_new"), form).status_code == 302
    committee = Committee.objects.get()
    assert committee.department == isere()
    assert (
        PersonaClient(people["prefect_rhone"]).get(reverse("web:committee_detail", args=[committee.pk])).status_code
        == 404
    )
    assert PersonaClient(people["instructor_isere"]).get(reverse("web:committee_new")).status_code == 404
    national = prefect.post(reverse("web:committee_new"), {**form, "level": CommitteeLevel.NATIONAL})
    assert national.status_code == 400  # a préfet does not hold the national committee


def test_f23_the_diair_records_the_evaluation_of_a_retained_action(people):
    project = ProjectFactory(closed=True)
    diair = PersonaClient(people["diair"])
    url = reverse("web:evaluation_create", args=["ptai", project.pk])
    missing = diair.post(url, {"evaluator": "", "questions": "", "method": "", "completed_on": "2023-01-10"})
    assert missing.status_code == 400
    ok = diair.post(
        url,
        {
            "evaluator": "Cabinet Pluricité",
            "questions": "L'action a-t-elle favorisé l'accès à l'emploi ?",
            "method": "Entretiens avec 20 bénéficiaires et les partenaires ; analyse des bilans.",
            "findings": "Accès à l'emploi de 40 % des participants.",
            "recommendations": "Élargir aux autres primo-arrivants.",
            "summary": "Action efficace, à essaimer.",
            "completed_on": "2023-01-10",
        },
    )
    assert ok.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.department, evaluation.completed_on) == (isere(), date(2023, 1, 10))
    assert (
        "Action efficace, à essaimer."
        in PersonaClient(people["prefect_isere"]).get(reverse("web:evaluation_list")).content.decode()
    )
    assert (
        "Action efficace"
        not in PersonaClient(people["prefect_rhone"]).get(reverse("web:evaluation_list")).content.decode()
    )
    assert PersonaClient(people["prefect_isere"]).get(url).status_code == 404  # the Diair evaluates
