"""Generated PDFs: real PDFs with the right words in them, stored as Documents, no network."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from accounts.enums import Role
from audit.models import Event
from documents.models import Document
from documents.pdf import ASSETS_DIR, render_pdf
from documents.services import generate
from documents.weasy import write_pdf
from tests.factories import commune, isere, make_user

DECISION = {
    "issuer_name": "Préfecture du Puy-de-Dôme",
    "issuer_place": "Clermont-Ferrand",
    "issued_on": datetime.date(2022, 6, 1),
    "reference": "PTAI-2022-0007",
    "beneficiary_name": "Commune de Clermont-Ferrand",
    "beneficiary_code": "63113",
    "subject": "Soins en santé mentale pour les bénéficiaires de la protection internationale",
    "amount": Decimal("150000"),
    "budget_line": "programme 104 « Intégration et accès à la nationalité française », action 15",
    "advance_percent": 50,
    "advance_amount": Decimal("75000"),
    "balance_amount": Decimal("75000"),
    "campaign_year": 2022,
    "signatory_title": "Le préfet du Puy-de-Dôme",
}


def pdf_text(pdf: bytes) -> str:
    """All pages' text with every run of white space (line breaks, no-break spaces) as one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_decision_attributive_is_a_real_pdf_with_the_beneficiary_and_the_amount():
    pdf = render_pdf("decision_attributive.html", DECISION)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Commune de Clermont-Ferrand" in text
    assert "150 000,00 €" in text
    assert "cent cinquante mille euros" in text
    assert "75 000,00 €" in text
    assert "programme 104 « Intégration et accès à la nationalité française », action 15" in text
    assert "RÉPUBLIQUE FRANÇAISE" in text
    assert "Liberté Égalité Fraternité" in text
    assert "Ministère de l'Intérieur" in text
    assert "Clermont-Ferrand, le 1er juin 2022" in text
    assert "Vu la loi n° 2000-321 du 12 avril 2000" in text
    assert "recours contentieux" in text
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"Page 1 sur {pages}" in text


def test_notification_letter():
    context = {
        "issuer_name": "Préfecture de la Loire-Atlantique",
        "recipient_name": "Commune de Châteaubriant",
        "recipient_address": "Hôtel de ville\n44110 Châteaubriant",
        "addressee": "Madame la Maire",
        "subject": "Accueillir les nouveaux arrivants dans un bassin d'emploi semi-rural",
        "amount": Decimal("50000"),
        "advance_amount": Decimal("25000"),
    }
    text = pdf_text(render_pdf("notification_letter.html", context))
    assert "Madame la Maire," in text
    assert "50 000,00 € (cinquante mille euros)" in text
    assert "44110 Châteaubriant" in text
    assert "Une avance de 25 000,00 €" in text


def test_refusal_letter_shows_the_reason():
    context = {
        "issuer_name": "Ministère de l'Intérieur — Direction générale des étrangers en France",
        "recipient_name": "Commune de Grenoble",
        "subject": "Ateliers sociolinguistiques",
        "reason": "Le projet ne présente pas d'engagement de la collectivité.",
        "requested_amount": Decimal("80000"),
    }
    text = pdf_text(render_pdf("refusal_letter.html", context))
    assert "Le projet ne présente pas d'engagement de la collectivité." in text
    assert "une subvention de 80 000,00 €" in text
    assert "Madame, Monsieur," in text


def test_a_missing_required_key_is_refused_before_rendering():
    context = {key: value for key, value in DECISION.items() if key != "amount"}
    with pytest.raises(ValueError, match=r"decision_attributive\.html needs amount"):
        render_pdf("decision_attributive.html", context)


def test_rendering_fetches_nothing_outside_the_assets_folder(caplog):
    """Remote URLs and local files elsewhere are refused by our fetcher, not by the network guard."""
    html = (
        '<html><head><link rel="stylesheet" href="pdf.css">'
        '<link rel="stylesheet" href="http://192.0.2.1/evil.css"></head>'
        '<body><p>Bonjour</p><img src="https://192.0.2.1/pixel.png"><img src="file:///etc/hostname"></body></html>'
    )
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = write_pdf(html, assets_dir=ASSETS_DIR)
    assert pdf.startswith(b"%PDF")
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "No network access while rendering a PDF: http://192.0.2.1/evil.css" in messages
    assert "No network access while rendering a PDF: https://192.0.2.1/pixel.png" in messages
    assert "may be read while rendering a PDF: file:///etc/hostname" in messages
    assert "Outbound network access is forbidden" not in messages
    assert "pdf.css" not in messages  # the assets folder is readable


@pytest.mark.django_db
def test_generate_stores_the_pdf_as_a_document_of_the_target():
    instructor = make_user(Role.INSTRUCTOR, department=isere())
    target = commune("63113")

    document = generate(
        actor=instructor,
        target=target,
        template_name="decision_attributive.html",
        context=DECISION,
        kind="decision",
        filename="Décision attributive PTAI-2022-0007",
    )

    document = Document.objects.get(pk=document.pk)
    assert document.target == target
    assert document.kind == "decision"
    assert document.content_type == "application/pdf"
    assert document.original_name == "Décision attributive PTAI-2022-0007.pdf"
    assert not document.is_internal
    with default_storage.open(document.file.name) as stored:
        content = stored.read()
    assert content.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert "150 000,00 €" in pdf_text(content)
    event = Event.objects.for_target(target).get()
    assert (event.verb, event.actor, event.details["nature"]) == ("documents.generated", instructor, "decision")
