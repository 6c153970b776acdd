"""The contract import page: administrators and the Diair upload a spreadsheet, see a preview where
nothing is written yet, then confirm."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from contracts.models import Contract
from imports.models import ContractImport
from projects.models import Project
from tests.web.html import field_errors, text_of
from tests.web.personas import persona

pytestmark = pytest.mark.django_db

CSV = (
    "\ufeffcollectivite;departement;dispositif;annee_signature;montant_annuel_etat;date_fin\n"
    "Dijon Métropole;21;CTAIR;2019;300 000;31/12/2021\n"
    "Clermont-Ferrand (Ville);63;CTAIR;2019;300 000;\n"
    "Lyon;;CTAI;2021;;\n"
).encode()


@pytest.fixture
def ctair_campaigns(db: Any) -> None:
    from demo.ctai import _ctair_campaign

    _ctair_campaign(2019, None)


def upload(client: Any, content: bytes = CSV, name: str = "ctair.csv", partial: bool = False) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, content)}
    if partial:
        data["partial"] = "on"
    return client.post(reverse("web:contract_import"), data)


def test_the_diair_sees_a_preview_that_writes_nothing_then_imports_the_good_rows(diair, ctair_campaigns):
    response = upload(diair, partial=True)
    assert response.status_code == 302
    page = diair.get(response["Location"])
    text = text_of(page.content.decode())
    assert "Aperçu : rien n'a encore été écrit" in text
    assert "Dijon Métropole (242100410)" in text
    assert "Ambigu" in text and "Métropole de Lyon (200046977)" in text
    assert "Importer ce fichier" in text
    assert Contract.objects.count() == 0

    upload_ = ContractImport.objects.get()
    done = diair.post(reverse("web:contract_import_apply", args=[upload_.pk]), follow=True)
    assert "Import terminé : 2 créé(s)" in text_of(done.content.decode())
    assert Contract.objects.count() == 2
    dijon = Contract.objects.get(authority__siren="242100410")
    event = Event.objects.for_target(dijon).get(verb="imports.contract_imported")
    assert (event.actor, event.details["fichier"]) == (diair.user, "ctair.csv")

    again = diair.post(reverse("web:contract_import_apply", args=[upload_.pk]), follow=True)
    assert "déjà été importé" in text_of(again.content.decode())
    assert Contract.objects.count() == 2


def test_without_partial_a_file_with_an_ambiguous_row_offers_no_import(admin, ctair_campaigns):
    page = admin.get(upload(admin)["Location"])
    assert "Importer ce fichier" not in page.content.decode()
    refused = admin.post(reverse("web:contract_import_apply", args=[ContractImport.objects.get().pk]), follow=True)
    assert "ne permet pas cet import" in text_of(refused.content.decode())
    assert Contract.objects.count() == 0


def test_a_file_that_cannot_be_read_gets_a_french_message_beside_the_field(admin):
    response = upload(admin, content=b"nom;montant\nDijon;1\n")
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "id_file")[0].startswith("Colonnes manquantes")
    response = upload(admin, content=b"%PDF-1.4", name="x.pdf")
    assert field_errors(response.content.decode(), "id_file") == ["Envoyez un fichier CSV ou XLSX."]
    assert not ContractImport.objects.exists()


@pytest.mark.parametrize("name", ["instructor_isere", "prefect_isere", "ministry", "agent_grenoble", "operator_user"])
def test_only_administrators_and_the_diair_reach_the_import_pages(request, name, ctair_campaigns):
    client = persona(request, name)
    assert client.get(reverse("web:contract_import")).status_code == 404
    assert upload(client).status_code == 404
    assert not ContractImport.objects.exists()


def test_the_preview_page_reads_in_a_fixed_number_of_queries(diair, ctair_campaigns, django_assert_max_num_queries):
    location = upload(diair)["Location"]
    with django_assert_max_num_queries(8):
        assert diair.get(location).status_code == 200


def test_a_past_ptai_row_is_previewed_then_imported_as_a_historical_file(diair, ctair_campaigns):
    content = (
        "\ufeffcollectivite;departement;dispositif;annee_signature;montant_annuel_etat;intitule\n"
        "Poitiers;86;PTAI;2019;15 000;Accueil des familles réfugiées\n"
    ).encode()
    page = diair.get(upload(diair, content=content, name="ptai-2019.csv")["Location"])
    assert "PTAI 2019 soldé, repris (PTAI-2019-86-0001), 15" in text_of(page.content.decode())
    assert not Project.objects.exists()

    diair.post(reverse("web:contract_import_apply", args=[ContractImport.objects.get().pk]))

    project = Project.objects.get()
    assert (project.title, project.historical, project.imported_from) == (
        "Accueil des familles réfugiées",
        True,
        "ptai-2019.csv",
    )
