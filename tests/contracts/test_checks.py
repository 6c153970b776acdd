"""F11, F13: a programming's own checks (`contracts.checks`), as properties over any actions.

- the socle's actions must plan BPI and the complement's other primo-arrivants (a BPI-only action is
  never on the complement); an action outside the programme's public is left to the Diair;
- each part's State amounts add up to its amount (blocking), whatever the other part says;
- a missing priority of the national strategy is a warning, never blocking.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from contracts.checks import action_findings, money_findings, part_sums, programming_checks

PUBLICS = ("bpi", "newcomers", "asylum_seekers", "settled")
amounts = st.integers(min_value=0, max_value=400_000).map(Decimal)
actions = st.builds(
    SimpleNamespace,
    title=st.sampled_from(["Logement", "Français", "Emploi"]),
    part=st.sampled_from(["base", "complement"]),
    public=st.sampled_from(PUBLICS),
    planned_bpi=st.integers(min_value=0, max_value=50),
    planned_newcomers=st.integers(min_value=0, max_value=50),
    state_amount=amounts,
    priority_id=st.one_of(st.none(), st.integers(min_value=1, max_value=7)),
    diagnosis_need=st.sampled_from(["", "Un besoin du diagnostic."]),
    cir_link=st.sampled_from(["", "Prolonge le CIR."]),
)


@given(action=actions)
def test_f11_an_action_s_part_fits_its_beneficiaries(action: SimpleNamespace) -> None:
    found = {f.rule_id for f in action_findings(action)}
    in_programme = action.public in ("bpi", "newcomers")
    assert ("ctai.base.bpi" in found) == (in_programme and action.part == "base" and action.planned_bpi == 0)
    wrong_complement = action.part == "complement" and (action.public == "bpi" or action.planned_newcomers == 0)
    assert ("ctai.complement.newcomers" in found) == (in_programme and wrong_complement)


@given(action=actions)
def test_f13_a_missing_priority_is_a_warning_only(action: SimpleNamespace) -> None:
    priority = [f for f in action_findings(action) if f.rule_id == "ctai.action.priority"]
    assert bool(priority) == (action.priority_id is None)
    assert not any(f.is_blocking for f in priority)
    assert all(action.title in f.message for f in priority)


@given(rows=st.lists(actions, min_size=1, max_size=6), base=amounts, complement=amounts)
def test_f11_each_part_adds_up_to_its_amount(rows: list[SimpleNamespace], base: Decimal, complement: Decimal) -> None:
    sums = part_sums(rows)
    found = {f.rule_id for f in money_findings(rows, base_amount=base, complement_amount=complement)}
    assert ("ctai.base.total" in found) == (sums["base"] != base)
    assert ("ctai.complement.total" in found) == (sums["complement"] != complement)
    assert sums["base"] + sums["complement"] == sum((a.state_amount for a in rows), Decimal(0))


@given(rows=st.lists(actions, min_size=1, max_size=6))
def test_f11_when_each_part_adds_up_nothing_blocks_but_the_actions_own_parts(rows: list[SimpleNamespace]) -> None:
    sums = part_sums(rows)
    found = programming_checks(rows, base_amount=sums["base"], complement_amount=sums["complement"])
    blocking = {f.rule_id for f in found if f.is_blocking}
    assert blocking <= {"ctai.base.bpi", "ctai.complement.newcomers"}


def test_a_programming_without_actions_is_blocked() -> None:
    (finding,) = money_findings([], base_amount=Decimal("150000"), complement_amount=Decimal("0"))
    assert (finding.rule_id, finding.is_blocking, finding.message) == (
        "ctai.programming.actions",
        True,
        "Ajoutez au moins une action.",
    )
