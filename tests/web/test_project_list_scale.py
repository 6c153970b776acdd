"""The PTAI list at scale (issue 16, docs/PERFORMANCE.md): the text filter, the sort by amount and a
deep page keep the list's query budget with 10 and 1 000 files, an agent sees the files its
collectivité joins as a partner, and on PostgreSQL the sorts and the text filter read an index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from projects.models import Project
from tests.factories import grenoble_metropole
from tests.web.personas import persona
from tests.web.test_project_pages import LIST_BUDGET, bulk_projects

ROWS = [pytest.param(10, id="10 files"), pytest.param(1000, id="1000 files")]
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's")


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("name", ["agent_grenoble", "instructor_isere", "ministry"])
def test_a_text_filter_a_sort_by_amount_and_a_deep_page_keep_the_list_budget(
    request: pytest.FixtureRequest, name: str, rows: int, django_assert_max_num_queries: Any
) -> None:
    client = persona(request, name)
    bulk_projects(rows)
    url = reverse("web:project_list")
    assert client.get(url).status_code == 200
    for query in ({"q": "Projet n° 1", "tri": "-montant"}, {"page": "10"}, {"tri": "reference", "page": "3"}):
        with django_assert_max_num_queries(LIST_BUDGET):
            assert client.get(url, query).status_code == 200


@pytest.mark.parametrize("rows", ROWS)
def test_an_agent_of_grenoble_sees_the_files_lyon_leads_with_grenoble_as_a_partner(
    request: pytest.FixtureRequest, rows: int, django_assert_max_num_queries: Any
) -> None:
    client = persona(request, "agent_grenoble")
    bulk_projects(rows)
    grenoble = grenoble_metropole()
    lyon_files = Project.objects.exclude(lead_authority=grenoble).order_by("pk")
    joined = list(lyon_files[:3])
    for project in joined:
        project.partners.add(grenoble)
    visible = Project.objects.for_user(client.user)
    assert visible.count() == rows + 3
    assert set(visible.exclude(lead_authority=grenoble)) == set(joined)
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(reverse("web:project_list"), {"q": joined[0].title})
    assert joined[0].title in response.content.decode()


@on_postgres
@pytest.mark.django_db
def test_the_newest_first_and_amount_sorts_read_their_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "project_by_created" in Project.objects.order_by("-created_at", "-pk")[:50].explain()
    assert "project_by_requested" in Project.objects.order_by("-requested_amount", "-pk")[:50].explain()


@on_postgres
@pytest.mark.django_db
def test_the_text_filter_reads_the_trigram_indexes() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    matching = Project.objects.filter(Q(title__icontains="logement") | Q(reference__icontains="logement"))
    plan = matching.order_by().explain()  # as the count of the list asks it
    assert "project_title_trgm" in plan and "project_reference_trgm" in plan
