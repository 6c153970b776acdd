"""Personas for the PTAI tests (as users, not browsers), on the real referential.

The file's lead is Grenoble-Alpes-Métropole (EPCI, Isère), its partner the commune of Voiron
(38563, Isère); "another collectivité" is the Métropole de Lyon (Rhône).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accounts.enums import Role
from accounts.models import User
from finance.enums import EnvelopeLevel
from finance.models import Envelope
from finance.services import delegate, open_national_envelope
from programme.enums import BudgetLineCode
from programme.models import BudgetLine, Campaign
from tests.factories import commune, grenoble_metropole, isere, make_user, metropole_de_lyon, rhone

VOIRON = "38563"

PERSONAS = (
    "agent_lead",
    "agent_partner",
    "agent_other",
    "instructor_isere",
    "instructor_rhone",
    "prefect_isere",
    "prefect_region",
    "prefect_rhone",
    "diair",
    "ministry",
    "admin",
    "operator",
)


def make_persona(name: str) -> User:
    from tests.factories import OperatorFactory

    region = isere().region
    return {
        "agent_lead": lambda: make_user(Role.AGENT, authority=grenoble_metropole()),
        "agent_partner": lambda: make_user(Role.AGENT, authority=commune(VOIRON)),
        "agent_other": lambda: make_user(Role.AGENT, authority=metropole_de_lyon()),
        "instructor_isere": lambda: make_user(Role.INSTRUCTOR, department=isere()),
        "instructor_rhone": lambda: make_user(Role.INSTRUCTOR, department=rhone()),
        "prefect_isere": lambda: make_user(Role.PREFECT, department=isere()),
        "prefect_region": lambda: make_user(Role.PREFECT, region=region),
        "prefect_rhone": lambda: make_user(Role.PREFECT, department=rhone()),
        "diair": lambda: make_user(Role.DIAIR),
        "ministry": lambda: make_user(Role.MINISTRY),
        "admin": lambda: make_user(Role.ADMIN),
        "operator": lambda: make_user(Role.OPERATOR, operator=OperatorFactory()),
    }[name]()


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    return {name: make_persona(name) for name in PERSONAS}


@pytest.fixture
def voiron(db: Any) -> Any:
    return commune(VOIRON)


def isere_envelope(campaign: Campaign, code: str, amount: str, *, actor: User) -> Envelope:
    """Open `amount` on the national envelope of `code` and delegate all of it to Isère."""
    line = BudgetLine.objects.get(code=code)
    open_national_envelope(actor=actor, campaign=campaign, budget_line=line, amount=amount)
    national = Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)
    entry = delegate(actor=actor, source=national, department=isere(), amount=amount)
    return entry.counterpart_of.envelope


def national_credits(campaign: Campaign, code: str, amount: str, *, actor: User) -> Envelope:
    """Open `amount` on the national envelope of `code` (nothing delegated)."""
    line = BudgetLine.objects.get(code=code)
    open_national_envelope(actor=actor, campaign=campaign, budget_line=line, amount=amount)
    return Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)


@pytest.fixture
def national_2021(people: dict[str, User]) -> dict[str, Envelope]:
    """2021 credits opened on the national envelopes: 100 000 € on action 12, 60 000 € on action 15.
    Nothing delegated: the Ministère delegates each PTAI's granted amount to its département."""
    campaign = Campaign.objects.get(year=2021)
    return {
        code: national_credits(campaign, code, amount, actor=people["ministry"])
        for code, amount in ((BudgetLineCode.NEWCOMERS, "100000"), (BudgetLineCode.REFUGEES, "60000"))
    }


def euros(value: str | int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
