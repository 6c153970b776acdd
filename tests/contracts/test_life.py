"""The life of a CTAI (F10, F11, F12, F16, F17, F18, F19, F20, F21, F42)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from audit.models import Event
from contracts.enums import ContractKind, ContractState
from contracts.models import Contract, ContractTransition
from contracts.services import apply_transition, available_transitions, create_contract, save_diagnosis
from programme.errors import TransitionError
from programme.services import record_derogation
from projects.errors import TransitionError as ProjectTransitionError
from tests.contracts.conftest import DIAGNOSIS, SIGN_DATA, campaign, make_contract
from tests.factories import commune, grenoble_metropole

pytestmark = pytest.mark.django_db
S = ContractState
GRENOBLE = "38185"


def events(contract: Contract) -> list[str]:
    return list(
        Event.objects.filter(target_id=str(contract.pk), target_type__model="contract")
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_transition_error_is_one_class_for_ptai_and_ctai():
    assert ProjectTransitionError is TransitionError


def test_life_of_a_ctai_from_contact_to_signed_and_ended(people: dict[str, Any]):
    """F10 contact, F11 letter, F17 diagnostic (with the Diair's support), F18 drafting and
    coordinator, F19 signature, F20/F21 dates of effect and end."""
    agent, prefect, diair = people["agent_own"], people["prefect_own"], people["diair"]
    contract = create_contract(user=agent, authority=grenoble_metropole(), campaign=campaign(2021), title="CTAI")
    assert contract.state == S.CONTACT
    assert contract.department.code == "38"
    assert [t.name for t in available_transitions(contract, agent)] == ["record_letter", "abandon"]

    contract = apply_transition(contract=contract, name="record_letter", user=agent, letter_date=date(2021, 11, 15))
    assert contract.state == S.LETTER_RECEIVED
    assert contract.signature_year == 2022
    assert contract.rules["year"] == 2021  # the campaign's rules, stored at the letter

    contract = apply_transition(contract=contract, name="start_diagnosis", user=diair)
    with pytest.raises(TransitionError) as incomplete:
        apply_transition(contract=contract, name="complete_diagnosis", user=prefect)
    assert incomplete.value.rule_ids == ["ctai.diagnosis.required"]
    save_diagnosis(user=agent, contract=contract, **DIAGNOSIS)
    contract = apply_transition(contract=contract, name="complete_diagnosis", user=prefect)
    assert contract.state == S.DRAFTING

    with pytest.raises(TransitionError) as unsigned:
        apply_transition(contract=contract, name="sign", user=prefect, signed_on="2022-03-01")
    assert set(unsigned.value.rule_ids) == {"ctai.coordinator.required", "ctai.signatories.required"}
    contract = apply_transition(contract=contract, name="sign", user=prefect, **SIGN_DATA)
    assert contract.state == S.SIGNED
    assert contract.signed_on == date(2022, 3, 1)
    assert contract.effective_to == date(2024, 12, 31)
    assert contract.duration_years == 3

    contract = apply_transition(contract=contract, name="end", user=prefect, reason="Fin du contrat.")
    assert contract.state == S.ENDED
    assert list(contract.transitions.values_list("transition", flat=True)) == [
        "record_letter",
        "start_diagnosis",
        "complete_diagnosis",
        "sign",
        "end",
    ]
    assert events(contract) == [
        "contracts.created",
        "contracts.record_letter",
        "contracts.start_diagnosis",
        "contracts.diagnosis_saved",
        "contracts.complete_diagnosis",
        "contracts.sign",
        "contracts.end",
    ]
    assert Contract.objects.for_user(people["agent_other"]).filter(pk=contract.pk).count() == 0
    assert Contract.objects.for_user(people["ministry"]).filter(pk=contract.pk).count() == 1


def test_f18_late_letter_needs_a_recorded_derogation(people: dict[str, Any]):
    """F18: the 2021 deadline is 31/12/2021 for a 2022 signature. A letter of January 2022 aiming at
    2022 is refused until the lateness is justified in writing (a recorded derogation of
    `ctai.letter.deadline`); a letter aiming at the following year's signature needs none."""
    agent = people["agent_own"]
    contract = make_contract()
    with pytest.raises(TransitionError) as late:
        apply_transition(contract=contract, name="record_letter", user=agent, letter_date="2022-01-10")
    assert late.value.rule_ids == ["ctai.letter.deadline"]
    assert "justifiez ce retard" in late.value.messages[0]
    assert Contract.objects.get(pk=contract.pk).state == S.CONTACT
    assert not ContractTransition.objects.filter(contract=contract).exists()
    record_derogation(
        actor=agent,
        target=contract,
        rule_id="ctai.letter.deadline",
        justification="Délibération du conseil métropolitain reportée au 7 janvier 2022.",
    )
    contract = apply_transition(contract=contract, name="record_letter", user=agent, letter_date="2022-01-10")
    assert contract.state == S.LETTER_RECEIVED


def test_late_letter_aiming_at_the_following_year_needs_no_derogation(people: dict[str, Any]):
    agent = people["agent_own"]
    contract = apply_transition(
        contract=make_contract(), name="record_letter", user=agent, letter_date="2022-01-10", signature_year=2023
    )
    assert contract.state == S.LETTER_RECEIVED


def test_commune_signatory_needs_a_recorded_justification(people: dict[str, Any]):
    """F12, F42: a commune (such as Clermont-Ferrand, Marseille, Tours, Poitiers) signs only with a
    written justification, recorded as a derogation of `ctai.signatory.type`."""
    agent = people["agent_own"]
    town = commune(GRENOBLE)
    from accounts.enums import Role
    from tests.factories import make_user

    town_agent = make_user(Role.AGENT, authority=town)
    contract = make_contract(authority=town)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=contract, name="record_letter", user=town_agent, letter_date="2021-11-02")
    assert refused.value.rule_ids == ["ctai.signatory.type"]
    with pytest.raises(TransitionError):
        apply_transition(contract=contract, name="record_letter", user=agent, letter_date="2021-11-02")
    record_derogation(
        actor=people["prefect_own"],
        target=contract,
        rule_id="ctai.signatory.type",
        justification="La ville porte seule la politique d'accueil sur le territoire.",
    )
    contract = apply_transition(contract=contract, name="record_letter", user=town_agent, letter_date="2021-11-02")
    assert contract.state == S.LETTER_RECEIVED


def test_sign_without_diagnosis_is_refused(people: dict[str, Any]):
    """F17, F19: a diagnostic is required before the signature."""
    contract = make_contract(S.DRAFTING, diagnosis=False)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=contract, name="sign", user=people["prefect_own"], **SIGN_DATA)
    assert "ctai.diagnosis.required" in refused.value.rule_ids
    assert Contract.objects.get(pk=contract.pk).state == S.DRAFTING


def test_two_contracts_in_force_for_one_collectivite_are_refused(people: dict[str, Any]):
    """F21: at most one contract in force per collectivité — the service says so in French, and the
    database refuses it."""
    make_contract(S.SIGNED)
    second = make_contract(S.DRAFTING)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=second, name="sign", user=people["prefect_own"], **SIGN_DATA)
    assert refused.value.code == "in_force"
    assert "un seul contrat en vigueur" in refused.value.messages[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contract(S.SIGNED)
    make_contract(S.ENDED)  # an ended contract is no longer in force


def test_ctair_widened_into_ctai(people: dict[str, Any]):
    """F16: signing the CTAI closes the CTAIR as widened in the same transaction; both timelines
    show the link."""
    prefect = people["prefect_own"]
    ctair = make_contract(S.SIGNED, kind=ContractKind.CTAIR, diagnosis=False)
    ctai = create_contract(user=people["agent_own"], authority=ctair.authority, campaign=campaign(), widens=ctair)
    assert ctair.widened_into == ctai
    Contract.objects.filter(pk=ctai.pk).update(
        state=S.DRAFTING, letter_date=date(2021, 10, 1), signature_year=2022, rules=campaign().rules()
    )
    from tests.contracts.conftest import complete_diagnosis_of

    complete_diagnosis_of(ctai)
    ctai = apply_transition(contract=Contract.objects.get(pk=ctai.pk), name="sign", user=prefect, **SIGN_DATA)
    ctair.refresh_from_db()
    assert (ctai.state, ctair.state) == (S.SIGNED, S.WIDENED)
    assert ctai.widens == ctair
    assert events(ctair) == ["contracts.widening_declared", "contracts.widened"]
    assert events(ctai)[-1] == "contracts.sign"
    sign_event = Event.objects.filter(verb="contracts.sign", target_id=str(ctai.pk)).get()
    assert str(ctair.pk) in sign_event.details["élargit"]
    assert Event.objects.get(verb="contracts.widened").details["CTAI"] == f"n° {ctai.pk}"
    assert ctair.transitions.get().target == S.WIDENED


def test_only_a_ctair_in_force_of_the_same_collectivite_is_widened(people: dict[str, Any]):
    ctair = make_contract(S.SIGNED, kind=ContractKind.CTAIR)
    from tests.factories import metropole_de_lyon

    with pytest.raises(TransitionError):
        create_contract(user=people["diair"], authority=metropole_de_lyon(), campaign=campaign(), widens=ctair)
    with pytest.raises(PermissionDenied):
        create_contract(user=people["agent_other"], authority=grenoble_metropole(), campaign=campaign())


def test_abandon_needs_a_reason(people: dict[str, Any]):
    contract = make_contract(S.DIAGNOSIS)
    with pytest.raises(TransitionError) as refused:
        apply_transition(contract=contract, name="abandon", user=people["agent_own"], reason="  ")
    assert refused.value.code == "reason_required"
    contract = apply_transition(
        contract=contract, name="abandon", user=people["agent_own"], reason="Changement d'équipe."
    )
    assert (contract.state, contract.closed_reason) == (S.ABANDONED, "Changement d'équipe.")


def test_double_apply_applies_once(people: dict[str, Any]):
    contract = make_contract(S.LETTER_RECEIVED)
    stale = Contract.objects.get(pk=contract.pk)
    apply_transition(contract=contract, name="start_diagnosis", user=people["prefect_own"])
    with pytest.raises(TransitionError) as second:
        apply_transition(contract=stale, name="start_diagnosis", user=people["prefect_own"])
    assert second.value.code == "state_changed"
    assert ContractTransition.objects.filter(contract=contract).count() == 1
    assert events(contract) == ["contracts.start_diagnosis"]


def test_f16_a_ctair_is_widened_by_one_ctai_at_a_time(people):
    """A second CTAI cannot claim a CTAIR another CTAI already widens (French refusal, no 500);
    once that CTAI is abandoned, the CTAIR may be widened again."""
    from contracts.enums import ContractKind
    from contracts.services import apply_transition, create_contract
    from programme.errors import TransitionError
    from tests.contracts.conftest import campaign, make_contract

    ctair = make_contract(ContractState.SIGNED, kind=ContractKind.CTAIR)
    first = create_contract(user=people["agent_own"], authority=ctair.authority, campaign=campaign(), widens=ctair)
    with pytest.raises(TransitionError, match="déjà élargi"):
        create_contract(user=people["agent_own"], authority=ctair.authority, campaign=campaign(), widens=ctair)
    abandoned = apply_transition(contract=first, name="abandon", user=people["agent_own"], reason="Report en 2023.")
    assert abandoned.widens is None and f"CTAIR n° {ctair.pk}" in abandoned.closed_reason
    second = create_contract(user=people["agent_own"], authority=ctair.authority, campaign=campaign(), widens=ctair)
    assert second.widens == ctair


def test_f17_the_letter_tells_the_prefect_and_the_diair_by_e_mail(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """Step 1-2: the collectivité's letter reaches the préfet of its département and the Diair;
    the signature tells the collectivité and the Diair."""
    from contracts.services import apply_transition
    from tests.contracts.conftest import SIGN_DATA, make_contract

    contract = make_contract()
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(contract=contract, name="record_letter", user=people["agent_own"], letter_date="2021-10-01")
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {people["prefect_own"].email, people["diair"].email}
    assert "lettre d'engagement reçue" in mailoutbox[0].subject
    drafting = make_contract(ContractState.DRAFTING, authority=contract.authority)
    mailoutbox.clear()
    Contract.objects.filter(pk=contract.pk).update(state=ContractState.ABANDONED)
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(contract=drafting, name="sign", user=people["prefect_own"], **SIGN_DATA)
    assert set(mailoutbox[0].to) == {people["agent_own"].email, people["diair"].email}
