"""Property tests (hypothesis) of the funding formula and the rule engine, for both seeded years."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from programme.enums import ContributionKind, Instrument, Severity, TargetPublic
from programme.funding import ctai_funding, max_complement
from programme.rules import DEROGATION_RULE_IDS, RuleSubject, blocking, check
from tests.programme.seeds import RULES_BY_YEAR

DOMAINS = [
    "logement", "sante", "acces-droits", "formation-linguistique", "emploi", "formation-professionnelle",
    "sport-culture", "mobilite", "garde-enfants", "coordination-linguistique", "accompagnement-social",
    "inclusion-numerique", "lien-societe-accueil", "pilotage-coordination",
]  # fmt: skip
SIGNATORIES = [
    ("commune", None), ("departement", None), ("region", None),
    *[("epci", nature) for nature in ("METRO", "MET69", "CU", "CA", "CC", "EPT")],
]  # fmt: skip

years = st.sampled_from(sorted(RULES_BY_YEAR))
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2)
counts = st.integers(min_value=0, max_value=100_000)
maybe_amount = st.none() | amounts
texts = st.sampled_from(["", "  ", "Justification écrite."])


@st.composite
def subjects(draw: st.DrawFn) -> RuleSubject:
    signatory_kind, nature = draw(st.sampled_from(SIGNATORIES))
    return RuleSubject(
        instrument=draw(st.sampled_from(list(Instrument))),
        domains=frozenset(draw(st.sets(st.sampled_from(DOMAINS), max_size=5))),
        target_public=draw(st.sampled_from(list(TargetPublic))),
        bpi_justification=draw(texts),
        widening_perspective=draw(texts),
        has_diagnostic=draw(st.booleans()),
        contribution_kinds=frozenset(draw(st.sets(st.sampled_from(list(ContributionKind)), max_size=3))),
        requested_amount=draw(maybe_amount),
        signatory_kind=signatory_kind,
        signatory_epci_nature=nature,
        letter_date=draw(st.none() | st.dates()),
        signature_year=draw(st.none() | st.integers(min_value=2020, max_value=2030)),
        base_amount=draw(maybe_amount),
        complement_amount=draw(maybe_amount),
        planned_bpi=draw(st.none() | counts),
        planned_newcomers=draw(st.none() | counts),
    )


@given(year=years, base=amounts, bpi=counts, others=counts)
def test_f15_the_complement_never_exceeds_the_cap_nor_the_socle_times_the_opening_ratio(
    year: int, base: Decimal, bpi: int, others: int
) -> None:
    rules = RULES_BY_YEAR[year]
    complement = max_complement(base, bpi, others, rules)
    assert Decimal(0) <= complement <= Decimal(rules["complement_cap"])
    if bpi:
        assert complement * bpi <= base * others
        # Rounded down to the cent, never more than one cent below the exact value.
        exact = min(base * others / bpi, Decimal(rules["complement_cap"]))
        assert exact - complement < Decimal("0.01")
    else:
        assert complement == 0
    assert complement == complement.quantize(Decimal("0.01"))


@given(year=years, base=amounts, bpi=counts, others=counts, requested=maybe_amount)
def test_f15_ctai_funding_never_gives_more_than_the_rule_allows(
    year: int, base: Decimal, bpi: int, others: int, requested: Decimal | None
) -> None:
    rules = RULES_BY_YEAR[year]
    funding = ctai_funding(
        base=base, planned_bpi=bpi, planned_newcomers=others, rules=rules, requested_complement=requested
    )
    assert funding.base == base
    assert 0 <= funding.complement <= max_complement(base, bpi, others, rules)
    assert funding.total == sum(funding.by_budget_line().values())


@given(year=years, subject=subjects(), extra=st.sampled_from(DOMAINS))
def test_f40_adding_a_domain_never_adds_a_blocking_finding_about_domains(
    year: int, subject: RuleSubject, extra: str
) -> None:
    rules = RULES_BY_YEAR[year]

    def domain_blocks(s: RuleSubject) -> set[str]:
        return {f.rule_id for f in blocking(check(s, rules)) if f.field == "domains"}

    assert domain_blocks(replace(subject, domains=subject.domains | {extra})) <= domain_blocks(subject)


@given(year=years, subject=subjects())
def test_lifting_a_derogation_removes_exactly_that_finding(year: int, subject: RuleSubject) -> None:
    rules = RULES_BY_YEAR[year]
    findings = check(subject, rules)
    for rule_id in DEROGATION_RULE_IDS:
        lifted = check(subject, rules, lifted={rule_id: "Justification écrite et conservée."})
        assert lifted == [f for f in findings if f.rule_id != rule_id]


@given(year=years, subject=subjects())
def test_every_finding_is_one_per_rule_with_a_french_message(year: int, subject: RuleSubject) -> None:
    findings = check(subject, RULES_BY_YEAR[year])
    ids = [f.rule_id for f in findings]
    assert len(ids) == len(set(ids))
    for finding in findings:
        assert finding.rule_id.split(".")[0] in ("ptai", "ctai")
        assert finding.severity in Severity
        assert finding.message[0].isupper()


@given(subject=subjects())
def test_f40_whatever_passes_the_2022_domain_rules_passes_those_of_2021(subject: RuleSubject) -> None:
    """2022 only adds to 2021's domain rules (two domains, housing for PTAI too)."""

    def domain_blocks(year: int) -> set[str]:
        return {f.rule_id for f in check(subject, RULES_BY_YEAR[year]) if f.field == "domains"}

    if not domain_blocks(2022):
        assert not domain_blocks(2021)
