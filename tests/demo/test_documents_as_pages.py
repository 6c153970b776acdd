"""Issue 10, « Documents »: each generated document of the demo, looked at as its recipient sees it.

Every kind of letter, decision, contract and amendment the demo generates, and a committee's
agenda and relevé de décisions, are rendered to PNG pages in `build/screenshots/documents/` (read
them), and each carries the authority's block: the Republic's heading, who issues it, where and when,
and who signs.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.enums import Role
from accounts.models import User
from demo.accounts import DEMO_ACCOUNTS
from projects.documents import generate_decision_documents, generate_refusal_letter
from projects.enums import ProjectState
from projects.models import Project
from steering.models import Committee

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "documents"
DATE = re.compile(
    r", le (1er|\d{1,2}) (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}"
)


def look_at(name: str, pdf: bytes) -> str:
    """Save every page of `pdf` as build/screenshots/documents/<name>-p<N>.png; return its text."""
    PAGES.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document, start=1):
            page.render(scale=1.5).to_pil().save(PAGES / f"{name}-p{number}.png")
    finally:
        document.close()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


@pytest.mark.parametrize("kind", ["ordre-du-jour", "releve-de-decisions"])
def test_a_committee_s_agenda_and_decisions(db_access: dict[str, Any], kind: str) -> None:
    committee = Committee.objects.filter(decisions__isnull=False).order_by("pk").first()
    assert committee is not None
    client = Client()
    diair = next(a for a in DEMO_ACCOUNTS if a.role == Role.DIAIR)
    client.force_login(User.objects.get(email=diair.address))
    response = client.get(reverse("web:committee_pdf", args=[committee.pk, kind]))
    assert response.status_code == 200
    text = look_at(f"comite-{kind}", response.content)
    assert "RÉPUBLIQUE FRANÇAISE" in text
    assert str(committee.held_on.year) in text


# Issue 10, « Documents »: the PTAI's letters as the demo's files would carry them. (The demo seed of these
# tests is never committed, so the letters its transitions enqueue after their commit are made here.)
PREFECT = re.compile(r"(La préfète|Le préfet) (de|du|des|d')")


def _prefect_of(project: Project) -> User:
    return User.objects.filter(
        memberships__role=Role.PREFECT, memberships__department=project.department, is_active=True
    ).first() or User.objects.get(email=next(a for a in DEMO_ACCOUNTS if a.role == Role.PREFECT).address)


@pytest.mark.parametrize("state", [ProjectState.FUNDED, ProjectState.PREFECT_REFUSED])
def test_the_ptai_letters_carry_the_authority_block(db_access: dict[str, Any], state: str) -> None:
    project = Project.objects.filter(state=state).order_by("pk").first()
    assert project is not None, f"the demo has no PTAI « {state} »"
    prefect = _prefect_of(project)
    if state == ProjectState.FUNDED:
        documents = generate_decision_documents(project, prefect)
    else:
        documents = [generate_refusal_letter(project, prefect)]
    for document in documents:
        with document.file.open("rb") as handle:
            text = look_at(document.kind, handle.read())
        assert "RÉPUBLIQUE FRANÇAISE" in text
        assert "Liberté Égalité Fraternité" in text
        assert DATE.search(text), f"no place and date in « {document.kind} »: {text[:300]}"
        assert PREFECT.search(text), f"no signatory in « {document.kind} »: {text[-400:]}"
        for raw in ("None", "False", "True", "{{", "}}"):
            assert raw not in text.split(), f"« {raw} » printed in « {document.kind} »"
