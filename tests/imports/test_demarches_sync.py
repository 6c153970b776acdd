"""Démarches Simplifiées: every GraphQL document the sync sends validates against the official
schema, and the sync is run against responses produced from that schema (graphql-core executes our
documents over recorded dossiers) — never against the live service."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, graphql_sync, parse, validate

from accounts.enums import Role
from audit.models import Event
from imports.ds import documents
from imports.ds.crypto import decrypt
from imports.ds.sync import connect_demarche, demarche_fields, set_mapping, sync_demarche
from imports.models import Demarche, Dossier
from programme.models import Campaign
from projects.models import Project
from tests.factories import grenoble_metropole, make_user

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "shared" / "ref" / "demarches-simplifiees" / "schema.graphql"
SCHEMA = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
TOKEN = "ds-api-token-of-the-prefecture"
COLLECTIVITE, TITLE, BPI, FILES = "Q2hhbXAtMQ==", "Q2hhbXAtMg==", "Q2hhbXAtMw==", "Q2hhbXAtNA=="


@pytest.mark.parametrize("name", sorted(documents.ALL))
def test_every_graphql_document_validates_against_the_ds_schema(name):
    assert validate(SCHEMA, parse(documents.ALL[name])) == []


def champ(typename: str, descriptor: str, label: str, value: str | None) -> dict[str, Any]:
    return {
        "__typename": typename,
        "id": f"{descriptor}-value",
        "champDescriptorId": descriptor,
        "label": label,
        "stringValue": value,
        "files": [],
    }


def dossier(number: int, modified: str, name: str, title: str, bpi: str, email: str) -> dict[str, Any]:
    return {
        "id": f"RG9zc2llci0{number}",
        "number": number,
        "state": "en_construction",
        "dateDerniereModification": modified,
        "usager": {"email": email},
        "champs": [
            champ("TextChamp", COLLECTIVITE, "Collectivité porteuse", name),
            champ("TextChamp", TITLE, "Intitulé du projet", title),
            champ("IntegerNumberChamp", BPI, "Nombre de BPI", bpi),
            champ("PieceJustificativeChamp", FILES, "Budget prévisionnel", None),
        ],
    }


class RecordedDS:
    """Démarche 4242 as DS would answer it: our documents are executed over these dossiers with the
    official schema, two dossiers per page, `updatedSince` and `deletedSince` honoured."""

    def __init__(self, agent_email: str) -> None:
        self.dossiers = [
            dossier(
                101, "2021-03-01T09:00:00+00:00", "Grenoble-Alpes Métropole", "Apprendre le français", "40", agent_email
            ),
            dossier(
                102, "2021-03-02T09:00:00+00:00", "Grenoble-Alpes Métropole", "Accès au logement", "25", agent_email
            ),
            dossier(103, "2021-03-03T09:00:00+00:00", "Lyon", "Emploi", "10", agent_email),  # ambiguous name
            dossier(104, "2021-03-04T09:00:00+00:00", "Grenoble-Alpes Métropole", "Santé", "5", "inconnu@example.fr"),
            dossier(105, "2021-03-05T09:00:00+00:00", "Grenoble-Alpes Métropole", "Mobilité", "8", agent_email),
        ]
        self.deleted: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []

    @staticmethod
    def _page(items: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
        start = int(after or 0)
        return {
            "pageInfo": {"hasNextPage": start + 2 < len(items), "endCursor": str(start + 2)},
            "nodes": items[start : start + 2],
        }

    @staticmethod
    def _since(items: list[dict[str, Any]], key: str, since: str | None) -> list[dict[str, Any]]:
        if not since:
            return items
        return [i for i in items if datetime.fromisoformat(i[key]) >= datetime.fromisoformat(since)]

    def transport(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        assert token == TOKEN
        assert validate(SCHEMA, parse(query)) == []
        self.requests.append(dict(variables))
        demarche = {
            "id": "RGVtYXJjaGUtNDI0Mg==",
            "number": 4242,
            "title": "Financement d'un PTAI — Isère",
            "activeRevision": {
                "champDescriptors": [
                    {
                        "__typename": "TextChampDescriptor",
                        "id": COLLECTIVITE,
                        "label": "Collectivité porteuse",
                        "required": True,
                    },
                    {"__typename": "TextChampDescriptor", "id": TITLE, "label": "Intitulé du projet", "required": True},
                    {
                        "__typename": "IntegerNumberChampDescriptor",
                        "id": BPI,
                        "label": "Nombre de BPI",
                        "required": False,
                    },
                ]
            },
            "dossiers": lambda info, **args: self._page(
                self._since(self.dossiers, "dateDerniereModification", args.get("updatedSince")), args.get("after")
            ),
            "deletedDossiers": lambda info, **args: self._page(
                self._since(self.deleted, "dateSupression", args.get("deletedSince")), args.get("after")
            ),
        }
        result = graphql_sync(
            SCHEMA, query, root_value={"demarche": lambda info, number: demarche}, variable_values=variables
        )
        assert result.errors is None, result.errors
        return {"data": result.data}


@pytest.fixture
def setup(db: Any) -> tuple[RecordedDS, Demarche, Any]:
    admin = make_user(Role.ADMIN)
    agent = make_user(Role.AGENT, authority=grenoble_metropole())
    ds = RecordedDS(agent.email)
    demarche = connect_demarche(
        user=admin, number=4242, token=TOKEN, campaign=Campaign.objects.get(year=2021), transport=ds.transport
    )
    set_mapping(
        user=admin, demarche=demarche, mapping={COLLECTIVITE: "collectivite", TITLE: "title", BPI: "planned_bpi"}
    )
    return ds, demarche, agent


def test_the_token_is_kept_encrypted_and_the_mapping_page_lists_the_fields_by_label_and_type(setup):
    ds, demarche, _ = setup
    stored = bytes(Demarche.objects.get().token_encrypted)
    assert TOKEN.encode() not in stored and decrypt(stored) == TOKEN
    assert demarche.title == "Financement d'un PTAI — Isère"
    fields = demarche_fields(demarche=demarche, transport=ds.transport)
    assert fields[2] == {"id": BPI, "label": "Nombre de BPI", "type": "IntegerNumberChampDescriptor"}


def test_a_sync_of_recorded_pages_creates_the_drafts_once_and_a_second_sync_changes_nothing(setup):
    ds, demarche, agent = setup

    first = sync_demarche(demarche=demarche, transport=ds.transport)

    assert (first.created, first.pending) == (3, 2)
    drafts = Project.objects.filter(ds_dossier__demarche=demarche).order_by("ds_dossier__number")
    assert [(p.title, p.planned_bpi, p.created_by) for p in drafts] == [
        ("Apprendre le français", 40, agent),
        ("Accès au logement", 25, agent),
        ("Mobilité", 8, agent),
    ]
    assert all(p.state == "draft" and p.lead_authority == grenoble_metropole() for p in drafts)
    pending = {d.number: d.pending_reason for d in Dossier.objects.filter(project__isnull=True)}
    assert "Lyon" in pending[103] and "inconnu@example.fr" in pending[104]
    pages = [r for r in ds.requests if "updatedSince" in r]
    assert [r["after"] for r in pages] == [None, "2", "4"]  # followed the cursors
    event = Event.objects.for_target(drafts[0]).get(verb="imports.ds_dossier_synced")
    assert event.details["dossier"] == 101 and event.details["suite"] == "brouillon créé"

    events = Event.objects.exclude(verb="imports.ds_synced").count()
    second = sync_demarche(demarche=demarche, transport=ds.transport)

    assert (second.created, second.updated) == (0, 0)
    assert Project.objects.count() == 3
    assert Event.objects.exclude(verb="imports.ds_synced").count() == events
    assert ds.requests[-2]["updatedSince"].startswith("2021-03-05T09:00:00")
    assert Event.objects.for_target(demarche).filter(verb="imports.ds_synced").count() == 2


def test_an_updated_dossier_updates_its_draft_and_a_deleted_one_is_followed(setup):
    ds, demarche, _ = setup
    sync_demarche(demarche=demarche, transport=ds.transport)
    changed = copy.deepcopy(ds.dossiers[1])
    changed["dateDerniereModification"] = "2021-04-10T08:00:00+00:00"
    changed["champs"][1]["stringValue"] = "Accès au logement et à l'emploi"
    ds.dossiers[1] = changed
    ds.deleted.append(
        {
            "id": "RG9zc2llci0xMDE=",
            "number": 101,
            "dateSupression": "2021-04-11T08:00:00+00:00",
            "reason": "user_request",
            "state": "en_construction",
        }
    )

    result = sync_demarche(demarche=demarche, transport=ds.transport)

    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    project = Project.objects.get(ds_dossier__number=102)
    assert project.title == "Accès au logement et à l'emploi"
    assert Event.objects.for_target(project).filter(verb="projects.draft_updated").exists()
    gone = Dossier.objects.get(number=101)
    assert gone.deleted_at is not None and gone.deleted_reason == "user_request"
    assert Event.objects.for_target(gone.project).filter(verb="imports.ds_dossier_deleted").exists()
