"""A file's documents and thread through the API (`api.files`): PTAI and CTAI, the same services as
their pages (`projects.services.attach_document`, `contracts.documents.attach_document`,
`messaging.services.post_message`): content checks (400), 413 above the size limit, 415 for a JSON
upload, 403 in scope without the right, 404 outside, 409 for a document not attachable in the
file's state; internal notes and documents for State agents only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from contracts.enums import ContractState
from documents.models import Document
from tests.api.conftest import API, ApiClient
from tests.contracts.conftest import make_contract
from tests.documents.files import exe_bytes, pdf_bytes, upload
from tests.projects.conftest import make_persona
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def client(persona: str) -> ApiClient:
    return ApiClient(make_persona(persona))


def send(caller: ApiClient, url: str, content: bytes, name: str = "piece.pdf", **fields: str) -> Any:
    return caller.post(url, {"file": upload(name, content), **fields})


def status(response: Any, expected: int) -> dict[str, Any]:
    assert response.status_code == expected, response.content
    body: dict[str, Any] = response.json()
    return body


def test_ptai_documents_uploaded_listed_and_downloaded_as_on_the_request_page() -> None:
    project = ProjectFactory()
    url = f"{API}/ptai/{project.pk}/documents/"
    agent, instructor, rhone = client("agent_lead"), client("instructor_isere"), client("instructor_rhone")

    created = status(send(agent, url, pdf_bytes()), 201)
    assert (created["kind"], created["name"], created["content_type"]) == (
        "piece-jointe",
        "piece.pdf",
        "application/pdf",
    )
    assert created["url"] == f"{API}/ptai/{project.pk}/documents/{created['id']}/"
    assert status(send(agent, url, exe_bytes(), "outil.pdf"), 400)["code"] == "file_type"
    assert status(send(agent, url, pdf_bytes(), kind="decision"), 400)["errors"].keys() == {"kind"}
    assert status(agent.post_json(url, {"file": "x"}), 415)["code"] == "unsupported_media_type"
    assert status(send(instructor, url, pdf_bytes()), 403)["code"] == "permission_denied"
    assert status(send(rhone, url, pdf_bytes()), 404)["code"] == "not_found"
    with override_settings(DOCUMENT_MAX_BYTES=100):
        assert status(send(agent, url, pdf_bytes()), 413)["code"] == "file_too_large"

    listed = instructor.get_json(url)
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    download = instructor.get(created["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == pdf_bytes()  # type: ignore[attr-defined]
    assert rhone.get(created["url"]).status_code == 404
    other = ProjectFactory()
    assert agent.get(f"{API}/ptai/{other.pk}/documents/{created['id']}/").status_code == 404

    in_review = ProjectFactory(in_review=True)
    late = f"{API}/ptai/{in_review.pk}/documents/"
    assert status(send(agent, late, pdf_bytes()), 409)["code"] == "document_not_now"
    assert Document.objects.count() == 1


def test_ptai_thread_messages_and_internal_notes() -> None:
    project = ProjectFactory(submitted=True)
    url = f"{API}/ptai/{project.pk}/messages/"
    agent, instructor = client("agent_lead"), client("instructor_isere")
    posted = status(agent.post_json(url, {"body": "  Voici la pièce demandée.  "}), 201)
    assert (posted["body"], posted["is_internal"], posted["attachments"]) == ("Voici la pièce demandée.", False, [])
    status(instructor.post_json(url, {"body": "Avis du service : favorable.", "is_internal": True}), 201)
    assert status(agent.post_json(url, {"body": "Note", "is_internal": True}), 403)["code"] == "permission_denied"
    assert status(agent.post_json(url, {"body": "   "}), 400)["errors"].keys() == {"body"}
    assert [m["body"] for m in agent.get_json(url)["results"]] == ["Voici la pièce demandée."]
    assert [m["is_internal"] for m in instructor.get_json(url)["results"]] == [False, True]
    assert client("instructor_rhone").get_json(url, 404)["code"] == "not_found"


def test_ctai_documents_by_kind_and_state_and_its_thread_for_the_contract_s_people() -> None:
    contract = make_contract(ContractState.CONTACT)
    documents, messages = f"{API}/ctai/{contract.pk}/documents/", f"{API}/ctai/{contract.pk}/messages/"
    agent, prefect, instructor = client("agent_lead"), client("prefect_isere"), client("instructor_isere")

    letter = status(send(agent, documents, pdf_bytes(), "lettre.pdf", kind="lettre-engagement"), 201)
    assert letter["kind"] == "lettre-engagement"
    assert status(send(agent, documents, pdf_bytes()), 400)["code"] == "kind"
    assert status(send(agent, documents, pdf_bytes(), kind="contrat-signe"), 409)["code"] == "document_not_now"
    assert status(send(instructor, documents, pdf_bytes(), kind="lettre-engagement"), 403)["code"] == (
        "permission_denied"
    )
    assert [row["name"] for row in instructor.get_json(documents)["results"]] == ["lettre.pdf"]
    assert instructor.get(letter["url"]).status_code == 200
    assert client("agent_other").get(letter["url"]).status_code == 404

    status(prefect.post_json(messages, {"body": "Bien reçu."}), 201)
    assert status(instructor.post_json(messages, {"body": "Et moi ?"}), 403)["code"] == "permission_denied"
    assert [m["body"] for m in agent.get_json(messages)["results"]] == ["Bien reçu."]
