"""The Démarches Simplifiées pages: an administrator connects a démarche (its token kept encrypted,
never shown back), tests the connection, and maps the démarche's fields to the PTAI's — all against
the recorded DS (tests/imports/recorded_ds.py), never the live service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from accounts.enums import Role
from imports.ds.crypto import decrypt
from imports.ds.sync import sync_demarche
from imports.models import Demarche
from programme.models import Campaign
from projects.models import Project
from tests.factories import make_user
from tests.imports.recorded_ds import BPI, COLLECTIVITE, FILES, TITLE, TOKEN, RecordedDS
from tests.web.html import field_errors, text_of
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def ds(setup: Any) -> Iterator[RecordedDS]:
    recorded: RecordedDS = setup[0]
    with mock.patch("imports.ds.client.default_transport", return_value=recorded.transport):
        yield recorded


@pytest.fixture
def admin(db: Any) -> PersonaClient:
    return PersonaClient(make_user(Role.ADMIN))


def connect(client: PersonaClient, token: str = TOKEN, **extra: Any) -> Any:
    data = {"number": "4242", "token": token, "campaign": Campaign.objects.get(year=2021).pk, **extra}
    return client.post(reverse("web:demarche_list"), data)


def test_an_administrator_connects_a_demarche_and_its_token_is_kept_encrypted_and_never_shown_back(ds, admin):
    Demarche.objects.all().delete()

    response = connect(admin, write_back="on", instructeur_id="SW5zdHJ1Y3RldXItNw==")

    demarche = Demarche.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:demarche_detail", args=[demarche.pk])
    assert TOKEN.encode() not in bytes(demarche.token_encrypted) and decrypt(demarche.token_encrypted) == TOKEN
    assert demarche.title == "Financement d'un PTAI — Isère" and demarche.write_back
    for url in (reverse("web:demarche_list"), reverse("web:demarche_detail", args=[demarche.pk])):
        page = admin.get(url).content.decode()
        assert TOKEN not in page
        assert "Financement d'un PTAI — Isère" in text_of(page)


def test_a_wrong_token_stores_nothing_and_says_why_in_french(ds, admin):
    Demarche.objects.all().delete()

    response = connect(admin, token="not-the-token")

    assert response.status_code == 400
    assert "Démarches Simplifiées a refusé la requête" in text_of(response.content.decode())
    assert "rien n'a été enregistré" in text_of(response.content.decode())
    assert not Demarche.objects.exists()


def test_writing_back_decisions_needs_the_instructeur_of_the_demarche(ds, admin):
    response = connect(admin, write_back="on")

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "id_instructeur_id") == [
        "Pour reporter les décisions, donnez l'identifiant DS de l'instructeur."
    ]


def test_the_administrator_tests_the_connection_and_learns_when_the_token_was_revoked(ds, admin):
    demarche = Demarche.objects.get()
    url = reverse("web:demarche_check", args=[demarche.pk])

    ok = admin.post(url, follow=True)
    assert "Connexion réussie : Démarches Simplifiées répond pour « Financement d'un PTAI — Isère »" in text_of(
        ok.content.decode()
    )

    ds.tokens.clear()  # the token was revoked on DS
    refused = admin.post(url, follow=True)
    assert "Connexion impossible. Démarches Simplifiées a refusé la requête" in text_of(refused.content.decode())


def test_the_mapping_page_lists_the_fields_by_label_and_type_and_the_sync_uses_the_mapping(ds, admin, setup):
    demarche = Demarche.objects.get()
    url = reverse("web:demarche_mapping", args=[demarche.pk])

    page = text_of(admin.get(url).content.decode())
    assert "Intitulé du projet" in page and "Type sur Démarches Simplifiées : Texte court." in page
    assert "Type sur Démarches Simplifiées : Pièce justificative." in page

    # The BPI field now fills the summary instead (and the title is left aside).
    response = admin.post(
        url,
        {f"champ-{COLLECTIVITE}": "collectivite", f"champ-{BPI}": "summary", f"champ-{FILES}": "piece_jointe"},
    )
    assert response.status_code == 302
    assert Demarche.objects.get().mapping == {COLLECTIVITE: "collectivite", BPI: "summary", FILES: "piece_jointe"}

    sync_demarche(demarche=demarche)
    draft = Project.objects.get(ds_dossier__number=101)
    assert (draft.title, draft.summary) == ("Dossier Démarches Simplifiées n° 101", "40")


def test_synchronising_now_brings_the_dossiers_as_drafts_and_the_page_lists_them(ds, admin):
    demarche = Demarche.objects.get()

    done = admin.post(reverse("web:demarche_sync", args=[demarche.pk]), follow=True)

    assert "Synchronisation demandée" in text_of(done.content.decode())
    assert Project.objects.filter(ds_dossier__demarche=demarche).count() == 3
    page = text_of(admin.get(reverse("web:demarche_detail", args=[demarche.pk])).content.decode())
    assert "Apprendre le français" in page and "n'est pas agent de" in page


def test_a_mapping_without_the_collectivite_or_with_one_field_twice_is_refused(ds, admin):
    demarche = Demarche.objects.get()
    url = reverse("web:demarche_mapping", args=[demarche.pk])

    missing = admin.post(url, {f"champ-{TITLE}": "title"})
    assert missing.status_code == 400
    assert "Indiquez le champ de la démarche qui donne la collectivité porteuse." in text_of(missing.content.decode())

    twice = admin.post(url, {f"champ-{COLLECTIVITE}": "collectivite", f"champ-{TITLE}": "collectivite"})
    assert twice.status_code == 400
    assert "Un seul champ de la démarche par champ du PTAI" in text_of(twice.content.decode())
    assert Demarche.objects.get().mapping[TITLE] == "title"  # unchanged


def test_when_ds_does_not_answer_the_mapping_page_says_so_in_french(setup, admin):
    demarche = Demarche.objects.get()
    # No recorded DS here: the closed local port of the test settings answers nothing.

    response = admin.get(reverse("web:demarche_mapping", args=[demarche.pk]))

    assert response.status_code == 502
    assert "Démarches Simplifiées ne répond pas" in text_of(response.content.decode())


@pytest.mark.parametrize("role", [Role.DIAIR, Role.AGENT])
def test_only_administrators_see_the_demarche_pages(setup, role):
    demarche = Demarche.objects.get()
    client = PersonaClient(make_user(role) if role == Role.DIAIR else setup[2])

    for url in (
        reverse("web:demarche_list"),
        reverse("web:demarche_detail", args=[demarche.pk]),
        reverse("web:demarche_mapping", args=[demarche.pk]),
    ):
        assert client.get(url).status_code == 404
    for name in ("web:demarche_check", "web:demarche_sync"):
        assert client.post(reverse(name, args=[demarche.pk])).status_code == 404
