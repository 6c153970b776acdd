"""Every rule of the engine, for 2021 and 2022, as a table: (year, subject) → the rule ids found.

Each case id reads as the sentence it proves and names the requirement (F12, F14, F15, F16, F18, F31,
F32, F33, F34, F35, F40, F42, F43). The subjects start from a valid file and change one thing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from programme.enums import ContributionKind, Instrument, Severity, TargetPublic
from programme.rules import RULES, RuleSubject, blocking, check, warnings
from tests.programme.seeds import RULES_2021, RULES_2022, RULES_BY_YEAR

# A PTAI every year accepts: housing and employment, a room lent, a diagnostic, 20 000 €.
PTAI = RuleSubject(
    instrument=Instrument.PTAI,
    domains=frozenset({"logement", "emploi"}),
    contribution_kinds=frozenset({ContributionKind.ROOM}),
    has_diagnostic=True,
    requested_amount=Decimal("20000"),
)
# A CTAI signed with a métropole, letter in time for next year's signature, Poitiers' funding.
CTAI_2021 = RuleSubject(
    instrument=Instrument.CTAI,
    domains=frozenset({"logement"}),
    signatory_kind="epci",
    signatory_epci_nature="METRO",
    letter_date=date(2021, 11, 15),
    signature_year=2022,
    base_amount=Decimal("150000"),
    complement_amount=Decimal("50000"),
    planned_bpi=90,
    planned_newcomers=30,
)
CTAI_2022 = replace(
    CTAI_2021, domains=frozenset({"logement", "sante"}), letter_date=date(2022, 6, 1), signature_year=2023
)
PROGRAMMING = RuleSubject(
    instrument=Instrument.PROGRAMMING,
    domains=frozenset({"logement", "formation-linguistique"}),
    base_amount=Decimal("300000"),
    complement_amount=Decimal("0"),
    planned_bpi=120,
    planned_newcomers=0,
)


def case(year: int, subject: RuleSubject, expected: set[str], sentence: str) -> object:
    return pytest.param(year, subject, expected, id=sentence)


CASES = [
    # --- PTAI: domains (F33, F40) ---
    case(2021, PTAI, set(), "f33 a PTAI with housing and employment, engagement and diagnostic passes in 2021"),
    case(2022, PTAI, set(), "f40 a PTAI with housing and employment passes in 2022"),
    case(2021, replace(PTAI, domains=frozenset({"emploi"})), set(),
         "f33 in 2021 a PTAI needs one domain only and housing is not required"),
    case(2021, replace(PTAI, domains=frozenset()), {"ptai.domains.min"},
         "f33 in 2021 a PTAI without any domain is blocked"),
    case(2022, replace(PTAI, domains=frozenset({"emploi"})), {"ptai.domains.min", "ptai.domains.mandatory"},
         "f40 from 2022 a PTAI with one domain other than housing breaks both parts of the circulaire"),
    case(2022, replace(PTAI, domains=frozenset({"emploi", "mobilite"})), {"ptai.domains.mandatory"},
         "f40 from 2022 a project covers two domains one of them housing: two without housing is blocked"),
    case(2022, replace(PTAI, domains=frozenset({"logement"})), {"ptai.domains.min"},
         "f40 from 2022 a project covers two domains one of them housing: housing alone is blocked"),
    # --- PTAI: public (F31) ---
    case(2021, replace(PTAI, target_public=TargetPublic.BPI_ONLY),
         {"ptai.bpi_only.justification", "ptai.bpi_only.widening"},
         "f31 a BPI-only PTAI without justification nor widening perspective is blocked in 2021"),
    case(2022, replace(PTAI, target_public=TargetPublic.BPI_ONLY, bpi_justification="Public local : BPI."),
         {"ptai.bpi_only.widening"},
         "f31 a BPI-only PTAI with a justification but no widening perspective is blocked in 2022"),
    case(2021, replace(PTAI, target_public=TargetPublic.BPI_ONLY, bpi_justification="  ",
                       widening_perspective="Ouverture en 2023."),
         {"ptai.bpi_only.justification"},
         "f31 a blank justification is no justification"),
    case(2022, replace(PTAI, target_public=TargetPublic.BPI_ONLY, bpi_justification="Centre provisoire d'hébergement.",
                       widening_perspective="Ouverture aux primo-arrivants en 2023."), set(),
         "f31 a BPI-only PTAI with justification and widening perspective passes"),
    # --- PTAI: amount (F32), engagement (F35), diagnostic (F34), evaluation ---
    case(2021, replace(PTAI, requested_amount=Decimal("0.01")), set(),
         "f32 a PTAI may ask one cent: no minimum amount"),
    case(2022, replace(PTAI, requested_amount=Decimal("0")), {"ptai.amount.positive"},
         "f32 a PTAI asking nothing is blocked"),
    case(2021, replace(PTAI, requested_amount=None), {"ptai.amount.positive"},
         "f32 a PTAI without amount is blocked"),
    case(2021, replace(PTAI, contribution_kinds=frozenset()), {"ptai.engagement.required"},
         "f35 a PTAI without any engagement of the collectivite is blocked"),
    case(2022, replace(PTAI, has_diagnostic=False), {"ptai.diagnostic.advised"},
         "f34 a PTAI without diagnostic gets a warning only"),
    case(2021, replace(PTAI, requested_amount=Decimal("100000")), {"ptai.evaluation.expected"},
         "f23 a PTAI at the evaluation threshold is warned of a qualitative evaluation"),
    case(2021, replace(PTAI, requested_amount=Decimal("99999.99")), set(),
         "f23 a PTAI just under the evaluation threshold gets no evaluation warning"),
    # --- CTAI: domains (F14, F40) ---
    case(2021, CTAI_2021, set(), "f14 f43 a 2021 CTAI with a housing action and Poitiers funding passes"),
    case(2021, replace(CTAI_2021, domains=frozenset({"sante", "emploi"})), {"ctai.domains.mandatory"},
         "f14 a CTAI must contain at least one housing action in 2021"),
    case(2022, CTAI_2022, set(), "f40 a 2022 CTAI with housing and health passes"),
    case(2022, replace(CTAI_2022, domains=frozenset({"logement"})), {"ctai.domains.min"},
         "f40 from 2022 a CTAI with housing only covers too few domains"),
    case(2022, replace(CTAI_2022, domains=frozenset({"sante", "emploi"})), {"ctai.domains.mandatory"},
         "f14 f40 from 2022 a CTAI without housing is blocked even with two domains"),
    case(2022, replace(PROGRAMMING, domains=frozenset({"logement"})), {"ctai.domains.min"},
         "f40 from 2022 a CTAI programming covers two domains one of them housing"),
    case(2021, replace(PROGRAMMING, domains=frozenset({"logement"})), set(),
         "f14 in 2021 a CTAI programming with housing alone passes"),
    # --- CTAI: signatory (F12, F42) ---
    case(2021, replace(CTAI_2021, signatory_kind="commune", signatory_epci_nature=None), {"ctai.signatory.type"},
         "f12 f42 a CTAI signed by a commune needs a justified derogation"),
    case(2022, replace(CTAI_2022, signatory_epci_nature="CA"), {"ctai.signatory.type"},
         "f12 a CTAI signed by a communaute d agglomeration needs a justified derogation"),
    case(2021, replace(CTAI_2021, signatory_epci_nature="CU"), set(),
         "f12 a communaute urbaine signs without justification"),
    case(2021, replace(CTAI_2021, signatory_epci_nature="MET69"), set(),
         "f12 the Metropole de Lyon signs without justification"),
    case(2022, replace(CTAI_2022, signatory_kind="departement", signatory_epci_nature=None), set(),
         "f12 a departement signs without justification"),
    case(2022, replace(CTAI_2022, signatory_kind="region", signatory_epci_nature=None), set(),
         "f12 a region signs without justification"),
    # --- CTAI: letter of engagement (F18) ---
    case(2021, replace(CTAI_2021, letter_date=date(2021, 12, 31)), set(),
         "f18 a letter on 31 December 2021 is in time for a 2022 signature"),
    case(2021, replace(CTAI_2021, letter_date=date(2022, 1, 3)), {"ctai.letter.deadline"},
         "f18 a letter after 31 December 2021 cannot lead to a 2022 signature"),
    case(2022, replace(CTAI_2022, letter_date=date(2023, 1, 2)), {"ctai.letter.deadline"},
         "f18 a letter after 31 December 2022 cannot lead to a 2023 signature"),
    case(2021, replace(CTAI_2021, letter_date=None), {"ctai.letter.required"},
         "f18 a CTAI without a letter of engagement is blocked"),
    # --- CTAI: widening of a CTAIR (F16): a declaration of intent, not a letter ---
    case(2021, replace(CTAI_2021, letter_date=None, widening=True), set(),
         "f16 a CTAI widening a CTAIR needs no letter of engagement"),
    case(2021, replace(CTAI_2021, letter_date=date(2022, 1, 3), widening=True), set(),
         "f16 the letter deadline does not apply to a CTAI widening a CTAIR"),
    # --- CTAI: funding (F15, F43) ---
    case(2021, replace(CTAI_2021, base_amount=Decimal("149999.99")), {"ctai.base.bounds", "ctai.complement.cap"},
         "f15 a socle under 150 000 euros is blocked and lowers the complement allowed"),
    case(2022, replace(CTAI_2022, base_amount=Decimal("300000.01")), {"ctai.base.bounds"},
         "f15 a socle over 300 000 euros is blocked"),
    case(2022, replace(CTAI_2022, base_amount=Decimal("300000")), set(), "f15 a socle of 300 000 euros passes"),
    case(2021, replace(CTAI_2021, complement_amount=Decimal("50000.01")), {"ctai.complement.cap"},
         "f43 with 90 BPI and 30 other newcomers the complement of a 150 000 euros socle stops at 50 000 euros"),
    case(2022, replace(PROGRAMMING, complement_amount=Decimal("1")), {"ctai.complement.cap"},
         "f15 a programming open to no other newcomer gets no complement"),
    case(2021, replace(PROGRAMMING, complement_amount=Decimal("150000"), planned_newcomers=120), set(),
         "f15 the complement may reach the cap of 150 000 euros"),
    case(2021, replace(PROGRAMMING, complement_amount=Decimal("150000.01"), planned_newcomers=120),
         {"ctai.complement.cap"}, "f15 the complement never passes the campaign cap"),
    case(2021, replace(PROGRAMMING, complement_amount=Decimal("10"), planned_bpi=0, planned_newcomers=10),
         {"ctai.complement.cap"}, "f11 f15 a complement needs planned BPI"),
]  # fmt: skip


@pytest.mark.parametrize(("year", "subject", "expected"), CASES)
def test_rule_table(year: int, subject: RuleSubject, expected: set[str]) -> None:
    findings = check(subject, RULES_BY_YEAR[year])
    assert {finding.rule_id for finding in findings} == expected
    for finding in findings:
        assert finding.message.endswith((".", ")")), finding.message
        assert finding.field


def test_every_rule_of_the_table_is_exercised_by_a_case() -> None:
    """A rule with no case in the table could be broken unnoticed."""
    found = set().union(*(set(p.values[2]) for p in CASES))  # type: ignore[arg-type]
    assert found == {rule.id for rule in RULES}


def test_f14_the_housing_message_is_the_one_a_user_can_act_on() -> None:
    (finding,) = check(replace(CTAI_2021, domains=frozenset({"sante"})), RULES_2021)
    assert finding.message == "Le contrat doit comporter au moins une action d'accès au logement (campagne 2021)."
    assert finding.severity == Severity.BLOCKING
    assert finding.field == "domains"


def test_f40_the_minimum_message_says_how_many_domains_and_which_year() -> None:
    (finding,) = check(replace(PTAI, domains=frozenset({"logement"})), RULES_2022)
    assert finding.message == (
        "Le projet doit couvrir au moins 2 domaines (règle de la campagne 2022) : 1 domaine choisi. "
        "Ajoutez un domaine d'intervention."
    )


def test_f43_the_cap_message_shows_the_formula_with_french_amounts() -> None:
    (finding,) = check(replace(CTAI_2021, complement_amount=Decimal("60000")), RULES_2021)
    assert "50\u202f000,00\u00a0€" in finding.message
    assert "150\u202f000,00\u00a0€ × 30 ÷ 90" in finding.message  # noqa: RUF001


def test_f12_a_written_justification_lifts_the_signatory_derogation() -> None:
    commune = replace(CTAI_2021, signatory_kind="commune", signatory_epci_nature=None)
    assert [f.rule_id for f in blocking(check(commune, RULES_2021))] == ["ctai.signatory.type"]
    lifted = {"ctai.signatory.type": "Ville-centre de l'agglomération, CTAIR depuis 2019."}
    assert check(commune, RULES_2021, lifted=lifted) == []


def test_a_blank_justification_lifts_nothing() -> None:
    commune = replace(CTAI_2021, signatory_kind="commune", signatory_epci_nature=None)
    assert len(check(commune, RULES_2021, lifted={"ctai.signatory.type": "   "})) == 1


def test_lifting_never_hides_a_blocking_rule() -> None:
    subject = replace(CTAI_2021, domains=frozenset())
    lifted = {"ctai.domains.mandatory": "Parce que.", "ctai.domains.min": "Parce que."}
    assert {f.rule_id for f in check(subject, RULES_2021, lifted=lifted)} == {
        "ctai.domains.mandatory",
        "ctai.domains.min",
    }


def test_f34_warnings_do_not_block() -> None:
    findings = check(replace(PTAI, has_diagnostic=False), RULES_2021)
    assert blocking(findings) == []
    assert [f.rule_id for f in warnings(findings)] == ["ptai.diagnostic.advised"]


def test_a_campaign_without_complement_refuses_any_complement() -> None:
    rules = {**RULES_2022, "complement_rule": "none"}
    (finding,) = check(CTAI_2022, rules)
    assert finding.rule_id == "ctai.complement.cap"
    assert finding.message == "La campagne 2022 ne prévoit pas de crédits complémentaires : indiquez 0 €."


def test_a_ptai_rule_never_applies_to_a_ctai_and_back() -> None:
    bare_ptai = RuleSubject(instrument=Instrument.PTAI)
    bare_ctai = RuleSubject(instrument=Instrument.CTAI)
    assert all(f.rule_id.startswith("ptai.") for f in check(bare_ptai, RULES_2022))
    assert all(f.rule_id.startswith("ctai.") for f in check(bare_ctai, RULES_2022))


def test_docs_list_every_rule_id() -> None:
    """docs/programme-rules.md is kept true: each rule of the table has its row."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "programme-rules.md").read_text()
    words = {Severity.BLOCKING: "bloquant", Severity.WARNING: "avertissement", Severity.DEROGATION: "dérogation"}
    for rule in RULES:
        assert f"| `{rule.id}` | {words[rule.severity]} |" in docs
