"""`seed_demo` creates the demo PTAI (issue 4, « Demo »): every state in every demo département, seen
by each demo State account in its own scope, the flyer's examples, real money on the right line,
and a second run changes nothing.

One seed for the module (the run takes a few seconds): the tests only read.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from accounts.enums import Role
from accounts.models import User
from audit.models import Event
from demo.accounts import DEMO_ACCOUNTS
from demo.projects import DEMO_FILES, THEMES, demo_siret
from finance.enums import EntryKind, Tranche
from finance.models import LedgerEntry
from programme.enums import TargetPublic
from projects.enums import CarrierKind, ProjectState, ResourceKind
from projects.models import Project, ProjectTransition
from projects.subject import findings

ALL_STATES = set(ProjectState.values)
STATE_ROLES = {Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN}


def seed(tokens_file: Path) -> str:
    out = StringIO()
    call_command("seed_demo", tokens_file=tokens_file, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """Seed once for the module inside a transaction rolled back at the end."""
    from django.db import transaction

    tokens_file = tmp_path_factory.mktemp("demo") / "tokens.json"
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            first = seed(tokens_file)
            counts = _counts()
            second = seed(tokens_file)
            yield {"first": first, "second": second, "counts": counts}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _counts() -> tuple[int, ...]:
    return (
        Project.objects.count(),
        ProjectTransition.objects.count(),
        LedgerEntry.objects.count(),
        Event.objects.count(),
        User.objects.count(),
    )


@pytest.fixture
def db_access(seeded: dict[str, Any], django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        yield seeded


def states_in(department: str) -> set[str]:
    return set(Project.objects.filter(department__code=department).values_list("state", flat=True))


def test_summary_and_second_run_changes_nothing(db_access: dict[str, Any]) -> None:
    assert "Projets de démonstration : 70 créé(s) (13 états, départements 21, 38, 44, 63, 69)." in db_access["first"]
    assert "Projets de démonstration : 0 créé(s), déjà présents." in db_access["second"]
    assert _counts() == db_access["counts"]
    assert db_access["counts"][0] == len(DEMO_FILES)


@pytest.mark.parametrize("department", ["38", "69", "63", "44", "21"])
def test_every_state_in_each_demo_department(db_access: dict[str, Any], department: str) -> None:
    assert states_in(department) == ALL_STATES


def test_both_years_and_the_2022_rule(db_access: dict[str, Any]) -> None:
    assert set(Project.objects.values_list("campaign__year", flat=True)) == {2021, 2022}
    for project in Project.objects.filter(campaign__year=2022).prefetch_related("domains"):
        codes = {d.code for d in project.domains.all()}
        assert "logement" in codes and len(codes) >= 2, project


def test_each_demo_state_account_finds_every_state_in_its_scope(db_access: dict[str, Any]) -> None:
    state_accounts = [a for a in DEMO_ACCOUNTS if a.role in STATE_ROLES]
    assert len(state_accounts) >= 12
    for account in state_accounts:
        user = User.objects.get(email=account.address)
        visible = Project.objects.for_user(user)
        assert set(visible.values_list("state", flat=True)) == ALL_STATES, account.email
        if account.scope.startswith("dep:"):
            assert set(visible.values_list("department__code", flat=True)) == {account.scope[4:]}


def test_each_demo_agent_finds_its_files(db_access: dict[str, Any]) -> None:
    for account in DEMO_ACCOUNTS:
        if account.role == Role.AGENT:
            user = User.objects.get(email=account.address)
            assert Project.objects.for_user(user).exists(), account.email


def test_f44_the_flyers_examples(db_access: dict[str, Any]) -> None:
    clermont = Project.objects.get(lead_authority__insee_code="63113", title__startswith="Structure de soins")
    assert clermont.requested_amount == clermont.granted_amount == Decimal("100000.00")
    assert clermont.target_public == TargetPublic.BPI_ONLY
    assert clermont.state == ProjectState.FUNDED
    assert clermont.bpi_justification and clermont.widening_perspective
    chateaubriant = Project.objects.get(lead_authority__insee_code="44036", title__startswith="Installation")
    assert chateaubriant.granted_amount == Decimal("50000.00") and chateaubriant.state == ProjectState.CLOSED
    auxiliaire = Project.objects.get(lead_authority__siren="200040715", title__contains="auxiliaire de vie")
    assert auxiliaire.requested_amount == Decimal("20000.00") and auxiliaire.state == ProjectState.CLOSED
    dijon = Project.objects.get(lead_authority__siren="242100410", title__startswith="Accompagnement personnalisé")
    assert dijon.requested_amount == Decimal("300000.00")


def test_funded_and_closed_files_have_their_money_on_the_right_line(db_access: dict[str, Any]) -> None:
    funded = Project.objects.filter(state__in=[ProjectState.FUNDED, ProjectState.CLOSED]).with_money()
    assert funded.count() >= 10
    rows: list[Any] = list(
        funded.select_related("commitment__envelope__budget_line", "commitment__envelope__department")
    )
    for project in rows:
        envelope = project.commitment.envelope
        line = "104-15" if project.target_public == TargetPublic.BPI_ONLY else "104-12"
        assert envelope.budget_line.code == line, project
        assert envelope.department_id == project.department_id
        assert envelope.campaign_id == project.campaign_id
        if project.state == ProjectState.FUNDED:
            assert project.committed_amount == project.granted_amount
        else:  # closed: what was not spent went back to the envelope
            assert project.committed_amount == project.paid_amount <= project.granted_amount
        tranches = set(
            LedgerEntry.objects.filter(commitment=project.commitment, kind=EntryKind.PAYMENT).values_list(
                "tranche", flat=True
            )
        )
        if project.state == ProjectState.FUNDED:
            assert tranches == {Tranche.ADVANCE}
            assert project.paid_amount == project.granted_amount / 2
        else:
            assert tranches == {Tranche.ADVANCE, Tranche.BALANCE}
    auxiliaire: Any = funded.get(title__contains="auxiliaire de vie")
    assert auxiliaire.paid_amount == Decimal("18500.00")  # closed below the commitment of 20 000 €
    assert auxiliaire.committed_amount == Decimal("18500.00")  # the unspent 1 500 € were released


def test_written_through_the_services(db_access: dict[str, Any]) -> None:
    for project in Project.objects.exclude(state=ProjectState.DRAFT).prefetch_related("transitions"):
        assert project.reference.startswith(f"PTAI-{project.campaign.year}-{project.department.code}-")
        first = project.transitions.first()
        assert first is not None and first.transition == "submit"
        assert not [f for f in findings(project) if f.is_blocking], project
        assert project.resources.filter(kind=ResourceKind.STATE_REQUEST).exists()
    assert (
        Event.objects.filter(verb="projects.delegate_credits").count()
        == Project.objects.filter(state__in=[ProjectState.FUNDED, ProjectState.CLOSED]).count()
    )
    assert ProjectTransition.objects.filter(transition="ministry_send_back").exists()
    assert ProjectTransition.objects.filter(transition="resubmit").exists()


def test_association_carriers_have_a_fictitious_valid_siret(db_access: dict[str, Any]) -> None:
    carried = Project.objects.filter(carrier_kind=CarrierKind.ASSOCIATION)
    assert carried.exists()
    for project in carried:
        assert project.siret.startswith("99") and len(project.siret) == 14
        project.full_clean(exclude=["state"])  # validate_siret: the Luhn key is right
    assert demo_siret("38", 1) != demo_siret("38", 2)
    assert len({THEMES[spec.theme].title for spec in DEMO_FILES if spec.department == "38"}) == 16
