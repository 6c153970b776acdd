"""Every transition, every role, own / other scope (F10, F11, F17, F19, F21).

A contract of Grenoble-Alpes-Métropole (Isère) is put in the transition's source state; each
persona either finds the transition among `available_transitions()` and applies it, or does not
find it and applying it raises a French `TransitionError` that leaves nothing written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from audit.models import Event
from contracts.enums import ContractState
from contracts.models import Contract, ContractTransition
from contracts.services import apply_transition, available_transitions
from programme.errors import TransitionError
from tests.contracts.conftest import PERSONAS, SIGN_DATA, make_contract, make_ctair, make_persona

pytestmark = pytest.mark.django_db
S = ContractState

AGENT = {"agent_own"}
PREFECT = {"prefect_own"}
DIAIR = {"diair"}

TABLE: dict[str, tuple[str, set[str], str]] = {
    "record_letter": (S.CONTACT, AGENT, S.LETTER_RECEIVED),
    "start_diagnosis": (S.LETTER_RECEIVED, PREFECT | DIAIR, S.DIAGNOSIS),
    "complete_diagnosis": (S.DIAGNOSIS, PREFECT | DIAIR, S.DRAFTING),
    "sign": (S.DRAFTING, PREFECT, S.SIGNED),
    "end": (S.SIGNED, PREFECT, S.ENDED),
    "abandon": (S.DIAGNOSIS, AGENT | PREFECT, S.ABANDONED),
}
ARGS: dict[str, dict[str, Any]] = {
    "record_letter": {"letter_date": "2021-11-15"},
    "sign": SIGN_DATA,
    "abandon": {"reason": "La collectivité renonce."},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_transition_by_role_and_scope(name: str, persona: str):
    source, allowed, target = TABLE[name]
    user = make_persona(persona)
    contract = make_contract(source, diagnosis=source in (S.DIAGNOSIS, S.DRAFTING, S.SIGNED))
    offered = name in {t.name for t in available_transitions(contract, user)}
    assert offered == (persona in allowed)
    if offered:
        applied = apply_transition(contract=contract, name=name, user=user, **ARGS.get(name, {}))
        assert applied.state == target
        assert ContractTransition.objects.filter(contract=contract, transition=name).count() == 1
    else:
        with pytest.raises(TransitionError) as refused:
            apply_transition(contract=contract, name=name, user=user, **ARGS.get(name, {}))
        assert refused.value.code == "not_allowed"
        assert Contract.objects.get(pk=contract.pk).state == source
        assert not ContractTransition.objects.filter(contract=contract).exists()
        assert not Event.objects.filter(verb=f"contracts.{name}").exists()


def test_the_ministry_reads_every_contract_and_others_only_theirs():
    contract = make_contract()
    sees = {p: Contract.objects.for_user(make_persona(p)).filter(pk=contract.pk).exists() for p in PERSONAS}
    assert sees == {
        "agent_own": True,
        "agent_other": False,
        "prefect_own": True,
        "prefect_other": False,
        "instructor": True,
        "diair": True,
        "ministry": True,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_f16_the_diagnostic_starts_right_after_a_declaration_of_widening(persona: str):
    """F16: a CTAI that widens a signed CTAIR starts at `widening_declared` (no letter); the préfet or
    the Diair starts its diagnostic, nobody records a letter."""
    ctai = make_contract(
        S.WIDENING_DECLARED,
        widens=make_ctair(),
        widening_declared_on=date(2021, 6, 1),
        widening_declaration="Intention d'élargir le CTAIR.",
        letter_date=None,
        signature_year=None,
    )
    user = make_persona(persona)
    offered = {t.name for t in available_transitions(ctai, user)}
    assert ("start_diagnosis" in offered) == (persona in PREFECT | DIAIR)
    assert "record_letter" not in offered
    assert ("abandon" in offered) == (persona in AGENT | PREFECT)
    if "start_diagnosis" in offered:
        assert apply_transition(contract=ctai, name="start_diagnosis", user=user).state == S.DIAGNOSIS
