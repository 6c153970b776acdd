"""Campaigns as data: the seed (F03, F40, F41), decisions keep their year's rules, copying a year."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.enums import Role
from accounts.models import User
from audit.models import Event
from programme import services
from programme.enums import BudgetLineCode, Instrument
from programme.models import BudgetLine, Campaign, Domain
from programme.rules import RuleSubject, check
from tests.factories import MembershipFactory, make_user
from tests.programme.seeds import RULES_2021, RULES_2022

pytestmark = pytest.mark.django_db

DOMAIN_CODES = [
    "logement", "sante", "acces-droits", "formation-linguistique", "emploi", "formation-professionnelle",
    "sport-culture", "mobilite", "garde-enfants", "coordination-linguistique", "accompagnement-social",
    "inclusion-numerique", "lien-societe-accueil", "pilotage-coordination",
]  # fmt: skip


@pytest.fixture
def administrator() -> User:
    user: User = MembershipFactory(admin=True).user
    return user


def campaign(year: int) -> Campaign:
    return Campaign.objects.with_parameters().get(year=year)


def test_f33_the_fourteen_domains_are_seeded_with_stable_codes_in_order() -> None:
    assert list(Domain.objects.values_list("code", flat=True)) == DOMAIN_CODES
    assert Domain.objects.get(code="sante").label == "Accès aux soins / santé"


def test_f41_budget_lines_are_programme_104_actions_15_and_12() -> None:
    assert set(BudgetLine.objects.values_list("code", flat=True)) == {
        BudgetLineCode.REFUGEES,
        BudgetLineCode.NEWCOMERS,
    }


def test_f03_f40_campaigns_2021_and_2022_are_seeded_with_their_rules() -> None:
    assert campaign(2021).rules() == RULES_2021
    assert campaign(2022).rules() == RULES_2022
    assert campaign(2021).national_envelope == Decimal("9000000.00")


def test_rules_are_plain_json_data() -> None:
    rules = campaign(2022).rules()
    assert json.loads(json.dumps(rules)) == rules


def test_the_database_refuses_a_socle_minimum_above_the_maximum() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(year=2021).update(base_min=Decimal("400000"))


def test_f40_editing_2022_never_changes_a_decision_taken_with_2021_or_2022_rules(administrator: User) -> None:
    """A decision stores its year's `rules()`; re-checking it later gives the same answer."""
    stored_2021 = json.loads(json.dumps(campaign(2021).rules()))
    stored_2022 = json.loads(json.dumps(campaign(2022).rules()))
    project = RuleSubject(
        instrument=Instrument.PTAI,
        domains=frozenset({"logement", "emploi"}),
        contribution_kinds=frozenset({"room"}),
        has_diagnostic=True,
        requested_amount=Decimal("40000"),
    )
    before_2021 = check(project, stored_2021)
    before_2022 = check(project, stored_2022)
    assert before_2021 == before_2022 == []

    services.update_campaign(
        actor=administrator,
        campaign=campaign(2022),
        values={
            "ptai_min_domains": 3,
            "base_min": Decimal("100000"),
            "ptai_mandatory_domains": list(Domain.objects.filter(code__in=["logement", "sante"])),
        },
    )

    assert check(project, stored_2021) == before_2021
    assert check(project, stored_2022) == before_2022
    assert campaign(2021).rules() == stored_2021
    # Only a file checked with the new 2022 rules sees them.
    assert {f.rule_id for f in check(project, campaign(2022).rules())} == {
        "ptai.domains.mandatory",
        "ptai.domains.min",
    }


def test_renaming_a_domain_keeps_its_code_and_past_decisions(administrator: User) -> None:
    stored = campaign(2021).rules()
    housing = Domain.objects.get(code="logement")
    assert services.rename_domain(actor=administrator, domain=housing, label="Accès au logement")
    assert Domain.objects.get(code="logement").label == "Accès au logement"
    assert stored["domain_labels"] == {"logement": "Logement"}
    event = Event.objects.for_target(housing).get()
    assert event.details == {"libellé": "Logement → Accès au logement"}


def test_update_records_what_changed_in_french(administrator: User) -> None:
    target = campaign(2022)
    changes = services.update_campaign(
        actor=administrator, campaign=target, values={"complement_cap": Decimal("120000"), "ctai_min_domains": 2}
    )
    assert changes == {"plafond des crédits complémentaires (€)": ["150\u202f000,00\u00a0€", "120\u202f000,00\u00a0€"]}
    event = Event.objects.for_target(target).get()
    assert event.verb == "programme.campaign_updated"
    assert event.actor == administrator
    assert event.details == {
        "plafond des crédits complémentaires (€)": "150\u202f000,00\u00a0€ → 120\u202f000,00\u00a0€"
    }


def test_an_update_that_changes_nothing_writes_no_event(administrator: User) -> None:
    target = campaign(2022)
    assert services.update_campaign(actor=administrator, campaign=target, values={"ptai_min_domains": 2}) == {}
    assert not Event.objects.for_target(target).exists()


@pytest.mark.parametrize("role", [Role.DIAIR, Role.MINISTRY])
def test_only_an_administrator_edits_a_campaign(role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.update_campaign(actor=make_user(role), campaign=campaign(2022), values={"ptai_min_domains": 3})
    with pytest.raises(PermissionDenied):
        services.create_next_campaign(actor=make_user(role))


def test_copying_2022_gives_2023_with_the_same_parameters(administrator: User) -> None:
    created = services.create_next_campaign(actor=administrator)
    assert created.year == 2023
    copy = campaign(2023).rules()
    assert copy == {**RULES_2022, "year": 2023, "letter_deadline": "2023-12-31"}
    assert campaign(2023).notes.startswith("Copiée de la campagne 2022")
    assert campaign(2022).rules() == RULES_2022
    event = Event.objects.for_target(created).get()
    assert event.verb == "programme.campaign_created"
    assert event.details == {"copiée de": "campagne 2022"}


def test_copying_a_campaign_whose_deadline_is_29_february(administrator: User) -> None:
    Campaign.objects.filter(year=2022).update(letter_deadline=date(2024, 2, 29))
    assert services.create_next_campaign(actor=administrator).letter_deadline == date(2025, 2, 28)


def test_f12_a_derogation_is_recorded_with_its_justification_and_audited() -> None:
    from tests.contracts.conftest import make_contract, make_persona

    poitiers_contract = make_contract("letter_received")
    prefect = make_persona("prefect_own")
    text = "Ville-centre de la communauté urbaine, signataire d'un CTAIR depuis 2019."
    derogation = services.record_derogation(
        actor=prefect,
        target=poitiers_contract,
        rule_id="ctai.signatory.type",
        justification=f"  {text} ",
        campaign_year=2021,
    )
    assert derogation.justification == text
    assert derogation.target == poitiers_contract
    lifted = services.lifted_for(poitiers_contract)
    assert lifted == {"ctai.signatory.type": text}
    commune = RuleSubject(instrument=Instrument.CTAI, domains=frozenset({"logement"}), signatory_kind="commune")
    commune = replace(commune, letter_date=date(2021, 10, 1))
    assert check(commune, RULES_2021) != []
    assert check(commune, RULES_2021, lifted=lifted) == []
    event = Event.objects.for_target(poitiers_contract).get()
    assert event.verb == "programme.derogation_recorded"
    assert event.details == {"règle": "ctai.signatory.type", "justification": text}


def test_a_derogation_needs_a_text_and_a_derogation_rule() -> None:
    from tests.contracts.conftest import make_contract, make_persona

    target = make_contract("letter_received")
    prefect = make_persona("prefect_own")
    with pytest.raises(ValidationError, match="Écrivez la justification"):
        services.record_derogation(actor=prefect, target=target, rule_id="ctai.signatory.type", justification=" ")
    with pytest.raises(ValidationError, match="ne peut pas être levée"):
        services.record_derogation(
            actor=prefect, target=target, rule_id="ctai.domains.mandatory", justification="Parce que."
        )
    assert services.lifted_for(target) == {}


def test_a_file_that_says_nothing_of_its_derogations_takes_none(administrator: User) -> None:
    """The file decides who may lift a rule on it; a campaign, say, takes no derogation at all."""
    target = Campaign.objects.get(year=2021)
    with pytest.raises(PermissionDenied):
        services.record_derogation(
            actor=administrator, target=target, rule_id="ctai.signatory.type", justification="Parce que."
        )
    assert services.lifted_for(target) == {}
