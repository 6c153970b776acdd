"""Who may move money, proven on the services themselves — no page, no API: the doors only ask
(`finance.permissions`), `finance.services` refuses (PermissionDenied) and writes nothing.

- open credits, delegate from the national envelope: the Ministère (and administrators);
- delegate from a région's envelope: the same, or the préfet of that région;
- commit, pay, release, cancel a commitment on a département's envelope: its authorising officer —
  the préfet of the département or of its région, or an instructeur of the département holding the
  préfet's délégation de signature;
- delegate a file's credits (PTAI), take them back: the Ministère (and administrators);
- reverse an opening or a delegation from the ledger: who could pass it; never what belongs to a file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.enums import Role
from accounts.services import set_signing_delegation
from finance.models import LedgerEntry
from finance.services import (
    FinanceError,
    cancel_commitment,
    cancel_file_delegation,
    commit,
    delegate,
    delegate_for_file,
    open_national_envelope,
    pay,
    release,
    reverse,
)
from programme.enums import BudgetLineCode
from referential.models import Department, Operator, Region
from tests.factories import grenoble_metropole, make_user
from tests.finance.conftest import trace

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "agent",
    "operator",
    "instructor_isere",
    "instructor_isere_with_delegation",
    "instructor_rhone_with_delegation",
    "prefect_isere",
    "prefect_region",
    "prefect_rhone",
    "prefect_other_region",
    "diair",
    "ministry",
    "admin",
)


def persona(name: str) -> Any:
    isere, rhone = Department.objects.get(code="38"), Department.objects.get(code="69")
    if name == "anonymous":
        return None
    if name.startswith("instructor"):
        department = isere if "isere" in name else rhone
        user = make_user(Role.INSTRUCTOR, department=department)
        if name.endswith("with_delegation"):
            prefect = make_user(Role.PREFECT, department=department)
            set_signing_delegation(actor=prefect, membership=user.memberships.get(), granted=True)
            user = type(user).objects.get(pk=user.pk)
        return user
    return {
        "agent": lambda: make_user(Role.AGENT, authority=grenoble_metropole()),
        "operator": lambda: make_user(
            Role.OPERATOR, operator=Operator.objects.create(name="Association", siret="00000000000018")
        ),
        "prefect_isere": lambda: make_user(Role.PREFECT, department=isere),
        "prefect_region": lambda: make_user(Role.PREFECT, region=isere.region),
        "prefect_rhone": lambda: make_user(Role.PREFECT, department=rhone),
        "prefect_other_region": lambda: make_user(Role.PREFECT, region=Region.objects.get(code="75")),
        "diair": lambda: make_user(Role.DIAIR),
        "ministry": lambda: make_user(Role.MINISTRY),
        "admin": lambda: make_user(Role.ADMIN),
    }[name]()


OFFICERS_OF_ISERE = {"prefect_isere", "prefect_region", "instructor_isere_with_delegation"}
NATIONAL = {"ministry", "admin"}


@pytest.fixture
def money(national_refugees: Any, auvergne_rhone_alpes: Region, isere: Department, ministry: Any, officer: Any) -> Any:
    """The national 104-15 envelope of 2021 (1 000 000 € opened), the région's (200 000 €), Isère's
    (100 000 € from the région) with a commitment of 10 000 € (4 000 € paid), and 5 000 € delegated
    for a file."""
    region = delegate(
        actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, amount="200000"
    ).counterpart_of.envelope
    department = delegate(actor=ministry, source=region, department=isere, amount="100000").counterpart_of.envelope
    commitment = commit(actor=officer(isere), envelope=department, amount="10000", funded=isere, label="PTAI", rules={})
    pay(actor=officer(isere), commitment=commitment, amount="4000")
    opening = open_national_envelope(
        actor=ministry, campaign=national_refugees.campaign, budget_line=national_refugees.budget_line, amount="3000"
    )
    to_rhone = delegate(actor=ministry, source=region, department=Department.objects.get(code="69"), amount="2000")
    file = grenoble_metropole()
    rules = national_refugees.campaign.rules()
    delegate_for_file(
        actor=ministry,
        campaign=national_refugees.campaign,
        line_code=BudgetLineCode.REFUGEES,
        department=isere,
        amount="5000",
        funded=file,
        label="Délégation pour un dossier",
        rules=rules,
    )
    return {
        "national": national_refugees,
        "region": region,
        "department": department,
        "commitment": commitment,
        "file": file,
        "rules": rules,
        "opening": opening,
        "to_rhone": to_rhone,
        "rhone": Department.objects.get(code="69"),
        "gironde": Department.objects.get(code="33"),
    }


SERVICES: dict[str, tuple[set[str], Callable[[Any, dict[str, Any]], Any]]] = {
    "open_national_envelope": (
        NATIONAL,
        lambda actor, m: open_national_envelope(
            actor=actor, campaign=m["national"].campaign, budget_line=m["national"].budget_line, amount="1000"
        ),
    ),
    "delegate from the national envelope": (
        NATIONAL,
        lambda actor, m: delegate(actor=actor, source=m["national"], department=m["gironde"], amount="1000"),
    ),
    "delegate from the région's envelope": (
        NATIONAL | {"prefect_region"},
        lambda actor, m: delegate(actor=actor, source=m["region"], department=m["rhone"], amount="1000"),
    ),
    "commit on Isère": (
        OFFICERS_OF_ISERE,
        lambda actor, m: commit(
            actor=actor, envelope=m["department"], amount="1000", funded=m["rhone"], label="Action", rules={}
        ),
    ),
    "pay on Isère": (OFFICERS_OF_ISERE, lambda actor, m: pay(actor=actor, commitment=m["commitment"], amount="1000")),
    "release on Isère": (
        OFFICERS_OF_ISERE,
        lambda actor, m: release(actor=actor, commitment=m["commitment"], amount="1000", reason="Solde"),
    ),
    "cancel a commitment on Isère": (
        OFFICERS_OF_ISERE,
        lambda actor, m: cancel_commitment(actor=actor, commitment=m["commitment"], reason="Erreur"),
    ),
    "delegate a file's credits": (
        NATIONAL,
        lambda actor, m: delegate_for_file(
            actor=actor,
            campaign=m["national"].campaign,
            line_code=BudgetLineCode.REFUGEES,
            department=m["rhone"],
            amount="1000",
            funded=m["rhone"],
            label="Délégation",
            rules=m["rules"],
        ),
    ),
    "take a file's credits back": (
        NATIONAL,
        lambda actor, m: cancel_file_delegation(actor=actor, funded=m["file"], reason="Erreur d'exercice"),
    ),
    "reverse an opening of credits": (
        NATIONAL,
        lambda actor, m: reverse(actor=actor, entry=m["opening"], reason="Erreur"),
    ),
    "reverse the région's delegation to Rhône": (
        NATIONAL | {"prefect_region"},
        lambda actor, m: reverse(actor=actor, entry=m["to_rhone"], reason="Erreur"),
    ),
}


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_each_money_service_checks_its_actor(service: str, name: str, money: dict[str, Any]) -> None:
    allowed, call = SERVICES[service]
    actor = persona(name)
    if name in allowed:
        call(actor, money)
        return
    before = trace()
    with pytest.raises(PermissionDenied) as caught:
        call(actor, money)
    assert str(caught.value).startswith("Seul") or "Vous ne pouvez pas" in str(caught.value)
    assert trace() == before


@pytest.mark.parametrize("name", ["ministry", "admin", "prefect_isere", "prefect_region"])
def test_what_belongs_to_a_file_is_never_reversed_from_the_ledger(name: str, money: dict[str, Any]) -> None:
    """A commitment, its payments, and the delegations made for a file: through the file only."""
    actor = persona(name)
    owned = LedgerEntry.objects.filter(commitment=money["commitment"]) | LedgerEntry.objects.filter(
        funded_type__isnull=False
    )
    assert owned.count() == 2 + 4  # commitment, payment; out and in, national → région → Isère
    before = trace()
    for entry in owned:
        with pytest.raises(FinanceError) as caught:
            reverse(actor=actor, entry=entry, reason="Erreur")
        assert caught.value.code == "through_workflow"
    assert trace() == before
