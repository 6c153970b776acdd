"""Every list endpoint runs the same number of SQL queries with 10 rows and with 1 000.

Each budget is the number measured. With a token, every call starts with 4: savepoint + release
(ATOMIC_REQUESTS), the token with its user, the user's memberships (the scope).
Each test calls once before counting, so that per-process caches do not depend on test order.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal

import pytest

from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope, LedgerEntry
from programme.models import BudgetLine, Campaign
from referential.models import Department
from tests.api.conftest import API, ApiClient

pytestmark = pytest.mark.django_db

ROWS = [pytest.param(10, id="10 rows"), pytest.param(1000, id="1000 rows")]
Counter = Callable[[int], AbstractContextManager[object]]

BUDGET = {
    "me": 4,
    "envelopes": 7,  # + count, page (campaign, line, région, département joined), balances (one grouped query)
    "departements": 6,  # + count, page with régions
    "authorities": 4,  # the search (département joined) instead of the memberships: it is not scoped
    "campaigns": 9,  # + count, page, budget lines, CTAI domains, PTAI domains (prefetched)
}


def within_budget(client: ApiClient, url: str, budget: int, counter: Counter, **params: object) -> dict[str, object]:
    client.get_json(url, **params)
    with counter(budget):
        body = client.get_json(url, **params)
    assert isinstance(body, dict)
    return body


def add_envelopes(count: int) -> None:
    """`count` départemental envelopes (campaigns from 2023 on as needed), each with entries."""
    template = Campaign.objects.get(year=2021)
    lines = list(BudgetLine.objects.order_by("code"))
    # Isère first: the instructeur of Isère has envelopes with 10 rows too.
    departments = sorted(Department.objects.all(), key=lambda d: (d.code != "38", d.code))
    per_campaign = len(lines) * len(departments)
    campaigns = []
    for index in range(-(-count // per_campaign)):
        campaign = Campaign.objects.get(pk=template.pk)
        campaign.pk = None
        campaign.year = 2023 + index
        campaign.save()
        campaigns.append(campaign)
    national = {
        (c.pk, line.pk): Envelope.objects.create(campaign=c, budget_line=line, level=EnvelopeLevel.NATIONAL)
        for c in campaigns
        for line in lines
    }
    envelopes = Envelope.objects.bulk_create(
        Envelope(
            campaign=campaign,
            budget_line=line,
            level=EnvelopeLevel.DEPARTMENT,
            department=department,
            parent=national[(campaign.pk, line.pk)],
        )
        for campaign in campaigns
        for line in lines
        for department in departments
    )[:count]
    Envelope.objects.filter(level=EnvelopeLevel.DEPARTMENT).exclude(pk__in=[e.pk for e in envelopes]).delete()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(envelope=envelope, kind=kind, amount=Decimal("1000.00"))
        for envelope in envelopes
        for kind in (EntryKind.ALLOCATION, EntryKind.DELEGATION_OUT)
    )


@pytest.mark.parametrize("rows", ROWS)
def test_envelopes(rows: int, api_ministry: ApiClient, django_assert_max_num_queries: Counter) -> None:
    add_envelopes(rows)
    body = within_budget(api_ministry, f"{API}/envelopes/", BUDGET["envelopes"], django_assert_max_num_queries)
    assert body["count"] == rows + 2 * (-(-rows // 202))  # + the national envelopes
    results: list[dict[str, dict[str, str]]] = body["results"]  # type: ignore[assignment]
    departemental = [r["balance"] for r in results if r["level"] == "department"]
    assert departemental and all(b["received"] == b["delegated"] == "1000.00" for b in departemental)


@pytest.mark.parametrize("rows", ROWS)
def test_envelopes_of_a_departement(
    rows: int, api_instructor_isere: ApiClient, django_assert_max_num_queries: Counter
) -> None:
    add_envelopes(rows)
    body = within_budget(api_instructor_isere, f"{API}/envelopes/", BUDGET["envelopes"], django_assert_max_num_queries)
    assert body["count"] == -(-rows // 101)  # Isère comes first in each (campaign, line) block


def test_departements(api_ministry: ApiClient, django_assert_max_num_queries: Counter) -> None:
    """101 départements, 50 a page: the page's régions are joined, not fetched one by one."""
    body = within_budget(api_ministry, f"{API}/departements/", BUDGET["departements"], django_assert_max_num_queries)
    assert len(body["results"]) == 50  # type: ignore[arg-type]


def test_departements_of_an_instructor(api_instructor_isere: ApiClient, django_assert_max_num_queries: Counter) -> None:
    within_budget(api_instructor_isere, f"{API}/departements/", BUDGET["departements"], django_assert_max_num_queries)


@pytest.mark.parametrize("query", ["saint", "63113", "200040715"])
def test_authorities(query: str, api_instructor_isere: ApiClient, django_assert_max_num_queries: Counter) -> None:
    """ "saint" matches hundreds of communes: 50 come back, their départements joined."""
    within_budget(
        api_instructor_isere, f"{API}/authorities/", BUDGET["authorities"], django_assert_max_num_queries, q=query
    )


@pytest.mark.parametrize("rows", [pytest.param(0, id="2 campaigns"), pytest.param(40, id="42 campaigns")])
def test_campaigns(rows: int, api_ministry: ApiClient, django_assert_max_num_queries: Counter) -> None:
    template = Campaign.objects.get(year=2022)
    for index in range(rows):
        campaign = Campaign.objects.get(pk=template.pk)
        campaign.pk = None
        campaign.year = 2023 + index
        campaign.save()
        campaign.budget_lines.set(template.budget_lines.all())
        campaign.ptai_mandatory_domains.set(template.ptai_mandatory_domains.all())
    within_budget(api_ministry, f"{API}/campaigns/", BUDGET["campaigns"], django_assert_max_num_queries)


def test_me(api_admin: ApiClient, django_assert_max_num_queries: Counter) -> None:
    within_budget(api_admin, f"{API}/me/", BUDGET["me"], django_assert_max_num_queries)
