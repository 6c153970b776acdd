"""Démarches Simplifiées: every GraphQL document the sync sends validates against the official
schema, and the sync is run against responses produced from that schema (graphql-core executes our
documents over recorded dossiers) — never against the live service."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone
from graphql import parse, validate

from accounts.enums import Role
from audit.models import Event
from core.formats import format_euros
from documents.models import Document
from finance.services import open_national_envelope
from imports.ds import documents
from imports.ds.client import DsError
from imports.ds.crypto import decrypt
from imports.ds.decisions import write_back
from imports.ds.sync import demarche_fields, sync_demarche
from imports.models import Demarche, Dossier
from programme.enums import BudgetLineCode
from programme.models import BudgetLine
from projects.enums import Opinion, ProjectState, TransitionName
from projects.models import Project, ProjectTransition
from projects.services import apply_transition
from tests.factories import grenoble_metropole, isere, make_user
from tests.imports.recorded_ds import BPI, INSTRUCTEUR, SCHEMA, TOKEN, FileServer, RecordedDS, ds_file

pytestmark = pytest.mark.django_db


@contextmanager
def recorded_transport(ds: RecordedDS) -> Iterator[None]:
    """The pages and tasks talk to the recorded DS instead of the network."""
    with mock.patch("imports.ds.client.default_transport", return_value=ds.transport):
        yield


@pytest.mark.parametrize("name", sorted(documents.ALL))
def test_every_graphql_document_validates_against_the_ds_schema(name):
    assert validate(SCHEMA, parse(documents.ALL[name])) == []


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


def test_the_files_of_a_dossier_are_downloaded_and_attached_to_its_draft_once_and_a_wrong_type_is_refused(setup):
    ds, demarche, agent = setup
    server = FileServer()
    budget = b"%PDF-1.7\n% budget previsionnel\n"
    server.files = {"/budget.pdf": budget, "/macro.exe": b"MZ\x90\x00 not a document"}
    files = ds.dossiers[0]["champs"][3]["files"]
    files.append(ds_file(server.url("/budget.pdf"), "Budget 2021.pdf", budget, "application/pdf"))
    files.append(ds_file(server.url("/macro.exe"), "macro.exe", b"MZ", "application/octet-stream"))

    with server.running():
        sync_demarche(demarche=demarche, transport=ds.transport)
        project = Project.objects.get(ds_dossier__number=101)
        attached = Document.objects.for_target(project)
        assert [(d.original_name, d.kind, d.uploaded_by) for d in attached] == [
            ("Budget 2021.pdf", "piece-jointe", agent)
        ]
        assert attached.get().file.read() == budget
        event = Event.objects.for_target(project).get(verb="imports.ds_dossier_synced")
        assert event.details["fichiers joints"] == ["Budget 2021.pdf"]
        assert "n'est pas accepté" in event.details["fichiers refusés"][0]

        # The dossier changes on DS (a new title): its files are not downloaded nor attached again.
        ds.dossiers[0]["dateDerniereModification"] = "2021-04-01T09:00:00+00:00"
        ds.dossiers[0]["champs"][1]["stringValue"] = "Apprendre le français au travail"
        sync_demarche(demarche=demarche, transport=ds.transport)
        assert Project.objects.get(pk=project.pk).title == "Apprendre le français au travail"

        # Once the PTAI is deposited here, a file added on DS is not even downloaded.
        Project.objects.filter(pk=project.pk).update(state=ProjectState.SUBMITTED, reference="PTAI-2021-38-0001")
        server.files["/annexe.pdf"] = budget
        files.append(ds_file(server.url("/annexe.pdf"), "annexe.pdf", budget, "application/pdf"))
        ds.dossiers[0]["dateDerniereModification"] = "2021-05-01T09:00:00+00:00"
        sync_demarche(demarche=demarche, transport=ds.transport)

    assert server.hits == ["/budget.pdf", "/macro.exe"]
    assert Document.objects.for_target(project).count() == 1


def test_a_file_that_could_not_be_downloaded_is_asked_again_at_the_next_sync(setup):
    ds, demarche, _ = setup
    server = FileServer()
    budget = b"%PDF-1.7\n% budget\n"
    files = ds.dossiers[0]["champs"][3]["files"]
    files.append(ds_file(server.url("/budget.pdf"), "budget.pdf", budget, "application/pdf"))

    with server.running():
        sync_demarche(demarche=demarche, transport=ds.transport)  # the file is not there yet: 404
        project = Project.objects.get(ds_dossier__number=101)
        assert not Document.objects.for_target(project).exists()
        event = Event.objects.for_target(project).get(verb="imports.ds_dossier_synced")
        assert "budget.pdf" in event.details["fichiers non téléchargés"][0]

        server.files["/budget.pdf"] = budget
        again = sync_demarche(demarche=demarche, transport=ds.transport)

    assert again.created == 0
    assert [d.original_name for d in Document.objects.for_target(project)] == ["budget.pdf"]
    synced = Event.objects.for_target(project).filter(verb="imports.ds_dossier_synced").order_by("pk")
    assert [e.details["suite"] for e in synced] == ["brouillon créé", "fichiers repris"]


def _reviewed(project: Project, state: str) -> None:
    """The PTAI went through its deposit and instruction (as the workflow tests' factories put it)."""
    Project.objects.filter(pk=project.pk).update(
        state=state,
        reference=f"PTAI-2021-38-{project.pk:04d}",
        rules=project.campaign.rules(),
        submitted_at=timezone.now(),
        opinion=Opinion.FAVORABLE,
        opinion_text="Projet cohérent avec le diagnostic territorial.",
        proposed_amount=Decimal("40000.00"),
        opinion_by=make_user(Role.INSTRUCTOR, department=isere()),
    )


def _refuse(project: Project, reason: str) -> Project:
    _reviewed(project, ProjectState.REVIEWED)
    prefect = make_user(Role.PREFECT, department=isere())
    return apply_transition(project=project, name=TransitionName.PREFECT_REFUSE, user=prefect, reason=reason)


def test_a_refusal_here_is_written_back_to_ds_with_its_motivation_when_the_demarche_asks_for_it(
    setup, django_capture_on_commit_callbacks
):
    ds, demarche, _ = setup
    Demarche.objects.filter(pk=demarche.pk).update(write_back=True, instructeur_id=INSTRUCTEUR)
    sync_demarche(demarche=demarche, transport=ds.transport)
    project = Project.objects.get(ds_dossier__number=101)

    with recorded_transport(ds), django_capture_on_commit_callbacks(execute=True):
        _refuse(project, "Le diagnostic territorial manque.")

    assert [name for name, _ in ds.mutations] == ["dossierPasserEnInstruction", "dossierRefuser"]
    assert ds.mutations[1][1] == {
        "dossierId": "RG9zc2llci0101",
        "instructeurId": INSTRUCTEUR,
        "motivation": "Le diagnostic territorial manque.",
        "disableNotification": False,
    }
    assert ds.dossiers[0]["state"] == "refuse"
    written = Event.objects.for_target(project).get(verb="imports.ds_decision_written")
    assert written.details["décision"] == "refusé" and written.details["état sur DS"] == "refuse"
    dossier_row = Dossier.objects.get(number=101)
    assert dossier_row.decision_written == project.transitions.get(transition="prefect_refuse")

    # Run again (a retried task): nothing is sent twice.
    assert write_back(dossier_row.decision_written_id, transport=ds.transport) == "déjà reporté"
    assert len(ds.mutations) == 2


def test_a_decision_refused_by_ds_is_recorded_in_the_timeline_and_the_task_retried_succeeds(setup):
    ds, demarche, _ = setup
    Demarche.objects.filter(pk=demarche.pk).update(write_back=True, instructeur_id=INSTRUCTEUR)
    sync_demarche(demarche=demarche, transport=ds.transport)
    project = Project.objects.get(ds_dossier__number=102)
    _reviewed(project, ProjectState.PREFECT_APPROVED)
    Project.objects.filter(pk=project.pk).update(prefect_decision_by=make_user(Role.PREFECT, department=isere()))
    approval = ProjectTransition.objects.create(  # the log row apply_transition writes at the commitment
        project=project,
        transition=TransitionName.COMMIT,
        source=ProjectState.CREDITS_DELEGATED,
        target=ProjectState.FUNDED,
        actor=make_user(Role.PREFECT, department=isere()),
        amount=Decimal("40000.00"),
    )
    ds.outages = ["dossierAccepter"]  # the dossier passes « en instruction », then DS fails

    with pytest.raises(DsError, match="momentanément indisponible"):
        write_back(approval.pk, transport=ds.transport)
    failed = Event.objects.for_target(project).get(verb="imports.ds_decision_failed")
    assert "indisponible" in failed.details["erreur"]
    assert Dossier.objects.get(number=102).decision_written is None

    assert write_back(approval.pk, transport=ds.transport) == "accepté"  # the task run again
    assert [name for name, _ in ds.mutations] == ["dossierPasserEnInstruction", "dossierAccepter", "dossierAccepter"]
    assert ds.mutations[-1][1] == {
        "dossierId": "RG9zc2llci0102",
        "instructeurId": INSTRUCTEUR,
        "motivation": f"Subvention de {format_euros(Decimal('40000'))} accordée : le préfet a engagé les crédits "
        "(décision attributive).",
        "disableNotification": False,
    }
    assert ds.dossiers[1]["state"] == "accepte"
    assert Dossier.objects.get(number=102).decision_written == approval


def test_ds_says_accepte_when_the_prefet_commits_the_credits_not_at_the_ministere_validation(
    setup, django_capture_on_commit_callbacks
):
    """F38: the Ministère validates and delegates, the préfet commits — the collectivité is granted the
    money at the commitment (décision attributive), so that is when DS says « accepté »."""
    ds, demarche, _ = setup
    Demarche.objects.filter(pk=demarche.pk).update(write_back=True, instructeur_id=INSTRUCTEUR)
    sync_demarche(demarche=demarche, transport=ds.transport)
    project = Project.objects.get(ds_dossier__number=102)
    _reviewed(project, ProjectState.PREFECT_APPROVED)
    prefect = make_user(Role.PREFECT, department=isere())
    Project.objects.filter(pk=project.pk).update(requested_amount=Decimal("50000.00"), prefect_decision_by=prefect)
    ministry = make_user(Role.MINISTRY)
    open_national_envelope(
        actor=ministry,
        campaign=project.campaign,
        budget_line=BudgetLine.objects.get(code=BudgetLineCode.NEWCOMERS),
        amount="100000",
    )

    with recorded_transport(ds), django_capture_on_commit_callbacks(execute=True):
        project = apply_transition(project=project, name=TransitionName.MINISTRY_APPROVE, user=ministry, amount="40000")
        project = apply_transition(project=project, name=TransitionName.DELEGATE_CREDITS, user=ministry)
    assert ds.mutations == []  # validated and delegated: still being decided, nothing said on DS
    assert Dossier.objects.get(number=102).decision_written is None

    with recorded_transport(ds), django_capture_on_commit_callbacks(execute=True):
        project = apply_transition(project=project, name=TransitionName.COMMIT, user=prefect)

    assert project.state == ProjectState.FUNDED
    assert [name for name, _ in ds.mutations] == ["dossierPasserEnInstruction", "dossierAccepter"]
    assert "accordée" in ds.mutations[1][1]["motivation"]
    assert ds.dossiers[1]["state"] == "accepte"
    assert Dossier.objects.get(number=102).decision_written == project.transitions.get(transition="commit")


def test_without_write_back_a_decision_here_sends_nothing_to_ds(setup, django_capture_on_commit_callbacks):
    ds, demarche, _ = setup
    sync_demarche(demarche=demarche, transport=ds.transport)
    project = Project.objects.get(ds_dossier__number=101)

    with recorded_transport(ds), django_capture_on_commit_callbacks(execute=True) as callbacks:
        _refuse(project, "Hors des priorités de la campagne.")

    assert ds.mutations == []
    assert not Event.objects.filter(verb__startswith="imports.ds_decision").exists()
    assert callbacks  # the letters and e-mails of the refusal were enqueued, not a write-back
