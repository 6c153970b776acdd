"""The contract page's documents, thread, amendments and versions (F18, F19, F21, F24).

- F18: the lettre d'engagement generated from its model is a real PDF addressed to the préfet de
  département and the Diair; or uploaded, checked by its content;
- F19: the diagnostic's document; the thread where the Diair is asked for support at any time,
  with internal notes the collectivité never sees and e-mails sent after the commit;
- F21: the contract's text pre-filled from its model and edited while drafting, printed; the
  signed scan after the signature;
- F24: an amendment through the pages, signed by the préfet only, and the contract's versions;
- downloads: 404 outside the contract's scope and for internal documents to non-State users;
- query budgets: the contract page with 10 and 1 000 amendments, documents and messages.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from contracts.enums import AmendmentState, ContractState
from contracts.models import Amendment, Contract
from documents.models import Document
from documents.uploads import REFUSED_TYPE_MESSAGE
from messaging.models import Message, Thread
from tests.contracts.conftest import make_contract
from tests.documents.files import pdf_bytes
from tests.web.html import field_errors, text_of
from tests.web.personas import PersonaClient, persona

pytestmark = pytest.mark.django_db
S = ContractState

SEES_ISERE = ("agent_grenoble", "instructor_isere", "prefect_isere", "diair", "ministry", "admin")
NOT_ISERE = ("agent_lyon", "instructor_rhone", "prefect_rhone", "operator_user", "no_role_user")
CONTRIBUTORS = ("agent_grenoble", "prefect_isere", "diair")
# The file page with amendments, documents, messages with attachments, versions, committees, reports, evaluations.
PAGE_BUDGET = 23


def detail(contract: Contract) -> str:
    return reverse("web:contract_detail", args=[contract.pk])


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def download(client: PersonaClient, document: Document) -> Any:
    return client.get(reverse("web:contract_document_download", args=[document.pk]))


def signed_contract() -> Contract:
    return make_contract(
        S.SIGNED,
        effective_to=date(2024, 12, 31),
        duration_years=3,
        elected_official_name="Christophe Ferrari",
        prefect_name="Laurent Prévost",
        title="CTAI de Grenoble-Alpes-Métropole",
    )


# --- F18: the lettre d'engagement ---------------------------------------------------------------


def test_f18_the_letter_generated_from_its_model_is_a_real_pdf(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.CONTACT, signature_year=2022)
    agent = persona(request, "agent_grenoble")
    assert "Préparer la lettre d'engagement" in agent.get(detail(contract)).text
    response = agent.post(reverse("web:contract_letter", args=[contract.pk]))
    assert response.status_code == 302
    letter = Document.objects.for_target(contract).get(kind="lettre-engagement")
    assert letter.content_type == "application/pdf"

    got = download(agent, letter)
    assert got.status_code == 200
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    content = b"".join(got.streaming_content)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Lettre d'engagement" in text and "Grenoble-Alpes-Métropole" in text
    assert "Isère" in text and "Diair" in text and "signature en 2022" in text
    page = text_of(agent.get(detail(contract)).text)
    assert letter.original_name in page


@pytest.mark.parametrize("who", ["agent_lyon", "prefect_rhone", "instructor_isere", "ministry"])
def test_the_letter_is_prepared_by_the_contributors_only(request: pytest.FixtureRequest, who: str) -> None:
    contract = make_contract(S.CONTACT)
    assert persona(request, who).post(reverse("web:contract_letter", args=[contract.pk])).status_code == 404
    assert not Document.objects.for_target(contract).exists()


def test_f18_upload_is_checked_by_its_content(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.CONTACT)
    agent = persona(request, "agent_grenoble")
    url = reverse("web:contract_document_upload", args=[contract.pk])
    assert agent.get(url).status_code == 200
    disguised = SimpleUploadedFile("lettre.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    refused = agent.post(url, {"kind": "lettre-engagement", "file": disguised})
    assert refused.status_code == 200
    assert field_errors(refused.text, "id_file") == [REFUSED_TYPE_MESSAGE]
    # The diagnostic's document is not asked at "prise de contact".
    early = agent.post(url, {"kind": "diagnostic", "file": SimpleUploadedFile("d.pdf", pdf_bytes())})
    assert early.status_code == 200 and field_errors(early.text, "id_kind") == ["Choix invalide."]
    assert not Document.objects.for_target(contract).exists()

    done = agent.post(url, {"kind": "lettre-engagement", "file": SimpleUploadedFile("lettre signée.pdf", pdf_bytes())})
    assert done.status_code == 302
    stored = Document.objects.for_target(contract).get()
    assert (stored.kind, stored.content_type, stored.original_name) == (
        "lettre-engagement",
        "application/pdf",
        "lettre signée.pdf",
    )


@pytest.mark.parametrize("who", ["agent_lyon", "prefect_rhone", "instructor_isere", "ministry", "operator_user"])
def test_upload_page_404_for_non_contributors(request: pytest.FixtureRequest, who: str) -> None:
    contract = make_contract(S.DIAGNOSIS)
    url = reverse("web:contract_document_upload", args=[contract.pk])
    client = persona(request, who)
    assert client.get(url).status_code == 404
    file = SimpleUploadedFile("d.pdf", pdf_bytes())
    assert client.post(url, {"kind": "diagnostic", "file": file}).status_code == 404
    assert not Document.objects.for_target(contract).exists()


def test_f19_the_diagnostic_document_and_f21_the_signed_scan(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.DIAGNOSIS)
    diair = persona(request, "diair")
    url = reverse("web:contract_document_upload", args=[contract.pk])
    file = SimpleUploadedFile("diagnostic.pdf", pdf_bytes())
    assert diair.post(url, {"kind": "diagnostic", "file": file}).status_code == 302
    assert Document.objects.for_target(contract).get().kind == "diagnostic"

    signed = signed_contract()
    prefect = persona(request, "prefect_isere")
    url = reverse("web:contract_document_upload", args=[signed.pk])
    scan = SimpleUploadedFile("ctai-signe.pdf", pdf_bytes())
    assert prefect.post(url, {"kind": "contrat-signe", "file": scan}).status_code == 302
    page = text_of(prefect.get(detail(signed)).text)
    assert "Contrat signé" in page and "ctai-signe.pdf" in page


# --- Downloads: scope and internal documents ------------------------------------------------------


@pytest.mark.parametrize("who", [*SEES_ISERE, *NOT_ISERE])
def test_download_404_outside_the_contract_scope(request: pytest.FixtureRequest, who: str) -> None:
    contract = make_contract(S.DIAGNOSIS)
    from contracts.documents import attach_document
    from tests.contracts.conftest import make_persona

    document = attach_document(
        contract=contract,
        user=make_persona("agent_own"),
        kind="diagnostic",
        uploaded_file=SimpleUploadedFile("diagnostic.pdf", pdf_bytes()),
    )
    assert download(persona(request, who), document).status_code == (200 if who in SEES_ISERE else 404)


def test_download_of_a_document_that_is_not_a_contract_s_is_404(request: pytest.FixtureRequest) -> None:
    """The contracts' download serves only documents of contracts, amendments and their threads."""
    from documents.services import attach
    from tests.factories import grenoble_metropole

    other = attach(
        actor=None,
        target=grenoble_metropole(),
        uploaded_file=SimpleUploadedFile("x.pdf", pdf_bytes()),
        kind="piece",
    )
    assert download(persona(request, "ministry"), other).status_code == 404


# --- F19: the thread with the Diair -----------------------------------------------------------


def test_f19_thread_internal_note_hidden_from_the_agent_and_emails_after_commit(
    request: pytest.FixtureRequest, django_capture_on_commit_callbacks: Any
) -> None:
    contract = make_contract(S.DIAGNOSIS)
    agent = persona(request, "agent_grenoble")
    prefect = persona(request, "prefect_isere")
    diair = persona(request, "diair")
    url = reverse("web:contract_message", args=[contract.pk])
    question = "Pouvez-vous nous aider à chiffrer les besoins de logement ?"
    with django_capture_on_commit_callbacks(execute=True):
        assert agent.post(url, {"body": question}).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([prefect.user.email, diair.user.email])  # type: ignore[union-attr]
    assert question not in mail.outbox[0].body  # the message stays behind the log-in

    mail.outbox.clear()
    note = "Note interne : la collectivité sous-estime les sorties de CPH."
    with django_capture_on_commit_callbacks(execute=True):
        done = prefect.post(
            url, {"body": note, "is_internal": "on", "attachment": SimpleUploadedFile("n.pdf", pdf_bytes())}
        )
    assert done.status_code == 302
    assert [m.to[0] for m in mail.outbox] == [diair.user.email]  # type: ignore[union-attr]
    attachment = Document.objects.get(original_name="n.pdf")
    assert attachment.is_internal

    agent_page = text_of(agent.get(detail(contract)).text)
    assert question in agent_page and "Message envoyé" in agent_page  # the timeline keeps the other events
    assert note not in agent_page and "Note interne ajoutée" not in agent_page and "n.pdf" not in agent_page
    assert download(agent, attachment).status_code == 404
    diair_page = text_of(diair.get(detail(contract)).text)
    assert question in diair_page and note in diair_page and "Note interne ajoutée" in diair_page
    assert download(diair, attachment).status_code == 200

    # The agent cannot write an internal note (no such field; a forged one is refused).
    forged = agent.post(url, {"body": "Note ?", "is_internal": "on"})
    assert forged.status_code == 302
    assert not Message.objects.filter(body="Note ?", is_internal=True).exists()


@pytest.mark.parametrize("who", ["instructor_isere", "ministry", "agent_lyon", "prefect_rhone", "operator_user"])
def test_thread_is_written_by_the_collectivite_the_prefect_and_the_diair(
    request: pytest.FixtureRequest, who: str
) -> None:
    contract = make_contract(S.DIAGNOSIS)
    client = persona(request, who)
    assert client.post(reverse("web:contract_message", args=[contract.pk]), {"body": "Bonjour"}).status_code == 404
    assert not Message.objects.exists()


def test_empty_message_refused_beside_the_form(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.DIAGNOSIS)
    response = persona(request, "diair").post(reverse("web:contract_message", args=[contract.pk]), {"body": " "})
    assert response.status_code == 200
    assert field_errors(response.text, "id_body") != []


# --- F21: the contract's text ------------------------------------------------------------------


def test_f21_contract_text_prefilled_edited_while_drafting_and_printed(request: pytest.FixtureRequest) -> None:
    contract = make_contract(S.DRAFTING, duration_years=3, coordinator_name="Camille Martin")
    agent = persona(request, "agent_grenoble")
    url = reverse("web:contract_text", args=[contract.pk])
    form = agent.get(url).text
    assert "Grenoble-Alpes-Métropole" in form and "Isère" in form and "3 ans" in form and "Camille Martin" in form
    text = "Article 1 — Objet\n\nLe contrat de Grenoble-Alpes-Métropole, rédigé avec la Diair."
    assert agent.post(url, {"text": text}).status_code == 302
    contract.refresh_from_db()
    assert contract.text == text
    prefect = persona(request, "prefect_isere")
    assert prefect.post(reverse("web:contract_text_pdf", args=[contract.pk])).status_code == 302
    printed = Document.objects.for_target(contract).get(kind="texte-contrat")
    assert "rédigé avec la Diair" in pdf_text(b"".join(download(prefect, printed).streaming_content))
    page = text_of(agent.get(detail(contract)).text)
    assert "Texte du contrat modifié" in page and "Texte du contrat : rempli" in page
    assert agent.user is not None and f"par {agent.user}" in page
    for who in ("instructor_isere", "ministry", "agent_lyon"):
        assert persona(request, who).post(url, {"text": "x"}).status_code == 404
    signed = signed_contract()
    assert agent.get(reverse("web:contract_text", args=[signed.pk])).status_code == 404  # no longer editable


# --- F24: an amendment through the pages --------------------------------------------------------


def test_f24_amendment_through_the_pages_and_the_versions(request: pytest.FixtureRequest) -> None:
    contract = signed_contract()
    agent = persona(request, "agent_grenoble")
    prefect = persona(request, "prefect_isere")
    amend = reverse("web:contract_transition", args=[contract.pk, "amend"])
    form = agent.get(amend)
    assert form.status_code == 200 and "Ce que l'avenant modifie" in text_of(form.text)
    missing = agent.post(amend, {"etat": S.SIGNED, "reason": "Prolongation."})
    assert missing.status_code == 200 and "Cochez ce que l'avenant modifie." in text_of(missing.text)
    done = agent.post(
        amend,
        {
            "etat": S.SIGNED,
            "reason": "Prolongation d'un an.",
            "objects_changed": ["dates"],
            "new_effective_to": "2025-12-31",
            "new_duration_years": "4",
        },
    )
    assert done.status_code == 302
    amendment = Amendment.objects.get(contract=contract)
    page = text_of(agent.get(detail(contract)).text)
    assert "Avenant n° 1" in page and "En rédaction" in page

    sign = reverse("web:contract_amendment_transition", args=[contract.pk, 1, "sign"])
    assert agent.get(sign).status_code == 404  # only the préfet signs
    assert agent.post(sign, {"etat": "drafted", "signed_on": "2023-06-15"}).status_code == 404
    amendment_page = reverse("web:contract_amendment", args=[contract.pk, 1])
    assert prefect.get(amendment_page).status_code == 200
    assert prefect.post(reverse("web:contract_amendment_pdf", args=[contract.pk, 1])).status_code == 302
    assert prefect.get(sign).status_code == 200
    assert prefect.post(sign, {"etat": "drafted", "signed_on": "2023-06-15"}).status_code == 302
    again = prefect.post(sign, {"etat": "drafted", "signed_on": "2023-06-15"})
    assert again.status_code == 302  # a double click: nothing applied twice
    amendment.refresh_from_db()
    contract.refresh_from_db()
    assert amendment.state == AmendmentState.SIGNED and contract.effective_to == date(2025, 12, 31)

    scan_url = reverse("web:contract_amendment_scan", args=[contract.pk, 1])
    assert agent.post(scan_url, {"file": SimpleUploadedFile("avenant-signe.pdf", pdf_bytes())}).status_code == 302
    page = agent.get(detail(contract))
    versions = text_of(page.text)
    assert "Versions du contrat" in versions and "Avenant n° 1 signé" in versions
    assert "Effet jusqu'au : 31/12/2024 → 31/12/2025" in versions
    assert "Durée (années) : 3 → 4" in versions
    assert "avenant-1-ctai" in versions and "avenant-signe.pdf" in versions
    # Two versions of the contract: its creation and the amendment's.
    assert versions.count("Création") == 1
    assert f"par {prefect.user}" in versions


def test_amendment_pages_404_outside_the_scope(request: pytest.FixtureRequest) -> None:
    contract = signed_contract()
    Amendment.objects.create(
        contract=contract, number=1, objects_changed=["objectives"], summary="x", created_by=contract_agent(request)
    )
    url = reverse("web:contract_amendment", args=[contract.pk, 1])
    for who in SEES_ISERE:
        assert persona(request, who).get(url).status_code == 200
    for who in NOT_ISERE:
        assert persona(request, who).get(url).status_code == 404
    assert (
        persona(request, "agent_grenoble").get(reverse("web:contract_amendment", args=[contract.pk, 2])).status_code
        == 404
    )
    abandon = reverse("web:contract_amendment_transition", args=[contract.pk, 1, "abandon"])
    agent = persona(request, "agent_grenoble")
    empty = agent.post(abandon, {"etat": "drafted", "reason": ""})
    assert empty.status_code == 200 and "Indiquez : motif de l'abandon de l'avenant." in text_of(empty.text)
    assert agent.post(abandon, {"etat": "drafted", "reason": "Renoncement."}).status_code == 302
    assert Amendment.objects.get(contract=contract).state == AmendmentState.ABANDONED


def contract_agent(request: pytest.FixtureRequest) -> Any:
    return persona(request, "agent_grenoble").user


# --- Query budgets --------------------------------------------------------------------------------


def fill(contract: Contract, rows: int, author: Any) -> None:
    """`rows` amendments, documents (contract's and amendments') and messages, and versions."""
    amendments = Amendment.objects.bulk_create(
        Amendment(
            contract=contract,
            number=n + 1,
            objects_changed=["objectives"],
            summary=f"Avenant {n + 1}",
            created_by=author,
            state=AmendmentState.SIGNED if n % 2 else AmendmentState.DRAFTED,
            signed_on=date(2023, 1, 1) if n % 2 else None,
        )
        for n in range(rows)
    )
    contract_type = ContentType.objects.get_for_model(Contract)
    amendment_type = ContentType.objects.get_for_model(Amendment)

    def document(n: int) -> Document:
        on_amendment = n % 2 == 1
        return Document(
            target_type=amendment_type if on_amendment else contract_type,
            target_id=str(amendments[n].pk if on_amendment else contract.pk),
            kind="avenant" if on_amendment else "diagnostic",
            file=f"documents/2026/01/{n}",
            original_name=f"document-{n}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            is_internal=n % 5 == 0,
            uploaded_by=author,
        )

    Document.objects.bulk_create(document(n) for n in range(rows))
    thread = Thread.objects.create(target_type=contract_type, target_id=str(contract.pk))
    Message.objects.bulk_create(
        Message(thread=thread, author=author, body=f"Message {n}", is_internal=n % 3 == 0) for n in range(rows)
    )
    history = Contract.history.model
    base = contract.history.get()
    fields = [f.attname for f in history._meta.fields if f.attname != "history_id"]
    history.objects.bulk_create(
        history(**{**{name: getattr(base, name) for name in fields}, "history_type": "~", "duration_years": n % 4 + 1})
        for n in range(rows)
    )


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 rows"), pytest.param(1000, id="1000 rows")])
@pytest.mark.parametrize("name", ["agent_grenoble", "prefect_isere", "diair", "ministry"])
def test_contract_page_query_budget(
    request: pytest.FixtureRequest, name: str, rows: int, django_assert_max_num_queries: Any
) -> None:
    client = persona(request, name)
    contract = signed_contract()
    fill(contract, rows, contract_agent(request))
    url = detail(contract)
    first = client.get(url)
    assert first.status_code == 200
    assert f"Avenant n° {rows}" in first.text
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 rows"), pytest.param(1000, id="1000 rows")])
def test_amendment_page_query_budget(
    request: pytest.FixtureRequest, rows: int, django_assert_max_num_queries: Any
) -> None:
    """An amendment's page runs the same queries whatever the number of amendments and documents."""
    client = persona(request, "prefect_isere")
    contract = signed_contract()
    fill(contract, rows, contract_agent(request))
    url = reverse("web:contract_amendment", args=[contract.pk, 1])
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
