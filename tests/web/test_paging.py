"""web.paging: the big lists' counts (exact, or PostgreSQL's estimate for a whole table above a
threshold, shown « environ ») and their pages (F38: lists usable at national scale)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings

from web.paging import ListPaginator, whole_table_count

pytestmark = pytest.mark.django_db


def _analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE django_content_type")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
@override_settings(COUNT_ESTIMATE_ABOVE=1)
def test_a_whole_table_above_the_threshold_is_counted_by_the_planners_estimate() -> None:
    _analyse()
    rows = ContentType.objects.order_by("pk").values_list("pk", flat=True)
    exact = rows.count()
    paginator = ListPaginator(rows, 5, estimate=True)
    page = paginator.get_page(1)
    assert paginator.estimated
    assert (paginator.count, True) == whole_table_count(rows) and abs(paginator.count - exact) <= exact // 10 + 1
    assert list(page.object_list) == list(rows[:5])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
@override_settings(COUNT_ESTIMATE_ABOVE=1)
def test_pages_near_the_end_and_filtered_lists_are_counted_exactly() -> None:
    _analyse()
    rows = ContentType.objects.order_by("pk").values_list("pk", flat=True)
    exact = rows.count()
    last = ListPaginator(rows, 5, estimate=True)
    page = last.get_page(10_000)  # beyond the end: the real last page, by the exact count
    assert not last.estimated and last.count == exact
    assert list(page.object_list) == list(rows)[(last.num_pages - 1) * 5 :]
    filtered = ListPaginator(rows.filter(app_label="projects"), 5, estimate=True)
    assert not filtered.estimated and filtered.count == rows.filter(app_label="projects").count()


def test_below_the_threshold_or_on_sqlite_the_count_is_exact_and_a_known_count_is_not_recounted(
    django_assert_num_queries: Any,
) -> None:
    rows = ContentType.objects.order_by("pk").values_list("pk", flat=True)
    exact = rows.count()
    paginator = ListPaginator(rows, 5, estimate=True)  # threshold 20 000
    assert not paginator.estimated and paginator.count == exact
    known = ListPaginator(rows, 5, count=exact)
    with django_assert_num_queries(1):  # the page only
        assert len(known.get_page(1).object_list) == 5
    assert known.count == exact
