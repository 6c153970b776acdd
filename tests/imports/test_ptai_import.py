"""Past PTAI in the Diair's spreadsheets: historical records of money spent outside the platform
(docs/adr/0004-historical-ptai.md; F30, F32, F38, F44)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from audit.models import Event
from contracts.models import Contract
from finance.models import Commitment, LedgerEntry
from imports.contracts import import_contracts
from imports.rows import ImportOutcome
from programme.models import Campaign
from projects.enums import ProjectState
from projects.models import Project
from projects.services import available_transitions
from public.awards import awards
from reporting.models import Report
from steering.schedule import ensure_reports
from tests.factories import grenoble_metropole, make_user
from tests.projects.factories import ProjectFactory
from tests.web.html import text_of
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db

HEADER = (
    "Collectivité;Département;Type collectivité;Dispositif;Année signature;Montant annuel État;Date fin;Source;Intitulé"
)
# Contracts and past PTAI in one table, as the Diair keeps them (the PTAI: the flyer's 2020 examples, F44).
MIXED = [
    "Dijon Métropole;21;;CTAIR;2019;300 000;31/12/2021;Tableau Diair 2019;",
    "Ville de Marseille;13;;CTAI;2021;300 000;;Communiqué 2021;",
    "Grenoble-Alpes Métropole;38;;PTAI;2020;20 000;31/12/2020;Tableau Diair 2020;Formation pré-qualifiante "
    "d'auxiliaire de vie",
    "Clermont-Ferrand (Ville);63;;PTAI;2020;100 000;;;Soins en santé mentale pour les BPI",
    "Poitiers;86;commune;ptai;2019;15 000,00 €;;;",
    "Tours;37;commune;PTAI;2021;30 000;30/06/2022;Tableau Diair 2021;Cours de français à visée professionnelle",
]


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *lines]) + "\n").encode()


def run(content: bytes, user: Any, **options: Any) -> ImportOutcome:
    return import_contracts(content=content, file_name="suivi-diair.csv", user=user, **options)


def test_a_table_mixing_contracts_and_past_ptai_imports_each_row_as_what_it_is(diair, ctair_campaigns):
    entries, commitments = LedgerEntry.objects.count(), Commitment.objects.count()

    outcome = run(csv_bytes(*MIXED), diair)

    rows = outcome.report()["rows"]
    assert [r["status"] for r in rows] == ["created"] * len(MIXED)
    assert [r["authority"]["code"] for r in rows] == ["242100410", "13055", "200040715", "63113", "86194", "37261"]
    assert Contract.objects.count() == 2
    assert Project.objects.count() == 4
    # The ledger records only money moved through the platform: nothing written, nothing committed.
    assert (LedgerEntry.objects.count(), Commitment.objects.count()) == (entries, commitments)

    grenoble = Project.objects.get(lead_authority__siren="200040715")
    assert (grenoble.campaign.year, grenoble.state, grenoble.historical) == (2020, ProjectState.CLOSED, True)
    assert grenoble.title == "Formation pré-qualifiante d'auxiliaire de vie"
    assert grenoble.granted_amount == grenoble.requested_amount == Decimal("20000.00")
    assert grenoble.compute_requested_amount() == Decimal("20000.00")  # its one « montant demandé » line
    assert grenoble.rules == Campaign.objects.get(year=2020).rules()
    assert grenoble.reference == "PTAI-2020-38-0001" and grenoble.department.code == "38"
    assert grenoble.end_date == date(2020, 12, 31) and grenoble.imported_from == "suivi-diair.csv"
    # Nothing invented: no avis, no préfet's decision, no commitment; and no transition is left.
    assert (grenoble.opinion, grenoble.opinion_by, grenoble.prefect_decision_by) == ("", None, None)
    assert grenoble.commitment is None and grenoble.transitions.count() == 0
    assert available_transitions(grenoble, make_user(Role.ADMIN)) == []

    poitiers = Project.objects.get(lead_authority__insee_code="86194")
    assert poitiers.title == "PTAI 2019 — Poitiers (repris)"
    assert (poitiers.campaign.year, poitiers.granted_amount) == (2019, Decimal("15000.00"))

    event = Event.objects.for_target(grenoble).get(verb="imports.ptai_imported")
    assert (event.actor, event.details["fichier"], event.details["ligne"]) == (diair, "suivi-diair.csv", 3)
    assert event.details["source"] == "Tableau Diair 2020"
    assert event.label == "PTAI passé repris d'un tableur"
    assert "PTAI 2020 soldé, repris (PTAI-2020-38-0001)" in rows[2]["reason"]


def test_a_ptai_of_the_current_or_a_future_year_is_refused_it_is_filed_on_the_platform(diair, ctair_campaigns):
    current = Campaign.objects.current_year()

    outcome = run(
        csv_bytes(
            f"Nantes Métropole;44;;PTAI;{current};10 000;;;",
            f"Nantes Métropole;44;;PTAI;{current + 1};10 000;;;",
            *MIXED[:1],
        ),
        diair,
        partial=True,
    )

    present, future, contract = outcome.report()["rows"]
    assert present["status"] == future["status"] == "rejected"
    assert f"un PTAI de l'année en cours ({current}) ou à venir se dépose sur la plateforme" in present["reason"]
    assert f"année {current + 1}" in future["reason"]
    assert contract["status"] == "created"
    assert not Project.objects.exists()


def test_ambiguous_names_unreadable_amounts_and_running_projects_are_never_guessed(diair, ctair_campaigns):
    next_year = timezone.localdate().year + 1
    outcome = run(
        csv_bytes(
            "Lyon;;;PTAI;2020;10 000;;;",
            "Saint-Denis;;;PTAI;2019;10 000;;;",
            "Métropole de Gotham;;;PTAI;2020;10 000;;;",
            "Brest Métropole;29;;PTAI;2020;;;;",
            f"Brest Métropole;29;;PTAI;2021;10 000;30/06/{next_year};;",
            "Brest Métropole;29;;PTAI;2020;10 000;31/12/2019;;",
        ),
        diair,
        partial=True,
    )

    rows = outcome.report()["rows"]
    assert [r["status"] for r in rows] == ["ambiguous", "ambiguous", "rejected", "rejected", "rejected", "rejected"]
    lyon, saint_denis, gotham, no_amount, running, before = rows
    assert {c["code"] for c in lyon["candidates"]} == {"69123", "200046977"} and lyon["authority"] is None
    assert len(saint_denis["candidates"]) == 4
    assert "Aucune intercommunalité" in gotham["reason"]
    assert "indiquez le montant accordé par l'État" in no_amount["reason"]
    assert "ce PTAI n'est pas terminé" in running["reason"]
    assert "elle précède l'année du PTAI (2020)" in before["reason"]
    assert not Project.objects.exists()


def test_importing_twice_creates_nothing_and_a_bad_row_writes_nothing_without_partial(diair, ctair_campaigns):
    assert not run(csv_bytes(*MIXED, "Lyon;;;PTAI;2020;10 000;;;"), diair).written
    assert not Project.objects.exists() and not Contract.objects.exists()

    run(csv_bytes(*MIXED), diair)
    events, entries = Event.objects.count(), LedgerEntry.objects.count()

    again = run(csv_bytes(*MIXED), diair)

    assert {r["status"] for r in again.report()["rows"]} == {"present"}
    assert "a déjà ce PTAI de 2020 (PTAI-2020-38-0001" in again.report()["rows"][2]["reason"]
    assert Project.objects.count() == 4
    assert (Event.objects.count(), LedgerEntry.objects.count()) == (events, entries)


def test_a_platform_ptai_of_the_same_amount_is_present_or_refused_never_doubled(diair, ctair_campaigns):
    filed = ProjectFactory(closed=True, lead_authority=grenoble_metropole())  # 2021, 40 000 € granted

    outcome = run(
        csv_bytes(
            "Grenoble-Alpes Métropole;38;;PTAI;2021;40 000;;;",
            "Grenoble-Alpes Métropole;38;;PTAI;2021;40 000;;;Un autre intitulé",
            "Grenoble-Alpes Métropole;38;;PTAI;2021;12 000;;;Un second projet",
        ),
        diair,
        partial=True,
    )

    same, doubtful, other = outcome.report()["rows"]
    assert same["status"] == "present" and filed.reference in same["reason"]
    assert doubtful["status"] == "rejected" and "déposé sur la plateforme" in doubtful["reason"]
    assert other["status"] == "created"
    assert Project.objects.count() == 2


def test_the_file_page_shows_the_marker_and_the_timeline_says_where_it_came_from(diair, ctair_campaigns):
    run(csv_bytes(*MIXED), diair)
    grenoble = Project.objects.get(lead_authority__siren="200040715")

    page = PersonaClient(diair).get(reverse("web:project_detail", args=[grenoble.pk]))

    text = text_of(page.content.decode())
    assert page.status_code == 200
    assert "Dossier repris d'un tableau : montant historique, hors registre des écritures" in text
    assert "suivi-diair.csv" in text
    assert "PTAI passé repris d'un tableur" in text
    assert "Hors registre des écritures (dossier repris)" in text
    listing = text_of(PersonaClient(diair).get(reverse("web:project_list")).content.decode())
    assert "Repris d'un tableau" in listing
    export = PersonaClient(diair).get(reverse("web:project_csv"))
    rows = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    row = next(line for line in rows.splitlines() if grenoble.reference in line)
    assert "Soldé (repris d'un tableau, hors registre)" in row


def test_a_historical_ptai_owes_no_report_and_stays_out_of_the_open_data(diair, ctair_campaigns):
    run(csv_bytes(*MIXED), diair)

    assert ensure_reports() == 0
    assert not Report.objects.exists()
    assert [a for a in awards() if a.kind == "ptai"] == []  # no decision date, no payment: not an SCDL row
