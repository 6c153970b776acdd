"""`seed_demo` creates the demo CTAI (CTAI issue, « Demo »): the first CTAIR wave of 2019 and Rennes
in 2020, the CTAIR widened into CTAI in 2021 from the collectivités' declarations and one CTAIR in
negotiation carried on as a CTAI (F16), coordinators named, being recruited or none (F20), Poitiers
2021 with 150 000 € + 50 000 € committed and its advance paid, Lyon 2021 closed on its year's
report, actions with their part (F11) and their priority (F13), every contract state and every
programming state, money never below zero, a signed CTAI with a draft programming a demo user can
walk through, and a second run changes nothing.

One seed for the module (the run takes a few seconds): the tests only read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from audit.models import Event
from contracts.enums import ActionPart, ActionReview, CarrierKind, ContractKind, ContractState, ProgrammingState
from contracts.models import ActionPublic, Contract, Programming
from contracts.permissions import is_agent, is_diair, is_prefect
from demo.ctai import CTAI_ACCOUNTS, DEMO_CONTRACTS, DEMO_PROGRAMMINGS
from finance.balances import balances, commitment_totals
from finance.enums import EntryKind, Tranche
from finance.models import Envelope, LedgerEntry
from programme.models import Campaign
from programme.services import lifted_for
from tests.demo.seeding import every_count

# The test database is set up only for the aliases the session's tests are marked with.
pytestmark = pytest.mark.django_db

# SIREN of the EPCI, INSEE code of the commune -> year of the CTAIR's signature.
CTAIR_YEARS = {
    "242100410": 2019,  # Dijon Métropole
    "200040715": 2019,  # Grenoble-Alpes-Métropole
    "200046977": 2019,  # Métropole de Lyon
    "245400676": 2019,  # Métropole du Grand Nancy
    "243300316": 2019,  # Bordeaux Métropole
    "244400404": 2019,  # Nantes Métropole
    "246700488": 2019,  # Eurométropole de Strasbourg
    "243100518": 2019,  # Toulouse Métropole
    "242900314": 2019,  # Brest Métropole
    "63113": 2019,  # Clermont-Ferrand (commune)
    "243500139": 2020,  # Rennes Métropole
}
WIDENED = {"200046977", "200040715", "246700488", "243100518"}  # Lyon, Grenoble, Strasbourg, Toulouse
# F16: the CTAI that widen a signed CTAIR (signed or in negotiation) -> their state.
WIDENING = {
    "200046977": ContractState.SIGNED,
    "200040715": ContractState.SIGNED,
    "246700488": ContractState.SIGNED,
    "243100518": ContractState.SIGNED,
    "244400404": ContractState.DRAFTING,  # Nantes
    "63113": ContractState.DIAGNOSIS,  # Clermont-Ferrand
    "243500139": ContractState.WIDENING_DECLARED,  # Rennes, declared by the préfet for the métropole
}
MONTPELLIER = "243400017"  # its CTAIR of campaign 2020, in negotiation, carried on as the CTAI
HOUSING = "logement"


def code_of(contract: Contract) -> str:
    return contract.authority.siren if contract.authority.kind == "epci" else contract.authority.insee_code


def test_summary_and_second_run_changes_nothing(db_access: dict[str, Any]) -> None:
    # Every CTAI account but prefet.haute-garonne, whom the PTAI demo creates first (its Occitanie file).
    assert (
        "CTAI de démonstration : 23 contrat(s) (9 états), 7 programmation(s) (6 états) ; "
        f"{len(CTAI_ACCOUNTS) - 1} compte(s) CTAI ajouté(s)." in db_access["first"]
    )
    assert "CTAI de démonstration : 0 créé(s), déjà présents ; 0 compte(s) CTAI ajouté(s)." in db_access["second"]
    assert every_count() == db_access["counts"]
    assert Contract.objects.count() == len(DEMO_CONTRACTS)
    assert Programming.objects.count() == len(DEMO_PROGRAMMINGS)


def test_the_eleven_ctair_with_their_years(db_access: dict[str, Any]) -> None:
    ctair = list(Contract.objects.filter(kind=ContractKind.CTAIR).select_related("authority", "campaign"))
    assert {code_of(c): c.signed_on.year for c in ctair if c.signed_on} == CTAIR_YEARS
    assert len(ctair) == 11
    for contract in ctair:
        assert contract.campaign.year == contract.signed_on.year  # type: ignore[union-attr]
        assert contract.elected_official_name and contract.prefect_name
    clermont = next(c for c in ctair if code_of(c) == "63113")
    assert clermont.authority.kind == "commune"
    assert lifted_for(clermont).get("ctai.signatory.type")  # the commune signs with a justification
    for year in (2019, 2020):
        campaign = Campaign.objects.get(year=year)
        assert "démonstration" in campaign.notes and "CTAIR" in campaign.notes
        assert campaign.rules()["budget_lines"] == ["104-12", "104-15"]
        assert not Envelope.objects.filter(campaign=campaign).exists()


def test_widened_ctair_link_to_their_signed_ctai(db_access: dict[str, Any]) -> None:
    ctair = Contract.objects.filter(kind=ContractKind.CTAIR).select_related("authority")
    for contract in ctair:
        if code_of(contract) in WIDENED:
            assert contract.state == ContractState.WIDENED, contract
            ctai = contract.widened_into
            assert ctai.kind == ContractKind.CTAI and ctai.state == ContractState.SIGNED
            assert ctai.authority_id == contract.authority_id
            assert ctai.signed_on is not None and ctai.signed_on.year == 2021
            assert list(contract.transitions.values_list("transition", flat=True)) == [
                "record_letter",
                "start_diagnosis",
                "complete_diagnosis",
                "sign",
                "declare_widening",
                "close_as_widened",
            ]
        else:
            assert contract.state in (ContractState.SIGNED, ContractState.ENDED), contract
    assert {code_of(c) for c in ctair.filter(state=ContractState.ENDED)} == {"245400676", "243300316", "242900314"}


def test_f16_every_widening_starts_from_a_declaration_without_a_letter(db_access: dict[str, Any]) -> None:
    """F16: the CTAI that widen a signed CTAIR carry the collectivité's declaration (who, when, text),
    no lettre d'engagement, and went from the declaration straight to the diagnostic."""
    widening = Contract.objects.filter(widens__isnull=False).select_related("authority", "widening_declared_by")
    assert {code_of(c): c.state for c in widening} == WIDENING
    for contract in widening:
        assert contract.letter_date is None and contract.widening_declared_on is not None, contract
        assert "intention d'élargir son contrat" in contract.widening_declaration
        assert not [f for f in contract.findings() if f.is_blocking], contract
        steps = list(contract.transitions.values_list("transition", flat=True))
        assert "record_letter" not in steps
        if contract.state != ContractState.WIDENING_DECLARED:
            assert steps[0] == "start_diagnosis", contract
    rennes = widening.get(authority__siren="243500139")
    assert rennes.widening_declared_by.email.startswith("prefet.ille-et-vilaine@")  # on the métropole's behalf


def test_f16_a_ctair_in_negotiation_is_carried_on_as_the_ctai(db_access: dict[str, Any]) -> None:
    """F16: Montpellier's CTAIR of campaign 2020, at its diagnostic in June 2021, is carried on as the
    CTAI: same contract, its letter and diagnostic kept, the history shows the CTAIR it was."""
    contract = Contract.objects.get(authority__siren=MONTPELLIER)
    assert (contract.kind, contract.state, contract.widened_in_negotiation) == (
        ContractKind.CTAI,
        ContractState.DRAFTING,
        True,
    )
    assert contract.campaign.year == 2020 and contract.letter_date is not None
    assert contract.diagnosis.completed_at is not None
    assert set(contract.history.values_list("kind", flat=True)) == {ContractKind.CTAIR, ContractKind.CTAI}
    assert list(contract.transitions.values_list("transition", flat=True)) == [
        "record_letter",
        "start_diagnosis",
        "declare_widening",
        "complete_diagnosis",
    ]


def test_f20_coordinators_named_being_recruited_or_none(db_access: dict[str, Any]) -> None:
    """F20: the collectivité MAY name or recruit a coordinator: Toulouse signed without one, Strasbourg
    named its own after the signature, Poitiers' is being recruited."""
    signed = {code_of(c): c for c in Contract.objects.filter(kind=ContractKind.CTAI, state=ContractState.SIGNED)}
    assert signed["243100518"].coordinator_status == "none"
    assert signed["86194"].coordinator_status == "recruiting"
    strasbourg = signed["246700488"]
    assert (strasbourg.coordinator_status, strasbourg.coordinator_name) == ("named", "Lucas Meyer")
    assert strasbourg.history.filter(history_change_reason="Coordinateur enregistré").exists()
    assert Event.objects.filter(verb="contracts.coordinator_recorded", target_id=str(strasbourg.pk)).exists()


def test_f43_poitiers_2021_committed_150_000_and_50_000(db_access: dict[str, Any]) -> None:
    contract = Contract.objects.get(kind=ContractKind.CTAI, authority__kind="commune", authority__insee_code="86194")
    assert contract.state == ContractState.SIGNED and contract.signed_on.year == 2021  # type: ignore[union-attr]
    assert lifted_for(contract).get("ctai.signatory.type")
    programming = Programming.objects.get(contract=contract, campaign__year=2021)
    assert programming.state == ProgrammingState.COMMITTED
    assert (programming.base_amount, programming.complement_amount) == (Decimal("150000"), Decimal("50000"))
    actions = list(programming.actions.all())
    assert sum(a.planned_bpi for a in actions) == 90 and sum(a.planned_newcomers for a in actions) == 30
    assert programming.funding().complement == Decimal("50000.00")  # 150 000 × 30 ÷ 90  # noqa: RUF003
    for commitment, line, amount in (
        (programming.base_commitment, "104-15", Decimal("150000.00")),
        (programming.complement_commitment, "104-12", Decimal("50000.00")),
    ):
        assert commitment is not None
        assert commitment.envelope.budget_line.code == line
        assert commitment.envelope.department.code == "86"  # type: ignore[union-attr]
        assert commitment.envelope.campaign.year == 2021
        entries = LedgerEntry.objects.filter(commitment=commitment, kind=EntryKind.COMMITMENT)
        assert [e.amount for e in entries] == [amount]
        # The advance (50 %) paid at the commitment, the balance on the year's report.
        advances = LedgerEntry.objects.filter(commitment=commitment, kind=EntryKind.PAYMENT)
        assert [(e.tranche, e.amount) for e in advances] == [(Tranche.ADVANCE, amount / 2)]
    # F11: the socle's actions make the socle, the complement's the complement.
    by_part = {part: sum(a.state_amount for a in actions if a.part == part) for part in ActionPart.values}
    assert by_part == {"base": Decimal("150000"), "complement": Decimal("50000")}


def test_lyon_2021_closed_on_its_report_with_the_balance_paid(db_access: dict[str, Any]) -> None:
    """The year's report of Lyon 2021: 290 000 € spent on the socle (10 000 € released), the whole
    complement; the balance paid, nothing left to pay."""
    programming = Programming.objects.get(contract__authority__siren="200046977", campaign__year=2021)
    assert programming.state == ProgrammingState.CLOSED
    assert (programming.final_base_amount, programming.final_complement_amount) == (
        Decimal("290000"),
        Decimal("100000"),
    )
    base, complement = programming.base_commitment, programming.complement_commitment
    assert commitment_totals([base.pk, complement.pk]) == {  # type: ignore[union-attr]
        base.pk: (Decimal("290000.00"), Decimal("290000.00")),  # type: ignore[union-attr]
        complement.pk: (Decimal("100000.00"), Decimal("100000.00")),  # type: ignore[union-attr]
    }
    assert LedgerEntry.objects.get(commitment=base, kind=EntryKind.RELEASE).amount == Decimal("10000.00")
    assert LedgerEntry.objects.filter(commitment=base, tranche=Tranche.BALANCE).get().amount == Decimal("140000.00")


def test_every_contract_state_and_every_programming_state(db_access: dict[str, Any]) -> None:
    assert set(Contract.objects.values_list("state", flat=True)) == set(ContractState.values)
    ctai_states = set(Contract.objects.filter(kind=ContractKind.CTAI).values_list("state", flat=True))
    assert ctai_states == set(ContractState.values) - {ContractState.ENDED, ContractState.WIDENED}
    assert set(Programming.objects.values_list("state", flat=True)) == set(ProgrammingState.values)
    abandoned = Contract.objects.get(state=ContractState.ABANDONED)
    assert abandoned.closed_reason
    late = Contract.objects.get(kind=ContractKind.CTAI, state=ContractState.LETTER_RECEIVED)
    assert late.letter_date is not None and late.letter_date > late.campaign.letter_deadline
    assert lifted_for(late).get("ctai.letter.deadline")


def test_programmings_and_their_actions(db_access: dict[str, Any]) -> None:
    for programming in Programming.objects.prefetch_related("actions__domains"):
        actions = list(programming.actions.all())
        assert 2 <= len(actions) <= 5, programming
        assert sum(a.state_amount for a in actions) == programming.total_amount, programming
        for part, amount in (
            (ActionPart.BASE, programming.base_amount),
            (ActionPart.COMPLEMENT, programming.complement_amount),
        ):
            assert sum(a.state_amount for a in actions if a.part == part) == amount, (programming, part)
        assert any(HOUSING in {d.code for d in a.domains.all()} for a in actions), programming
        for action in actions:
            assert action.state_amount <= action.budget and action.domains.exists()
            assert action.priority_id is not None, action  # F13
            if action.carrier_kind == CarrierKind.ASSOCIATION:
                assert action.siret.startswith("99") and len(action.siret) == 14
                action.full_clean()  # validate_siret: the Luhn key is right
        if programming.state in (ProgrammingState.APPROVED, ProgrammingState.COMMITTED, ProgrammingState.CLOSED):
            assert {a.review for a in actions} == {ActionReview.ACCEPTED}
            assert not [f for f in programming.findings() if f.is_blocking], programming
        if programming.state in (ProgrammingState.COMMITTED, ProgrammingState.CLOSED):
            assert programming.base_commitment is not None and programming.complement_commitment is not None
    presented = Programming.objects.get(state=ProgrammingState.PRESENTED)
    reviews = list(presented.actions.values_list("review", flat=True))
    assert reviews.count(ActionReview.SENT_BACK) == 1 and reviews.count(ActionReview.ACCEPTED) >= 2
    changes = Programming.objects.get(state=ProgrammingState.CHANGES_REQUESTED)
    assert changes.changes_reason
    sent_back = changes.actions.get(review=ActionReview.SENT_BACK)
    assert sent_back.public == ActionPublic.ASYLUM_SEEKERS and sent_back.review_reason


def test_balances_never_negative(db_access: dict[str, Any]) -> None:
    envelopes = list(Envelope.objects.all())
    for envelope, balance in zip(envelopes, balances(e.pk for e in envelopes).values(), strict=True):
        assert balance.available >= 0 and balance.to_pay >= 0, envelope
        assert min(balance.received, balance.delegated, balance.committed, balance.paid) >= 0, envelope
    committed = Programming.objects.filter(state__in=[ProgrammingState.COMMITTED, ProgrammingState.CLOSED])
    assert set(committed.values_list("contract__department__code", flat=True)) == {"38", "69", "86"}
    for programming in committed:
        for line in ("104-15", "104-12"):
            assert Envelope.objects.filter(
                campaign=programming.campaign, budget_line__code=line, department=programming.contract.department
            ).exists()


def test_a_demo_user_can_walk_a_draft_programming_through(db_access: dict[str, Any]) -> None:
    """agent.grenoble presents the 2022 draft, the Diair approves it, prefet.isere commits it."""
    draft = Programming.objects.select_related("contract__department", "campaign").get(state=ProgrammingState.DRAFT)
    contract = draft.contract
    assert contract.state == ContractState.SIGNED and contract.authority.siren == "200040715"
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.territoires-integration.fr")}
    assert is_agent(contract, users["agent.grenoble"])
    assert is_prefect(contract, users["prefet.isere"])
    assert is_diair(contract, users["diair"])
    assert not [f for f in draft.findings() if f.is_blocking]  # it can be presented as it is
    for line, amount in (("104-15", draft.base_amount), ("104-12", draft.complement_amount)):
        envelope = Envelope.objects.get(campaign=draft.campaign, budget_line__code=line, department__code="38")
        assert balances([envelope.pk])[envelope.pk].available >= amount  # and committed


def test_ctai_accounts_act_in_their_own_scope(db_access: dict[str, Any]) -> None:
    # agent.clermont-metropole starts with no contract: the browser journey opens one (first contact).
    for account in CTAI_ACCOUNTS:
        user = User.objects.get(email=account.address)
        assert user.check_password("territoires-demo-2026")
        visible = Contract.objects.for_user(user)
        assert visible.exists() == (account.email != "agent.clermont-metropole"), account.email
        if account.role == Role.PREFECT:
            assert set(visible.values_list("department__code", flat=True)) == {account.scope[4:]}


def test_written_through_the_services(db_access: dict[str, Any]) -> None:
    opened = Contract.objects.exclude(state__in=[ContractState.CONTACT, ContractState.WIDENING_DECLARED])
    for contract in opened.prefetch_related("transitions"):
        first = contract.transitions.first()
        expected = "start_diagnosis" if contract.widens_id else "record_letter"
        assert first is not None and first.transition == expected, contract
        assert Event.objects.filter(verb="contracts.created", target_id=str(contract.pk)).exists()
    assert Event.objects.filter(verb="contracts.widened").count() == len(WIDENED)
    assert Event.objects.filter(verb="contracts.declare_widening").count() == len(WIDENING) + 1  # + Montpellier
    assert Event.objects.filter(verb="contracts.programming_commit").count() == 3
    assert Event.objects.filter(verb="contracts.programming_close").count() == 1
    assert Event.objects.filter(verb="programme.derogation_recorded").count() == 4


def test_calls_for_projects_and_amendments(db_access: dict[str, Any]) -> None:
    """F22, F24: the demo holds an open call the public sees, a closed one with its applications
    scored and decided, a signed amendment that moved Lyon's end of effect, one in drafting."""
    from contracts.enums import AmendmentState, ApplicationStatus
    from contracts.models import Amendment, Call

    assert "2 appel(s) à projets, 3 candidature(s), 2 avenant(s)." in db_access["first"]
    assert "Appels à projets et avenants de démonstration : déjà présents." in db_access["second"]
    open_calls = list(Call.objects.open())
    assert [c.title for c in open_calls] == ["Apprendre le français et travailler"]
    closed = Call.objects.get(title="Accès au logement")
    decided = {a.title: (a.status, a.score) for a in closed.applications.all()}
    assert decided == {
        "Bail glissant et accompagnement de douze mois": (ApplicationStatus.SELECTED, 16),
        "Colocations solidaires": (ApplicationStatus.REJECTED, 11),
    }
    lyon = Amendment.objects.get(contract__authority__siren="200046977")
    assert lyon.state == AmendmentState.SIGNED
    assert lyon.contract.effective_to == lyon.new_effective_to
    assert lyon.contract.history.count() >= 2
    assert Amendment.objects.get(contract__authority__siren="243100518").state == AmendmentState.DRAFTED


def test_lyon_steering_committee(db_access: dict[str, Any]) -> None:
    """F23: the Diair's steering committee of Lyon's CTAI retains an action for evaluation."""
    from contracts.models import SteeringCommittee

    committee = SteeringCommittee.objects.get(contract__authority__siren="200046977")
    assert committee.organised_by.email.startswith("diair@")
    assert committee.evaluated_actions.count() == 1


def test_f23_the_demo_steers_the_programme(db_access: dict[str, Any]) -> None:
    """Reports accepted, handed in, sent back and late; a national and a départemental committee
    whose decisions are on the files' timelines; two evaluations, one rendered with its summary."""
    from reporting.enums import ReportState
    from reporting.models import Report
    from steering.enums import CommitteeLevel
    from steering.models import Committee, Decision, Evaluation

    assert "Pilotage de démonstration : " in db_access["first"]
    assert "Pilotage de démonstration : déjà présents." in db_access["second"]
    states = {state for state in Report.objects.values_list("state", flat=True)}
    assert {ReportState.ACCEPTED, ReportState.SUBMITTED, ReportState.COMPLETION_REQUESTED} <= states
    assert Report.objects.late().exists()
    assert sorted(Committee.objects.values_list("level", flat=True)) == sorted(
        [CommitteeLevel.DEPARTMENT, CommitteeLevel.DEPARTMENT, CommitteeLevel.NATIONAL]
    )
    assert set(Committee.objects.values_list("department__code", flat=True)) == {None, "38", "69"}
    lyon = Contract.objects.get(kind=ContractKind.CTAI, authority__siren="200046977")
    assert Decision.objects.filter(committee__level=CommitteeLevel.NATIONAL).count() == 2
    assert Event.objects.for_target(lyon).filter(verb="steering.decision").exists()
    evaluations = Evaluation.objects.order_by("pk")
    assert evaluations.count() == 2
    assert evaluations.filter(completed_on__isnull=False, contract=lyon).exclude(summary="").exists()


def test_the_contracts_timelines_carry_the_dates_of_their_story(db_access: dict[str, Any]) -> None:
    """Issue 10: a CTAIR signed in 2019 says 2019 in its timeline, not the day of the seeding."""
    signed = Contract.objects.exclude(signed_on=None)
    assert signed.count() > 5
    for contract in signed:
        event = Event.objects.for_target(contract).get(verb="contracts.sign")
        assert event.created_at.date() == contract.signed_on, contract
        assert contract.transitions.get(transition="sign").created_at.date() == contract.signed_on, contract


def test_the_programmings_timelines_carry_the_dates_of_their_year(db_access: dict[str, Any]) -> None:
    """Issue 10: a programming of 2021 is drafted, presented, approved and committed in 2021 (after
    its contract's signature), closed once its report is received — not on the day of the seeding."""
    for programming in Programming.objects.select_related("contract", "campaign"):
        logs = list(programming.transitions.order_by("created_at", "pk"))
        assert programming.created_at.year == programming.campaign.year, programming
        if programming.contract.signed_on is not None:
            assert programming.created_at.date() > programming.contract.signed_on, programming
        for log in logs:
            if log.transition != "close":
                assert log.created_at.year == programming.campaign.year, (programming, log.transition)
            assert log.created_at >= programming.created_at, (programming, log.transition)
        events = Event.objects.for_target(programming)
        assert not events.filter(created_at__date=timezone.localdate()).exists(), programming
