"""The eligibility helper (F02, F04-F06): the rule, then the page, on the issue's eight cases."""

from datetime import date

import pytest

from programme.eligibility import (
    Nationality,
    PermitReason,
    Person,
    Protection,
    Situation,
    Verdict,
    assess,
)
from tests.web.html import text_of

TODAY = date(2026, 3, 1)
RULES = {"year": 2026, "newcomer_horizon_years": 5}
THIRD = Nationality.THIRD_COUNTRY


@pytest.mark.parametrize(
    ("person", "verdict", "rule"),
    [
        (Person(THIRD, protection=Protection.REFUGEE), Verdict.BPI, "F06"),
        (Person(THIRD, protection=Protection.SUBSIDIARY), Verdict.BPI, "F06"),
        (
            Person(THIRD, Situation.PERMIT, PermitReason.FAMILY, date(2024, 3, 1)),
            Verdict.NEWCOMER,
            "F04",
        ),
        (Person(THIRD, Situation.PERMIT, PermitReason.STUDENT), Verdict.NEITHER, "F05"),
        (Person(THIRD, Situation.ASYLUM_SEEKER), Verdict.NEITHER, "F05"),
        (Person(Nationality.EUROPEAN), Verdict.NEITHER, "F04"),
        (Person(THIRD, Situation.PERMIT, PermitReason.WORK, date(2019, 3, 1)), Verdict.NEITHER, "F04"),
        (Person(THIRD, Situation.UNACCOMPANIED_MINOR), Verdict.NEITHER, "F05"),
    ],
    ids=[
        "refugee",
        "subsidiary-protection",
        "family-2-years",
        "student",
        "asylum-seeker",
        "eu-citizen",
        "work-7-years",
        "unaccompanied-minor",
    ],
)
def test_f02_f04_f05_f06_the_helper_answers_the_eight_cases_with_the_rule(person, verdict, rule):
    answer = assess(person, RULES, today=TODAY)
    assert answer.verdict == verdict
    assert answer.rule_id == rule
    assert answer.reason
    assert answer.rule_text


def test_f04_the_five_year_horizon_is_the_campaigns_parameter():
    """A work permit of 7 years ago: not a primo-arrivant with 5 years, one with a 10-year horizon."""
    person = Person(THIRD, Situation.PERMIT, PermitReason.WORK, date(2019, 3, 1))
    assert assess(person, {**RULES, "newcomer_horizon_years": 10}, today=TODAY).verdict == Verdict.NEWCOMER
    assert "plus de 5 ans" in assess(person, RULES, today=TODAY).reason


def test_f06_a_bpi_is_also_a_primo_arrivant():
    answer = assess(Person(THIRD, protection=Protection.REFUGEE), RULES, today=TODAY)
    assert answer.is_public
    assert "Un BPI est aussi un étranger primo-arrivant" in answer.rule_text


@pytest.mark.django_db
def test_f05_the_page_answers_a_family_reunification_without_javascript_and_quotes_the_rule(client):
    """Posted (never in the address), answered at once, nothing stored (no-store)."""
    year = date.today().year - 2
    response = client.post(
        "/eligibilite/",
        {
            "nationality": "third_country",
            "protection": "none",
            "situation": "permit",
            "permit_reason": "family",
            "first_permit_month": "1",
            "first_permit_year": str(year),
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = text_of(response.content.decode())
    assert "Étranger primo-arrivant" in text
    assert "motif familial" in text
    assert "La règle (F04)" in text


@pytest.mark.django_db
def test_f05_an_incomplete_questionnaire_says_what_is_missing_in_french(client):
    response = client.post("/eligibilite/", {"nationality": "third_country", "protection": "none"})
    assert response.status_code == 400
    assert "Indiquez la situation administrative de la personne." in text_of(response.content.decode())


@pytest.mark.django_db
def test_f05_nothing_typed_is_stored(client):
    """The helper only reads (the campaign's horizon): no query writes anything."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/eligibilite/", {"nationality": "third_country", "protection": "refugee"})
    assert "Bénéficiaire de la protection internationale" in text_of(response.content.decode())
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
