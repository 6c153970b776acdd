"""The benchmark's data (`make bench`): ten campaign years generated with COPY, valid by the
project's constraints, deterministic from the seed, consistent with the money, and every page of
the registry answering its user on it. PostgreSQL only (COPY, the ledger's trigger)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client

from accounts.models import User
from bench.generate import FIRST_YEAR, LAST_YEAR, Generator
from bench.pages import PAGES, USERS
from contracts.models import Action, Contract, Programming
from finance.balances import balances
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope, LedgerEntry
from projects.models import Project

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark writes with COPY")
SCALE = 0.004  # 200 PTAI, 10 CTAI


def fingerprint() -> list[Any]:
    return list(Project.objects.order_by("reference", "title").values_list("title", "state", "requested_amount"))[:50]


@pytest.fixture
def generated(db: None) -> Generator:
    generator = Generator(scale=SCALE, seed=7, log=lambda message: None)
    generator.run()
    return generator


def test_ten_campaign_years_of_ptai_in_every_state_and_ctai_with_their_programmings(generated: Generator) -> None:
    assert Project.objects.count() == 200
    years = set(Project.objects.values_list("campaign__year", flat=True))
    assert years == set(range(FIRST_YEAR, LAST_YEAR + 1))
    assert {"draft", "in_review", "funded", "closed", "prefect_refused"} <= set(
        Project.objects.values_list("state", flat=True)
    )
    assert Contract.objects.filter(state="signed").exists()
    assert Programming.objects.filter(state="closed").exists()
    assert Action.objects.count() >= 10 * 12


def test_the_generated_money_is_the_ledger_s(generated: Generator) -> None:
    """A funded PTAI's commitment is its granted amount; no national envelope is overdrawn."""
    for project in Project.objects.filter(state__in=["funded", "closed"]):
        assert project.commitment is not None
        committed = LedgerEntry.objects.filter(commitment=project.commitment, kind=EntryKind.COMMITMENT)
        assert committed.aggregate(total=Sum("amount"))["total"] == project.granted_amount
    national = Envelope.objects.filter(level=EnvelopeLevel.NATIONAL).values_list("pk", flat=True)
    for figures in balances(national).values():
        assert figures.available >= Decimal(0)


def test_the_same_seed_gives_the_same_programme(db: None) -> None:
    prints = []
    for _ in range(2):
        with transaction.atomic():
            Generator(scale=SCALE, seed=11, log=lambda message: None).run()
            prints.append(fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1] and prints[0]


def test_every_registered_page_answers_its_user_on_the_generated_data(generated: Generator) -> None:
    clients: dict[str | None, Client] = {}
    for page in PAGES:
        if page.user not in clients:
            clients[page.user] = Client()
            if page.user:
                clients[page.user].force_login(User.objects.get(email=USERS[page.user]()))
        response = clients[page.user].get(page.resolve())
        if response.streaming:  # an XLSX export's temporary file is closed once it has been read
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert response.status_code == 200, page.name


def test_the_steering_data_is_what_the_schedule_owes(generated: Generator) -> None:
    """Every funded PTAI and accepted CTAI action has its reports (the daily job would create none),
    handed-in reports carry the core indicators, and committees, evaluations and the public
    catalogue exist (issue 16: the steering data at scale)."""
    from public.models import CatalogueEntry
    from reporting.models import CORE_INDICATORS, Report
    from steering.models import Committee, Decision, Evaluation
    from steering.schedule import ensure_reports

    assert Report.objects.count() > 0
    assert ensure_reports() == 0
    accepted = Report.objects.filter(state="accepted")
    assert accepted.exists()
    assert all(set(CORE_INDICATORS) <= set(values) for values in accepted.values_list("values", flat=True))
    assert Report.objects.filter(state="expected").exists()
    assert Committee.objects.filter(level="national").exists()
    assert Committee.objects.filter(level="department").exists()
    assert Decision.objects.exists()
    assert Evaluation.objects.exists()
    assert CatalogueEntry.objects.exists()


def test_the_open_data_files_have_rows_on_the_generated_data(generated: Generator) -> None:
    """Issue 16 (item 6): the préfectures and the beneficiaries have Luhn-valid SIRETs, so the SCDL
    and 360Giving files publish the generated awards (before, 0 rows: no collectivité had a SIRET)."""
    from core.validators import siret_is_valid
    from public.models import BeneficiaryIdentity, Publication, PublicationKind
    from referential.models import Prefecture

    assert all(siret_is_valid(siret) for siret in Prefecture.objects.values_list("siret", flat=True))
    assert all(siret_is_valid(siret) for siret in BeneficiaryIdentity.objects.values_list("siret", flat=True))
    scdl = Publication.objects.get(kind=PublicationKind.SCDL)
    assert scdl.rows > 0
    assert bytes(scdl.content).decode("utf-8").count("\n") > scdl.rows  # a header, then one line per award
