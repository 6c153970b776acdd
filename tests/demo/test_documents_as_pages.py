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
from django.utils.text import capfirst
from pypdf import PdfReader

from accounts.enums import Role
from accounts.models import User
from contracts.amendments import generate_pdf
from contracts.documents import LETTER_STATES, generate_letter, generate_text_pdf
from contracts.enums import ContractState
from contracts.models import Amendment, Contract
from contracts.services import apply_transition
from demo.accounts import DEMO_ACCOUNTS
from documents.templatetags.documents_pdf import long_date
from projects.documents import generate_decision_documents, generate_refusal_letter
from projects.enums import ProjectState
from projects.models import Project
from referential.naming import letter_name, of_commune
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


def _diair() -> User:
    return User.objects.get(email=next(a for a in DEMO_ACCOUNTS if a.role == Role.DIAIR).address)


def _assert_authority_block(name: str, text: str) -> None:
    assert "RÉPUBLIQUE FRANÇAISE" in text, name
    for raw in ("None", "False", "True", "{{", "}}"):
        assert raw not in text.split(), f"« {raw} » printed in « {name} »"


def test_the_ptai_letters_name_the_collectivite_as_a_letter_does(db_access: dict[str, Any]) -> None:
    """Not « Voiron » alone: « Madame la Maire, Monsieur le Maire / Mairie de Voiron », « la commune de
    Voiron a sollicité »."""
    project = (
        Project.objects.filter(state=ProjectState.PREFECT_REFUSED, lead_authority__kind="commune")
        .select_related("lead_authority")
        .order_by("pk")
        .first()
    )
    assert project is not None, "the demo has no refused PTAI of a commune"
    with generate_refusal_letter(project, _prefect_of(project)).file.open("rb") as handle:
        text = look_at("lettre-refus-commune", handle.read())
    commune = project.lead_authority.name
    assert f"Madame la Maire, Monsieur le Maire Mairie {of_commune(commune)}" in text
    assert f"la commune {of_commune(commune)} a sollicité" in text
    assert "Madame la Maire, Monsieur le Maire, J'ai" in text or "Madame la Maire, Monsieur le Maire, Par" in text


def test_the_ctai_documents_carry_the_authority_block(db_access: dict[str, Any]) -> None:
    """The lettre d'engagement (F18), the contract's text with its signature blocks, and an amendment
    (F24), as the demo's contracts print them."""
    diair = _diair()
    early = Contract.objects.filter(state__in=LETTER_STATES).select_related("authority", "department").first()
    assert early is not None, "the demo has no CTAI before its lettre d'engagement"
    with generate_letter(contract=early, user=diair).file.open("rb") as handle:
        text = look_at("ctai-lettre-engagement", handle.read())
    assert f"{capfirst(letter_name(early.authority).in_sentence)} fait part" in text
    assert f"Préfet {early.department.of_name}" in text

    signed = (
        Contract.objects.filter(state=ContractState.SIGNED)
        .select_related("authority", "department")
        .order_by("pk")
        .first()
    )
    assert signed is not None, "the demo has no signed CTAI"
    with generate_text_pdf(contract=signed, user=diair).file.open("rb") as handle:
        text = look_at("ctai-contrat", handle.read())
    _assert_authority_block("contrat", text)
    assert f"Pour {letter_name(signed.authority).in_sentence}" in text
    assert f"Le préfet {signed.department.of_name}" in text
    assert f"le {long_date(signed.signed_on)}" in text, "a signed contract is dated of its signature"

    amendment = Amendment.objects.filter(contract__state=ContractState.SIGNED).select_related("contract").first()
    if amendment is None:
        apply_transition(
            contract=signed,
            name="amend",
            user=diair,
            summary="Ajout d'une action de mobilité",
            objects_changed=["objectives"],
        )
        amendment = Amendment.objects.filter(contract=signed).get()
    with generate_pdf(amendment=amendment, user=diair).file.open("rb") as handle:
        text = look_at("ctai-avenant", handle.read())
    _assert_authority_block("avenant", text)
    assert f"représenté par le préfet {amendment.contract.department.of_name}, et" in text
