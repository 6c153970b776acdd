"""Uploads: the type is read from the content, refusals store nothing, internal files stay with the State."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from accounts.enums import Role
from audit.models import Event
from documents.models import Document
from documents.services import attach
from documents.uploads import REFUSED_TYPE_MESSAGE, XLSX, clean_name, name_for_type
from referential.models import Authority
from tests.documents import files
from tests.factories import commune, grenoble_metropole, isere, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def grenoble() -> Authority:
    return commune("38185")


@pytest.fixture
def agent():
    return make_user(Role.AGENT, authority=grenoble_metropole())


@pytest.fixture
def instructor():
    return make_user(Role.INSTRUCTOR, department=isere())


def trace() -> tuple[int, int, set[str]]:
    return Document.objects.count(), Event.objects.count(), files.stored_files()


ACCEPTED = [
    ("rapport.pdf", files.pdf_bytes, "application/pdf"),
    ("photo.png", lambda: files.image_bytes("PNG"), "image/png"),
    ("photo.jpg", lambda: files.image_bytes("JPEG"), "image/jpeg"),
    ("budget.xlsx", files.xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("note.docx", files.docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (
        "note.odt",
        lambda: files.odf_bytes("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "budget.ods",
        lambda: files.odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("beneficiaires.csv", lambda: b"commune;montant\nGrenoble;150000\n", "text/csv"),
    ("lisez-moi.txt", lambda: "Bénéficiaires : 12\r\n".encode("cp1252"), "text/plain"),
]


@pytest.mark.parametrize(("name", "make", "expected_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_types_are_stored_with_their_sha256(agent, grenoble, name, make, expected_type):
    content = make()
    document = attach(actor=agent, target=grenoble, uploaded_file=files.upload(name, content), kind="attachment")

    document.refresh_from_db()
    assert document.content_type == expected_type
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_name == name
    assert document.uploaded_by == agent
    assert document.target == grenoble
    # On disk: documents/<yyyy>/<mm>/<uuid>, never the user's name.
    assert re.fullmatch(r"documents/\d{4}/\d{2}/[0-9a-f]{32}", document.file.name)
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == content


REFUSED = [
    ("programme.pdf", files.exe_bytes),  # an .exe renamed .pdf
    ("page.txt", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("dessin.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ("archive.docx", lambda: files.zip_bytes({"a.txt": b"hello"})),  # a zip, but no office document
    ("macros.docx", files.docm_bytes),  # a Word document with macros
    ("autre.odt", lambda: files.odf_bytes("application/vnd.oasis.opendocument.presentation")),
    ("binaire.csv", lambda: b"a;b\n\x00\x01\x02"),
    ("photo.gif", lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
]


@pytest.mark.parametrize(("name", "make"), REFUSED, ids=[r[0] for r in REFUSED])
def test_other_types_are_refused_in_french_and_nothing_is_stored(agent, grenoble, name, make):
    before = trace()
    with pytest.raises(ValidationError) as refused:
        attach(actor=agent, target=grenoble, uploaded_file=files.upload(name, make(), "application/pdf"), kind="x")
    assert refused.value.messages == [REFUSED_TYPE_MESSAGE]
    assert "Ce type de fichier n'est pas accepté : PDF, images" in REFUSED_TYPE_MESSAGE
    assert trace() == before


def test_too_big_is_refused_and_nothing_is_stored(agent, grenoble, settings):
    settings.DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
    content = files.pdf_bytes() + b"%" * (2 * 1024 * 1024)
    before = trace()
    with pytest.raises(ValidationError) as refused:
        attach(actor=agent, target=grenoble, uploaded_file=files.upload("gros.pdf", content), kind="attachment")
    assert refused.value.messages == ["Le fichier « gros.pdf » dépasse la taille maximale autorisée (2 Mo)."]
    assert trace() == before


def test_default_limit_is_10_mb(agent, grenoble):
    content = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError, match="taille maximale autorisée \\(10 Mo\\)"):
        attach(actor=agent, target=grenoble, uploaded_file=files.upload("gros.pdf", content), kind="attachment")


def test_a_file_whose_declared_size_lies_is_measured(agent, grenoble, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    uploaded = files.upload("menteur.txt", b"a" * 5000)
    uploaded.size = 10  # what a client could claim
    with pytest.raises(ValidationError, match="dépasse la taille maximale"):
        attach(actor=agent, target=grenoble, uploaded_file=uploaded, kind="attachment")
    assert Document.objects.count() == 0


def test_empty_file_is_refused(agent, grenoble):
    with pytest.raises(ValidationError) as refused:
        attach(actor=agent, target=grenoble, uploaded_file=files.upload("vide.pdf", b""), kind="attachment")
    assert refused.value.messages == ["Le fichier « vide.pdf » est vide."]


def test_attaching_records_an_audit_event_on_the_target(agent, grenoble):
    document = attach(
        actor=agent, target=grenoble, uploaded_file=files.upload("diag.pdf", files.pdf_bytes()), kind="diagnostic"
    )
    event = Event.objects.for_target(grenoble).get()
    assert event.verb == "documents.attached"
    assert event.label == "Document joint"
    assert event.actor == agent
    assert event.details == {
        "document": document.pk,
        "nom": "diag.pdf",
        "nature": "diagnostic",
        "taille": document.size,
        "interne": False,
    }


def test_a_failed_row_write_removes_the_stored_file(agent, grenoble, monkeypatch):
    import documents.services

    def broken(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(documents.services, "record_event", broken)
    before = files.stored_files()
    with pytest.raises(RuntimeError):
        attach(actor=agent, target=grenoble, uploaded_file=files.upload("a.pdf", files.pdf_bytes()), kind="attachment")
    assert files.stored_files() == before
    assert Document.objects.count() == 0


def test_kind_must_be_a_slug(agent, grenoble):
    with pytest.raises(ValueError, match="slug"):
        attach(
            actor=agent, target=grenoble, uploaded_file=files.upload("a.pdf", files.pdf_bytes()), kind="Pièce jointe"
        )


def test_internal_documents_are_hidden_from_the_agent(agent, instructor, grenoble):
    public = attach(actor=agent, target=grenoble, uploaded_file=files.upload("a.pdf", files.pdf_bytes()), kind="x")
    internal = attach(
        actor=instructor,
        target=grenoble,
        uploaded_file=files.upload("note.pdf", files.pdf_bytes()),
        kind="x",
        is_internal=True,
    )
    documents = Document.objects.for_target(grenoble)
    assert list(documents.visible_to(agent)) == [public]
    assert list(documents.visible_to(instructor)) == [public, internal]
    # Every State role sees internal documents; an opérateur, an anonymous or inactive user does not.
    for role, scope in [(Role.PREFECT, {"department": isere()}), (Role.DIAIR, {}), (Role.MINISTRY, {})]:
        assert internal in documents.visible_to(make_user(role, **scope))
    from django.contrib.auth.models import AnonymousUser

    assert not documents.visible_to(AnonymousUser()).exists()
    assert not documents.visible_to(make_user()).filter(is_internal=True).exists()
    instructor.is_active = False
    assert not documents.visible_to(instructor).exists()


def test_for_target_works_with_any_model(agent, grenoble):
    on_authority = attach(
        actor=agent, target=grenoble, uploaded_file=files.upload("a.pdf", files.pdf_bytes()), kind="x"
    )
    on_user = attach(actor=agent, target=agent, uploaded_file=files.upload("b.pdf", files.pdf_bytes()), kind="x")
    assert list(Document.objects.for_target(grenoble)) == [on_authority]
    assert list(Document.objects.for_target(agent)) == [on_user]
    assert on_user.target == agent


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\moi\\Bureau\\devis.pdf", "devis.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bilan\x00\n.pdf", "bilan.pdf"),
        ("", "document"),
        ("é" * 300 + ".pdf", "é" * 251 + ".pdf"),
    ],
)
def test_original_names_are_cleaned(given, kept):
    assert clean_name(given) == kept


MISLEADING_NAMES = [
    ("page.html", b"Bonjour <script>alert(1)</script>", "text/plain", "page.html.txt"),
    ("image.svg", b"du texte seulement", "text/plain", "image.svg.txt"),
    ("devis", files.pdf_bytes(), "application/pdf", "devis.pdf"),
    ("photo.png", files.image_bytes("JPEG"), "image/jpeg", "photo.png.jpg"),
    ("tableau.xlsx.exe", files.xlsx_bytes(), XLSX, "tableau.xlsx.exe.xlsx"),
    ("Bilan.PDF", files.pdf_bytes(), "application/pdf", "Bilan.PDF"),
    ("photo.jpeg", files.image_bytes("JPEG"), "image/jpeg", "photo.jpeg"),
]


@pytest.mark.parametrize(
    ("name", "content", "detected", "kept"), MISLEADING_NAMES, ids=[m[0] for m in MISLEADING_NAMES]
)
def test_a_stored_upload_keeps_an_extension_matching_its_detected_type(agent, grenoble, name, content, detected, kept):
    """A text named `.html` is not served back as a page: its name gets the extension of what it is."""
    document = attach(actor=agent, target=grenoble, uploaded_file=files.upload(name, content), kind="attachment")
    assert document.content_type == detected
    assert document.original_name == kept
    assert name_for_type(kept, detected) == kept
