"""The yearly programming of a signed CTAI: actions, the Diair's check, the socle and the
complement, the commitment of the year's credits (F14, F15, F22, F24, F41, F43).

Grenoble-Alpes-Métropole's contract is signed on 1 March 2022; its 2022 programming is prepared by
its agent, checked by the Diair, committed by the préfet of Isère on the envelopes of Isère.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.enums import ActionReview, ContractState, ProgrammingState
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
from finance.balances import balance
from finance.models import Envelope, LedgerEntry
from finance.services import delegate, open_national_envelope
from programme.errors import TransitionError
from programme.models import BudgetLine
from tests.contracts.conftest import SIGN_DATA, campaign, make_contract
from tests.factories import isere, make_user

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
        "planned_newcomers": 30,
        "budget": "260000",
        "state_amount": "150000",
        "domains": ["logement"],
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
        "planned_newcomers": 0,
        "budget": "80000",
        "state_amount": "50000",
        "domains": ["formation-linguistique"],
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


def walk(programming: Programming, people: dict[str, Any], *names: str) -> Programming:
    actors = {"present": "agent_own", "request_changes": "diair", "approve": "diair", "commit": "prefect_own"}
    for name in names:
        reason = "À revoir" if name == "request_changes" else ""
        if name == "approve":
            for action in programming.actions.all():
                review_action(user=people["diair"], action=action, decision=ActionReview.ACCEPTED)
        programming = apply_transition(programming=programming, name=name, user=people[actors[name]], reason=reason)
    return programming


def test_a_programming_without_a_housing_action_cannot_be_presented(people):
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


def test_a_socle_outside_the_bounds_is_refused(people, prepared):
    """F15: the socle stays within the campaign's bounds (150 000-300 000 € in 2021)."""
    set_amounts(user=people["agent_own"], programming=prepared, base_amount="900000", complement_amount="0")
    update_action(
        user=people["agent_own"], action=prepared.actions.get(title__startswith="Accès"), state_amount="260000"
    )
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=prepared, name="present", user=people["agent_own"])
    assert "ctai.base.bounds" in caught.value.rule_ids


def test_the_complement_follows_the_campaign_formula(people, prepared):
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


def test_the_actions_state_amounts_add_up_to_socle_and_complement(people, prepared):
    set_amounts(user=people["agent_own"], programming=prepared, base_amount="150000", complement_amount="40000")
    with pytest.raises(TransitionError) as caught:
        apply_transition(programming=prepared, name="present", user=people["agent_own"])
    assert caught.value.rule_ids == ["ctai.programming.total"]
    assert "200 000,00 €" in caught.value.messages[0].replace("\u202f", " ").replace("\xa0", " ")


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


def test_commit_puts_the_socle_on_104_15_and_the_complement_on_104_12(people, prepared):
    """F41, F43: the préfet commits the year's credits: socle on action 15, complement on action 12."""
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
    ],
)
def test_who_may_apply_each_programming_transition(people, prepared, name, allowed):
    """The transitions by the personas, through the one workflow mechanism."""
    states = {
        "present": ProgrammingState.DRAFT,
        "request_changes": ProgrammingState.PRESENTED,
        "approve": ProgrammingState.PRESENTED,
        "commit": ProgrammingState.APPROVED,
    }
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


def test_one_programming_per_year_and_only_for_a_signed_contract(people, prepared):
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
    collectivité and the préfet; committed → the collectivité with the amounts."""
    credits_for_isere()
    steps = [
        ("present", "agent_own", "", {"diair"}),
        ("request_changes", "diair", "Préciser le public.", {"agent_own"}),
        ("present", "agent_own", "", {"diair"}),
        ("approve", "diair", "", {"agent_own", "prefect_own"}),
        ("commit", "prefect_own", "", {"agent_own"}),
    ]
    for name, actor, reason, told in steps:
        if name == "approve":
            for action in prepared.actions.all():
                review_action(user=people["diair"], action=action, decision=ActionReview.ACCEPTED)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            prepared = apply_transition(programming=prepared, name=name, user=people[actor], reason=reason)
        assert len(mailoutbox) == 1, name
        assert set(mailoutbox[0].to) == {people[p].email for p in told}, name
        assert "Programmation 2022 du CTAI de Grenoble-Alpes-Métropole" in mailoutbox[0].subject
    assert "150\u202f000,00\xa0€" in mailoutbox[0].body
