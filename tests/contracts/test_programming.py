"""The yearly programming of a signed CTAI: actions (their part of the funding, F11, and their
priority of the national strategy, F13), the Diair's check, the socle and the complement, the money
of the year — committed with its advance, settled on the year's report, or cancelled (F14, F15, F22,
F24, F41, F43).

Grenoble-Alpes-Métropole's contract is signed on 1 March 2022; its 2022 programming is prepared by
its agent, checked by the Diair, committed by the préfet of Isère (or an instructeur with his
délégation de signature) on the envelopes of Isère, then settled on the year's report.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.services import set_signing_delegation
from audit.models import Event
from contracts.checks import part_sums
from contracts.enums import ActionPart, ActionReview, ContractState, ProgrammingState
from contracts.models import Action, ActionPublic, Programming, ProgrammingTransition
from contracts.programming import (
    PROGRAMMING,
    add_action,
    apply_transition,
    create_programming,
    remove_action,
    review_action,
    set_amounts,
    update_action,
)
from finance.balances import balance, commitment_totals
from finance.enums import EntryKind, Tranche
from finance.models import Envelope, LedgerEntry
from finance.services import commit, delegate, open_national_envelope
from programme.errors import TransitionError
from programme.models import BudgetLine, Priority
from tests.contracts.conftest import SIGN_DATA, campaign, make_contract
from tests.factories import isere, make_user
from tests.mail import links, recipients
from tests.reporting.factories import accept_programming_reports

pytestmark = pytest.mark.django_db

SIRET = "35600000000048"  # La Poste's: a valid Luhn key (exception handled by the validator)


def valid_siret() -> str:
    from tests.factories import with_luhn_key

    return with_luhn_key("4423956000001")


def signed_contract() -> Any:
    return make_contract(
        ContractState.SIGNED,
        signed_on="2022-03-01",
        effective_from="2022-03-01",
        effective_to="2024-12-31",
        elected_official_name=SIGN_DATA["elected_official_name"],
        prefect_name=SIGN_DATA["prefect_name"],
        coordinator_name=SIGN_DATA["coordinator_name"],
    )


def housing(**extra: Any) -> dict[str, Any]:
    values = {
        "title": "Accès au logement des BPI",
        "diagnosis_need": "Sorties de CPH sans solution de logement.",
        "cir_link": "Relais du volet logement de l'accompagnement CIR.",
        "carrier_kind": "authority",
        "public": ActionPublic.NEWCOMERS,
        "planned_bpi": 90,
        "planned_newcomers": 20,
        "budget": "260000",
        "state_amount": "150000",
        "domains": ["logement"],
        "part": ActionPart.BASE,
        "priority": "logement",
    }
    values.update(extra)
    return values


def language(**extra: Any) -> dict[str, Any]:
    values = {
        "title": "Ateliers sociolinguistiques",
        "diagnosis_need": "Peu de parcours FLE-emploi.",
        "cir_link": "Prolonge la formation linguistique prescrite par le CIR (A1 vers A2).",
        "carrier_kind": "association",
        "carrier_name": "Association Accueil Isère",
        "siret": valid_siret(),
        "public": ActionPublic.NEWCOMERS,
        "planned_bpi": 0,
        "planned_newcomers": 10,
        "budget": "80000",
        "state_amount": "50000",
        "domains": ["formation-linguistique"],
        "part": ActionPart.COMPLEMENT,
        "priority": "langue-formation-emploi",
    }
    values.update(extra)
    return values


@pytest.fixture
def prepared(people: dict[str, Any]) -> Programming:
    """A 2022 programming with a housing action and a language action: 150 000 + 50 000 €."""
    contract = signed_contract()
    programming = create_programming(
        user=people["agent_own"],
        contract=contract,
        campaign=campaign(2022),
        base_amount="150000",
        complement_amount="50000",
    )
    add_action(user=people["agent_own"], programming=programming, **housing())
    add_action(user=people["agent_own"], programming=programming, **language())
    return programming


def credits_for_isere(amount_15: str = "500000", amount_12: str = "500000", year: int = 2022) -> None:
    ministry = make_user("ministry")
    the_campaign = campaign(year)
    for code, amount in (("104-15", amount_15), ("104-12", amount_12)):
        line = BudgetLine.objects.get(code=code)
        open_national_envelope(actor=ministry, campaign=the_campaign, budget_line=line, amount=amount)
        national = Envelope.objects.get(campaign=the_campaign, budget_line=line, level="national")
        delegate(actor=ministry, source=national, amount=amount, department=isere())


REPORT = {"report_received_on": "2023-03-15", "final_base_amount": "140000", "final_complement_amount": ""}


def walk(programming: Programming, people: dict[str, Any], *names: str) -> Programming:
    actors = {
        "present": "agent_own",
        "request_changes": "diair",
        "approve": "diair",
        "commit": "prefect_own",
        "close": "prefect_own",
        "cancel_commitment": "prefect_own",
    }
    for name in names:
        reason = {"request_changes": "À revoir", "cancel_commitment": "Erreur d'imputation."}.get(name, "")
        data = REPORT if name == "close" else {}
        if name == "close":
            accept_programming_reports(programming)
        if name == "approve":
            for action in programming.actions.all():
                review_action(user=people["diair"], action=action, decision=ActionReview.ACCEPTED)
        programming = apply_transition(
            programming=programming, name=name, user=people[actors[name]], reason=reason, **data
        )
    return programming


def test_f14_a_programming_without_a_housing_action_cannot_be_presented(people):
    """F14: each yearly programming holds at least one housing action (campaign's mandatory domain)."""
    contract = signed_contract()
    programming = create_programming(
        user=people["agent_own"], contract=contract, campaign=campaign(2022), base_amount="150000"
    )
    add_action(user=people["agent_own"], programming=programming, **language(state_amount="150000", budget="200000"))
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=programming, name="present", user=people["agent_own"])
    assert "ctai.domains.mandatory" in caught.value.rule_ids
    assert "logement" in " ".join(caught.value.messages)
    programming.refresh_from_db()
    assert programming.state == ProgrammingState.DRAFT
    assert not ProgrammingTransition.objects.exists()


def test_f15_a_socle_outside_the_bounds_is_refused(people, prepared):
    """F15: the socle stays within the campaign's bounds (150 000-300 000 € in 2021)."""
    set_amounts(user=people["agent_own"], programming=prepared, base_amount="900000", complement_amount="0")
    update_action(
        user=people["agent_own"], action=prepared.actions.get(title__startswith="Accès"), state_amount="260000"
    )
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=prepared, name="present", user=people["agent_own"])
    assert "ctai.base.bounds" in caught.value.rule_ids


def test_f15_the_complement_follows_the_campaign_formula(people, prepared):
    """F15, F43: complement ≤ socle * other newcomers ÷ BPI (150 000 * 30 ÷ 90 = 50 000 €)."""
    funding = prepared.funding()
    assert funding.base == Decimal("150000.00")
    assert funding.complement == Decimal("50000.00")
    set_amounts(user=people["agent_own"], programming=prepared, base_amount="150000", complement_amount="60000")
    update_action(
        user=people["agent_own"], action=prepared.actions.get(title__startswith="Ateliers"), state_amount="60000"
    )
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=prepared, name="present", user=people["agent_own"])
    assert "ctai.complement.cap" in caught.value.rule_ids


def test_f11_the_socle_s_actions_make_the_socle_and_the_complement_s_the_complement(people, prepared):
    """F11, F15: the socle (104-15) funds the actions for BPI, the complement (104-12) the actions
    opened to other primo-arrivants: each part's actions add up to its amount."""
    assert [f.rule_id for f in prepared.findings()] == []
    set_amounts(user=people["agent_own"], programming=prepared, base_amount="150000", complement_amount="40000")
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=prepared, name="present", user=people["agent_own"])
    assert caught.value.rule_ids == ["ctai.complement.total"]
    message = caught.value.messages[0].replace("\u202f", " ").replace("\xa0", " ")
    assert "crédits complémentaires demandent 50 000,00 €" in message and "complément de 40 000,00 €" in message
    set_amounts(user=people["agent_own"], programming=prepared, base_amount="200000", complement_amount="0")
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=prepared, name="present", user=people["agent_own"])
    assert caught.value.rule_ids == ["ctai.base.total", "ctai.complement.total"]


def test_f11_an_action_on_the_socle_plans_bpi_and_one_on_the_complement_other_newcomers(people, prepared):
    """F11: BPI first — an action carried on the socle must plan BPI; one carried on the complement must
    be open to other primo-arrivants (a BPI-only action belongs to the socle). Blocking at presentation."""
    housing_action = prepared.actions.get(title__startswith="Accès")
    language_action = prepared.actions.get(title__startswith="Ateliers")
    update_action(user=people["agent_own"], action=language_action, part=ActionPart.BASE)
    update_action(user=people["agent_own"], action=housing_action, part=ActionPart.COMPLEMENT, public=ActionPublic.BPI)
    prepared.refresh_from_db()
    found = {f.rule_id: f for f in prepared.findings()}
    assert {"ctai.base.bpi", "ctai.complement.newcomers"} <= set(found)
    assert "Ateliers sociolinguistiques" in found["ctai.base.bpi"].message
    assert "réservée aux BPI, elle relève du socle" in found["ctai.complement.newcomers"].message
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=prepared, name="present", user=people["agent_own"])
    assert {"ctai.base.bpi", "ctai.complement.newcomers"} <= set(caught.value.rule_ids)
    update_action(user=people["agent_own"], action=housing_action, public=ActionPublic.NEWCOMERS, planned_newcomers=0)
    prepared.refresh_from_db()
    assert "portée par les crédits complémentaires, elle doit prévoir d'autres primo-arrivants" in " ".join(
        f.message for f in prepared.findings()
    )


def test_f11_the_parts_are_checked_again_at_the_approval(people, prepared):
    """F11: the Diair's approval re-checks the parts: an action that came to be on the socle without BPI
    (here, data changed behind the page) is refused with the French message."""
    programming = walk(prepared, people, "present")
    for action in programming.actions.all():
        review_action(user=people["diair"], action=action, decision=ActionReview.ACCEPTED)
    Action.objects.filter(programming=programming, title__startswith="Ateliers").update(part=ActionPart.BASE)
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=programming, name="approve", user=people["diair"])
    assert "ctai.base.bpi" in caught.value.rule_ids
    assert Programming.objects.get(pk=programming.pk).state == ProgrammingState.PRESENTED


def test_f43_poitiers_funding_formula_holds_with_the_parts(people, prepared):
    """F15, F43: the parts change nothing to the formula — 150 000 € * 30 / 90 = 50 000 € (90 BPI, 30
    other newcomers over the actions), 150 000 € of socle actions, 50 000 € of complement actions."""
    funding = prepared.funding()
    assert (funding.base, funding.complement) == (Decimal("150000.00"), Decimal("50000.00"))
    assert part_sums(prepared.counted_actions()) == {"base": Decimal("150000"), "complement": Decimal("50000")}


def test_f13_each_action_names_its_priority_of_the_national_strategy(people, prepared):
    """F13: the priority the action serves, from the programme's referential; a missing one is a
    warning of « Ce qu'il manque » (the programming may still be presented); an unknown one is refused."""
    action = prepared.actions.get(title__startswith="Accès")
    assert action.priority == Priority.objects.get(code="logement")
    update_action(user=people["agent_own"], action=action, priority="")
    prepared.refresh_from_db()
    (finding,) = [f for f in prepared.findings() if f.rule_id == "ctai.action.priority"]
    assert not finding.is_blocking
    assert "Accès au logement des BPI" in finding.message and "stratégie nationale" in finding.message
    with pytest.raises(ValidationError) as caught:
        update_action(user=people["agent_own"], action=action, priority="inconnue")
    assert "priority" in caught.value.message_dict
    assert apply_transition(programming=prepared, name="present", user=people["agent_own"]).state == "presented"


def test_the_diair_cannot_approve_an_action_whose_public_is_outside_the_programme(people, prepared):
    """F22, F05: the Diair checks each action fits the priorities and the public (asylum seekers are not
    primo-arrivants)."""
    outside = add_action(
        user=people["agent_own"],
        programming=prepared,
        **language(title="Hébergement des demandeurs d'asile", public=ActionPublic.ASYLUM_SEEKERS, state_amount="0"),
    )
    walk(prepared, people, "present")
    with pytest.raises(TransitionError) as caught:
        review_action(user=people["diair"], action=outside, decision=ActionReview.ACCEPTED)
    assert caught.value.rule_ids == ["ctai.action.public"]
    outside.refresh_from_db()
    assert outside.review == ActionReview.PENDING


def test_the_diair_checks_each_action_and_sends_one_back(people, prepared):
    """F22, F24: an action can be accepted or sent back individually; the programming is then sent back
    for changes, edited, presented again, approved."""
    programming = walk(prepared, people, "present")
    first, second = programming.actions.order_by("pk")
    review_action(user=people["diair"], action=first, decision=ActionReview.ACCEPTED)
    with pytest.raises(TransitionError, match="motif"):
        review_action(user=people["diair"], action=second, decision=ActionReview.SENT_BACK)
    review_action(user=people["diair"], action=second, decision=ActionReview.SENT_BACK, reason="Préciser le public.")
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=programming, name="approve", user=people["diair"])
    assert caught.value.code == "actions_sent_back"
    programming = apply_transition(
        programming=programming, name="request_changes", user=people["diair"], reason="Revoir l'action 2."
    )
    assert programming.state == ProgrammingState.CHANGES_REQUESTED
    with pytest.raises(TransitionError, match="renvoyées"):
        apply_transition(programming=programming, name="present", user=people["agent_own"])
    update_action(user=people["agent_own"], action=second, description="Public : BPI et primo-arrivants du quartier.")
    second.refresh_from_db()
    assert second.review == ActionReview.PENDING
    first.refresh_from_db()
    assert first.review == ActionReview.ACCEPTED
    programming = apply_transition(programming=programming, name="present", user=people["agent_own"])
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=programming, name="approve", user=people["diair"])
    assert caught.value.code == "actions_pending"
    review_action(user=people["diair"], action=second, decision=ActionReview.ACCEPTED)
    programming = apply_transition(programming=programming, name="approve", user=people["diair"])
    assert programming.state == ProgrammingState.APPROVED


def test_f41_commit_puts_the_socle_on_104_15_and_the_complement_on_104_12_and_pays_the_advance(people, prepared):
    """F41, F43: the préfet commits the year's credits — socle on action 15, complement on action 12 —
    and each commitment's advance is paid at the campaign's rate (50 %), as a PTAI's."""
    credits_for_isere()
    programming = walk(prepared, people, "present", "approve", "commit")
    assert programming.state == ProgrammingState.COMMITTED
    base, complement = programming.base_commitment, programming.complement_commitment
    assert base is not None and complement is not None
    assert base.envelope.budget_line.code == "104-15"
    assert complement.envelope.budget_line.code == "104-12"
    assert balance(base.envelope_id).committed == Decimal("150000.00")
    assert balance(complement.envelope_id).committed == Decimal("50000.00")
    assert base.funded == programming
    assert commitment_totals([base.pk, complement.pk]) == {
        base.pk: (Decimal("150000.00"), Decimal("75000.00")),
        complement.pk: (Decimal("50000.00"), Decimal("25000.00")),
    }
    payments = LedgerEntry.objects.filter(commitment__in=[base, complement], kind=EntryKind.PAYMENT)
    assert {(p.tranche, p.amount) for p in payments} == {
        (Tranche.ADVANCE, Decimal("75000.00")),
        (Tranche.ADVANCE, Decimal("25000.00")),
    }
    event = Event.objects.get(verb="contracts.programming_commit")
    assert event.details["avance versée"].replace("\u202f", " ").replace("\xa0", " ") == "100 000,00 €"


def test_the_year_s_report_pays_the_balance_and_releases_the_rest(people, prepared):
    """The balance on the year's report: the authorising officer records its date and the final
    amounts spent per line; the balance is paid up to them, the rest released (`finance.settle`); the
    programming is then « soldée »."""
    credits_for_isere()
    programming = walk(prepared, people, "present", "approve", "commit", "close")
    assert programming.state == ProgrammingState.CLOSED
    assert (programming.report_received_on, programming.final_base_amount, programming.final_complement_amount) == (
        date(2023, 3, 15),
        Decimal("140000.00"),
        Decimal("50000.00"),
    )
    base, complement = programming.base_commitment, programming.complement_commitment
    assert commitment_totals([base.pk, complement.pk]) == {
        base.pk: (Decimal("140000.00"), Decimal("140000.00")),
        complement.pk: (Decimal("50000.00"), Decimal("50000.00")),
    }
    assert LedgerEntry.objects.get(commitment=base, kind=EntryKind.RELEASE).amount == Decimal("10000.00")
    assert {e.tranche for e in LedgerEntry.objects.filter(kind=EntryKind.PAYMENT)} == {Tranche.ADVANCE, Tranche.BALANCE}
    after = balance(base.envelope_id)
    assert (after.committed, after.paid, after.released) == (
        Decimal("140000.00"),
        Decimal("140000.00"),
        Decimal("10000.00"),
    )
    assert not {t.name for t in PROGRAMMING.available(programming, people["prefect_own"])}  # final state
    event = Event.objects.get(verb="contracts.programming_close")
    assert event.details["bilan reçu le"] == "15/03/2023"


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ({"final_base_amount": "160000"}, "dépasse le montant engagé"),
        ({"final_base_amount": "10000"}, "inférieur à ce qui a déjà été versé"),
    ],
)
def test_the_year_s_report_is_refused_beyond_the_commitment_or_below_the_advance(people, prepared, amounts, message):
    credits_for_isere()
    programming = walk(prepared, people, "present", "approve", "commit")
    accept_programming_reports(programming)
    entries = LedgerEntry.objects.count()
    with pytest.raises(TransitionError, match=message):
        apply_transition(
            programming=programming,
            name="close",
            user=people["prefect_own"],
            report_received_on="2023-03-15",
            **amounts,
        )
    assert LedgerEntry.objects.count() == entries
    assert Programming.objects.get(pk=programming.pk).state == ProgrammingState.COMMITTED


def test_the_report_is_dated_and_not_in_the_future(people, prepared):
    credits_for_isere()
    programming = walk(prepared, people, "present", "approve", "commit")
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=programming, name="close", user=people["prefect_own"])
    assert caught.value.code == "report_received_on"
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(TransitionError, match="dans le futur"):
        apply_transition(programming=programming, name="close", user=people["prefect_own"], report_received_on=tomorrow)


def test_cancelling_the_commitment_reverses_the_advance_and_the_commitment(people, prepared):
    """The commitment is cancelled through the programming's workflow (reason required): the advance
    is reversed, then the commitment; the money is back on the envelopes; the programming is approved
    again and may be committed anew."""
    credits_for_isere()
    programming = walk(prepared, people, "present", "approve", "commit")
    base_envelope = programming.base_commitment.envelope_id
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=programming, name="cancel_commitment", user=people["prefect_own"], reason=" ")
    assert caught.value.code == "reason_required"
    programming = walk(programming, people, "cancel_commitment")
    assert programming.state == ProgrammingState.APPROVED
    assert programming.base_commitment is None and programming.complement_commitment is None
    after = balance(base_envelope)
    assert (after.committed, after.paid, after.available) == (Decimal("0.00"), Decimal("0.00"), Decimal("500000.00"))
    assert LedgerEntry.objects.filter(reverses__isnull=False).count() == 4  # two advances, two commitments
    programming = walk(programming, people, "commit")
    assert programming.state == ProgrammingState.COMMITTED
    assert balance(base_envelope).committed == Decimal("150000.00")


def test_f38_an_instructeur_with_the_prefects_signing_delegation_commits_and_settles(people, prepared):
    """The authorising officer of the département commits and pays: the préfet, or an instructeur to
    whom he delegated his signature — not another instructeur."""
    credits_for_isere()
    programming = walk(prepared, people, "present", "approve")
    instructor = people["instructor"]
    assert "commit" not in {t.name for t in PROGRAMMING.available(programming, instructor)}
    set_signing_delegation(actor=people["prefect_own"], membership=instructor.memberships.get(), granted=True)
    instructor = User.objects.get(pk=instructor.pk)  # memberships read again
    assert "commit" in {t.name for t in PROGRAMMING.available(programming, instructor)}
    programming = apply_transition(programming=programming, name="commit", user=instructor)
    accept_programming_reports(programming)
    programming = apply_transition(programming=programming, name="close", user=instructor, **REPORT)
    assert programming.state == ProgrammingState.CLOSED
    assert programming.transitions.get(transition="commit").actor == instructor


def test_a_programming_committed_before_the_advances_keeps_its_entries_and_is_settled_whole(people, prepared):
    """Existing data: a programming committed before this change (no advance paid) keeps its ledger
    entries as they are; its year's report pays the whole balance."""
    credits_for_isere()
    programming = walk(prepared, people, "present", "approve")
    rules = programming.current_rules()
    for code, amount, attribute in (
        ("104-15", "150000", "base_commitment"),
        ("104-12", "50000", "complement_commitment"),
    ):
        envelope = Envelope.objects.get(campaign=programming.campaign, budget_line__code=code, department=isere())
        commitment = commit(
            actor=people["prefect_own"],
            envelope=envelope,
            amount=amount,
            funded=programming,
            label="ancien",
            rules=rules,
        )
        setattr(programming, attribute, commitment)
    programming.save()
    Programming.objects.filter(pk=programming.pk).update(state=ProgrammingState.COMMITTED)
    accept_programming_reports(programming)
    before = list(LedgerEntry.objects.order_by("pk").values_list("pk", "kind", "amount"))
    programming = apply_transition(
        programming=Programming.objects.get(pk=programming.pk),
        name="close",
        user=people["prefect_own"],
        report_received_on="2023-03-15",
    )
    assert list(LedgerEntry.objects.order_by("pk").values_list("pk", "kind", "amount"))[: len(before)] == before
    new = LedgerEntry.objects.exclude(pk__in=[pk for pk, _, _ in before])
    assert sorted((e.kind, e.tranche, e.amount) for e in new) == [
        (EntryKind.PAYMENT, Tranche.BALANCE, Decimal("50000.00")),
        (EntryKind.PAYMENT, Tranche.BALANCE, Decimal("150000.00")),
    ]


def test_commit_is_all_or_nothing_when_one_line_lacks_credits(people, prepared):
    credits_for_isere(amount_15="500000", amount_12="10000")
    programming = walk(prepared, people, "present", "approve")
    entries = LedgerEntry.objects.count()
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=programming, name="commit", user=people["prefect_own"])
    assert caught.value.code.startswith("finance_")
    assert LedgerEntry.objects.count() == entries
    programming.refresh_from_db()
    assert programming.state == ProgrammingState.APPROVED
    assert programming.base_commitment is None


def test_commit_without_credits_in_the_departement_explains(people, prepared):
    programming = walk(prepared, people, "present", "approve")
    with pytest.raises(TransitionError, match="déléguez d'abord"):
        apply_transition(programming=programming, name="commit", user=people["prefect_own"])


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("present", {"agent_own"}),
        ("request_changes", {"diair"}),
        ("approve", {"diair"}),
        ("commit", {"prefect_own"}),
        ("cancel_commitment", {"prefect_own"}),
        ("close", {"prefect_own"}),
    ],
)
def test_who_may_apply_each_programming_transition(people, prepared, name, allowed):
    """The transitions by the personas, through the one workflow mechanism."""
    states = {
        "present": ProgrammingState.DRAFT,
        "request_changes": ProgrammingState.PRESENTED,
        "approve": ProgrammingState.PRESENTED,
        "commit": ProgrammingState.APPROVED,
        "cancel_commitment": ProgrammingState.COMMITTED,
        "close": ProgrammingState.COMMITTED,
    }
    if states[name] == ProgrammingState.COMMITTED:  # a committed programming holds its commitments
        credits_for_isere()
        prepared = walk(prepared, people, "present", "approve", "commit")
    else:
        Programming.objects.filter(pk=prepared.pk).update(state=states[name])
        prepared.refresh_from_db()
    offered = {
        persona for persona, user in people.items() if name in {t.name for t in PROGRAMMING.available(prepared, user)}
    }
    assert offered == allowed


def test_a_double_click_applies_once(people, prepared):
    stale = Programming.objects.get(pk=prepared.pk)
    apply_transition(programming=prepared, name="present", user=people["agent_own"])
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=stale, name="present", user=people["agent_own"])
    assert caught.value.code == "state_changed"
    assert "Cette programmation a déjà changé d'état : elle est maintenant" in caught.value.messages[0]
    assert ProgrammingTransition.objects.filter(programming=prepared).count() == 1


def test_only_the_collectivite_prepares_and_only_while_editable(people, prepared):
    with pytest.raises(PermissionDenied):
        add_action(user=people["agent_other"], programming=prepared, **housing())
    with pytest.raises(PermissionDenied):
        set_amounts(user=people["diair"], programming=prepared, base_amount="1", complement_amount="0")
    walk(prepared, people, "present")
    with pytest.raises(TransitionError, match="ne se modifie plus"):
        add_action(user=people["agent_own"], programming=prepared, **housing())
    with pytest.raises(TransitionError, match="ne se modifie plus"):
        remove_action(user=people["agent_own"], action=prepared.actions.first())


def test_f24_one_programming_per_year_and_only_for_a_signed_contract(people, prepared):
    with pytest.raises(TransitionError, match="déjà une programmation 2022"):
        create_programming(user=people["agent_own"], contract=prepared.contract, campaign=campaign(2022))
    with pytest.raises(TransitionError, match="signé en 2022"):
        create_programming(user=people["agent_own"], contract=prepared.contract, campaign=campaign(2021))
    drafting = make_contract(ContractState.DRAFTING, authority=prepared.contract.authority)
    with pytest.raises(TransitionError, match="contrat signé"):
        create_programming(user=people["agent_own"], contract=drafting, campaign=campaign(2022))


def test_an_association_carrier_needs_a_valid_siret(people, prepared):
    with pytest.raises(ValidationError) as caught:
        add_action(user=people["agent_own"], programming=prepared, **language(siret="12345678901234"))
    assert "siret" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        add_action(user=people["agent_own"], programming=prepared, **language(state_amount="90000"))
    assert "state_amount" in caught.value.message_dict
    assert Action.objects.filter(programming=prepared).count() == 2


def test_each_action_records_its_cir_link_and_the_need_it_answers(people, prepared):
    """F07: the link with the CIR is recorded; F13: the action answers a need of the diagnostic.
    Missing, they are warnings of the "Ce qu'il manque" panel (the programming may still be presented)."""
    action = prepared.actions.get(title__startswith="Accès")
    update_action(user=people["agent_own"], action=action, cir_link="", diagnosis_need="")
    prepared.refresh_from_db()
    found = {f.rule_id: f for f in prepared.findings()}
    assert {"ctai.action.cir", "ctai.action.need"} <= set(found)
    assert not found["ctai.action.cir"].is_blocking
    assert "Accès au logement des BPI" in found["ctai.action.cir"].message
    assert apply_transition(programming=prepared, name="present", user=people["agent_own"]).state == "presented"


def test_each_step_tells_the_next_actor_by_e_mail_after_the_commit(
    people, prepared, mailoutbox, django_capture_on_commit_callbacks
):
    """Present → the Diair; changes requested → the collectivité (with the reason); approved → the
    collectivité and the préfet; committed → the collectivité with the amounts and the advance;
    commitment cancelled → the collectivité and the Diair; report recorded → the collectivité. Sent by
    the task enqueued after the commit (`contracts.tasks`)."""
    credits_for_isere()
    steps = [
        ("present", "agent_own", "", {"diair"}, "présentée à la diair"),
        ("request_changes", "diair", "Préciser le public.", {"agent_own"}, "Préciser le public."),
        ("present", "agent_own", "", {"diair"}, "présentée"),
        ("approve", "diair", "", {"agent_own", "prefect_own"}, "approuvée"),
        ("commit", "prefect_own", "", {"agent_own"}, "Avance versée : 100\u202f000,00\xa0€"),
        ("cancel_commitment", "prefect_own", "Erreur d'imputation.", {"agent_own", "diair"}, "Erreur d'imputation."),
        ("commit", "prefect_own", "", {"agent_own"}, "150\u202f000,00\xa0€"),
        ("close", "prefect_own", "", {"agent_own"}, "Bilan reçu le 15/03/2023"),
    ]
    for name, actor, reason, told, says in steps:
        if name == "approve":
            for action in prepared.actions.all():
                review_action(user=people["diair"], action=action, decision=ActionReview.ACCEPTED)
        if name == "close":
            accept_programming_reports(prepared)
        mailoutbox.clear()
        data = REPORT if name == "close" else {}
        with django_capture_on_commit_callbacks(execute=True):
            prepared = apply_transition(programming=prepared, name=name, user=people[actor], reason=reason, **data)
        assert recipients(mailoutbox) == {people[p].email for p in told}, name
        page = f"http://testserver/programmations/{prepared.pk}/"
        for mail in mailoutbox:
            assert "Programmation 2022 du CTAI de Grenoble-Alpes-Métropole" in mail.subject
            assert says in mail.subject + mail.body, name
            assert links(mail)[0] == page, name  # issue 10: the e-mail leads to the page
        if name in ("present", "request_changes"):
            assert all("Ce qui est attendu de vous :" in mail.body for mail in mailoutbox), name


def test_no_e_mail_leaves_for_a_refused_transition(people, prepared, mailoutbox, django_capture_on_commit_callbacks):
    """The e-mails are a task enqueued on commit: a refused commit (no credits) sends nothing."""
    programming = walk(prepared, people, "present", "approve")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        apply_transition(programming=programming, name="commit", user=people["prefect_own"])
    assert mailoutbox == []
