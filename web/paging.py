"""Pagination of the big lists (PTAI, reports, ledger) at national scale.

`ListPaginator` is Django's `Paginator` with two additions:

- **Counts that do not scan.** When the list is a whole table (no filter: a national reader's
  unfiltered list) and PostgreSQL's statistics put it above `COUNT_ESTIMATE_ABOVE` rows, the count
  is the planner's estimate (`pg_class.reltuples`, kept by autovacuum/ANALYZE) and the page says
  so (« environ 50 000 »: `paginator.estimated`). Any filter, any scope narrower than national,
  SQLite, or a table below the threshold: the exact `COUNT(*)`. Pages near the estimated end
  (the last tenth) switch to the exact count, so « Dernière page » and « Page suivante » stay
  right whatever the estimate's error.
- **A known count**: `count=` when the view has already counted (in the same query as other
  aggregates), to save the `COUNT(*)`.

Deep pages: the lists page their ids first (an index-only scan of the sort's index) and read the
page's 50 rows by id afterwards, so an offset of 25 000 skips index entries, not joined rows.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

# The first page number whose rows reach this share of the estimate gets the exact count.
EXACT_NEAR_END = 0.9


def whole_table_count(queryset: QuerySet[Any]) -> tuple[int, bool] | None:
    """For `queryset` the whole of its table (no WHERE, no DISTINCT, no slicing) on PostgreSQL:
    (rows, estimated) in one query, whichever side of the threshold (so a page's query count does
    not change with the data): the planner's estimate above `COUNT_ESTIMATE_ABOVE`, else
    `COUNT(*)`. None for any other queryset (the caller counts it)."""
    query = queryset.query
    if query.where or query.distinct or query.low_mark or query.high_mark is not None or query.combinator:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint ELSE (SELECT COUNT(*) FROM {table}) END,"
            " reltuples >= %s FROM pg_class WHERE oid = %s::regclass",
            [settings.COUNT_ESTIMATE_ABOVE, settings.COUNT_ESTIMATE_ABOVE, queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return (int(row[0]), bool(row[1])) if row else None


class ListPaginator(Paginator):  # type: ignore[type-arg]
    def __init__(self, object_list: Any, per_page: int, *, count: int | None = None, estimate: bool = False) -> None:
        super().__init__(object_list, per_page)
        self._known = count
        self._estimate: int | None = None
        if estimate and count is None and (counted := whole_table_count(object_list)) is not None:
            rows, estimated = counted
            if estimated:
                self._estimate = rows
            else:
                self._known = rows

    @property
    def estimated(self) -> bool:
        return self._estimate is not None

    @cached_property
    def count(self) -> int:
        if self._estimate is not None:
            return self._estimate
        if self._known is not None:
            return self._known
        return int(super().count)

    @property
    def rounded_count(self) -> int:
        """The estimate to the nearest hundred: no false precision in « environ 50 100 »."""
        return int(round(self.count, -2))

    def _exact(self) -> None:
        self._estimate = None
        for name in ("count", "num_pages"):
            self.__dict__.pop(name, None)

    def validate_number(self, number: Any) -> int:
        if self._estimate is not None:
            try:
                wanted = int(number)
            except (TypeError, ValueError):
                wanted = 1
            if wanted * self.per_page >= EXACT_NEAR_END * self._estimate:
                self._exact()
        return int(super().validate_number(number))
