"""Issue 10, « Documents »: each generated letter carries the block of the authority that issues it —
the préfecture's name and address (its settings, `referential.Prefecture`), the place and date, who
decides and signs (« Le préfet de l'Isère », « Pour le préfet de l'Isère et par délégation », « Pour le
ministre de l'Intérieur et par délégation »)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from accounts.services import set_signing_delegation
from projects.documents import generate_decision_documents, generate_refusal_letter
from referential.models import Department, Prefecture
from tests.projects.conftest import make_persona
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def text(document: Any) -> str:
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
        return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def isere_prefecture(db: Any) -> Prefecture:
    return Prefecture.objects.create(
        department=Department.objects.get(code="38"),
        name="Préfecture de l'Isère",
        siret="17380001200017",
        street="12 place de Verdun",
        postcode="38000",
        city="Grenoble",
    )


def test_the_decision_is_issued_by_the_prefecture_and_signed_by_the_prefect(isere_prefecture: Prefecture) -> None:
    prefect = make_persona("prefect_isere")
    project = ProjectFactory(funded=True, reference="PTAI-2021-38-0042")
    log = project.transitions.create(transition="commit", source="credits_delegated", target="funded", actor=prefect)
    project.transitions.filter(pk=log.pk).update(created_at=datetime(2021, 6, 15, 10, 0, tzinfo=UTC))
    decision, letter = generate_decision_documents(project, prefect)
    for document in (decision, letter):
        body = text(document)
        assert "Préfecture de l'Isère" in body and "12 place de Verdun, 38000 Grenoble" in body
        assert "Grenoble, le 15 juin 2021" in body  # the day of the commitment, not of the PDF
        assert "Le préfet de l'Isère" in body and prefect.get_full_name() in body


def test_an_agent_with_the_signing_delegation_signs_for_the_prefect(isere_prefecture: Prefecture) -> None:
    prefect, instructor = make_persona("prefect_isere"), make_persona("instructor_isere")
    membership = instructor.memberships.get()
    set_signing_delegation(actor=prefect, membership=membership, granted=True)
    project = ProjectFactory(funded=True, reference="PTAI-2021-38-0043")
    decision, _ = generate_decision_documents(project, instructor)
    assert "Pour le préfet de l'Isère et par délégation" in text(decision)


def test_without_its_settings_the_prefecture_is_named_from_insee_and_the_ministry_signs_its_refusals() -> None:
    """No address kept for the Rhône: its name still reads right (« du Rhône »)."""
    ministry = make_persona("ministry")
    project = ProjectFactory(ministry_refused=True, reference="PTAI-2021-38-0044")
    project.transitions.create(
        transition="ministry_refuse",
        source="prefect_approved",
        target="ministry_refused",
        actor=ministry,
        reason="Hors programme.",
    )
    body = text(generate_refusal_letter(project, ministry))
    assert "Pour le ministre de l'Intérieur et par délégation" in body and "Hors programme." in body
    assert Department.objects.get(code="69").prefecture_name == "Préfecture du Rhône"
    assert Department.objects.get(code="31").prefect_title == "Le préfet de la Haute-Garonne"
