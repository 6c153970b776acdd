"""Fixtures for the money tests: the seeded campaigns and budget lines, real territories, a trace
counter proving that a refused movement wrote nothing.

Campaigns 2021 and 2022 and the budget lines 104-15 (réfugiés) and 104-12 (autres primo-arrivants)
come from the programme data migration; régions and départements from the real 2026 referential
imported once per session (root conftest.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accounts.enums import Role
from audit.models import Event
from finance.enums import EnvelopeLevel
from finance.models import Commitment, Envelope, LedgerEntry
from finance.services import commit, delegate, open_national_envelope
from programme.enums import BudgetLineCode
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region
from tests.factories import make_user


def euros(value: str | int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def trace() -> dict[str, int]:
    """Everything a movement may write: compare before and after a refusal."""
    return {
        "entries": LedgerEntry.objects.count(),
        "envelopes": Envelope.objects.count(),
        "commitments": Commitment.objects.count(),
        "events": Event.objects.count(),
    }


def national(campaign: Campaign, line: BudgetLine) -> Envelope:
    return Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)


@pytest.fixture
def campaign_2021(db: Any) -> Campaign:
    return Campaign.objects.get(year=2021)


@pytest.fixture
def campaign_2022(db: Any) -> Campaign:
    return Campaign.objects.get(year=2022)


@pytest.fixture
def refugees(db: Any) -> BudgetLine:
    """Programme 104, action 15: BPI (bénéficiaires de la protection internationale)."""
    return BudgetLine.objects.get(code=BudgetLineCode.REFUGEES)


@pytest.fixture
def newcomers(db: Any) -> BudgetLine:
    """Programme 104, action 12: other newcomers (autres primo-arrivants)."""
    return BudgetLine.objects.get(code=BudgetLineCode.NEWCOMERS)


@pytest.fixture
def ministry(db: Any) -> Any:
    return make_user(Role.MINISTRY)


@pytest.fixture
def officer(db: Any) -> Any:
    """officer(département) -> its préfet: the authorising officer who commits and pays there."""
    prefects: dict[int, Any] = {}

    def _officer(department: Department) -> Any:
        if department.pk not in prefects:
            prefects[department.pk] = make_user(Role.PREFECT, department=department)
        return prefects[department.pk]

    return _officer


@pytest.fixture
def prefect_isere(officer: Any, isere: Department) -> Any:
    """The préfet of Isère: commits and pays on Isère's envelopes."""
    return officer(isere)


@pytest.fixture
def auvergne_rhone_alpes(db: Any) -> Region:
    return Region.objects.get(code="84")


@pytest.fixture
def isere(db: Any) -> Department:
    return Department.objects.get(code="38")


@pytest.fixture
def rhone(db: Any) -> Department:
    return Department.objects.get(code="69")


@pytest.fixture
def gironde(db: Any) -> Department:
    """A département of Nouvelle-Aquitaine, not of Auvergne-Rhône-Alpes."""
    return Department.objects.get(code="33")


@pytest.fixture
def national_refugees(campaign_2021: Campaign, refugees: BudgetLine, ministry: Any) -> Envelope:
    """The 2021 national envelope of line 104-15 with 1 000 000 € opened."""
    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="1000000")
    return national(campaign_2021, refugees)


@pytest.fixture
def isere_refugees(national_refugees: Envelope, isere: Department, ministry: Any) -> Envelope:
    """Isère's 2021 envelope of line 104-15, 100 000 € delegated by the national level."""
    entry = delegate(actor=ministry, source=national_refugees, department=isere, amount="100000")
    return entry.counterpart_of.envelope


@pytest.fixture
def commit_on(officer: Any, isere: Department) -> Any:
    """commit() by the préfet of the envelope's département, with a file to fund: finance knows the
    file only through a generic reference."""

    def _commit(envelope: Envelope, amount: Any, label: str = "PTAI Grenoble — cours de français") -> Commitment:
        return commit(
            actor=officer(envelope.department),
            envelope=envelope,
            amount=amount,
            funded=isere,
            label=label,
            rules=envelope.campaign.rules(),
        )

    return _commit
