"""What every list page shares: sorting by a whitelisted key (`?tri=-date`), clickable headers
with `aria-sort`, and the query string the export links and pagination keep."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest


def sorted_by(queryset: QuerySet[Any], sorts: Mapping[str, str], sort: str, default: str) -> tuple[QuerySet[Any], str]:
    """`queryset` ordered by the key `sort` ("-key" descending) among `sorts` (key → field), then by
    pk for a stable order; an unknown key falls back to `default`."""
    if sort.lstrip("-") not in sorts:
        sort = default
    prefix = "-" if sort.startswith("-") else ""
    return queryset.order_by(f"{prefix}{sorts[sort.lstrip('-')]}", f"{prefix}pk"), sort


def sortable_headers(
    request: HttpRequest, columns: Sequence[tuple[str, str]], sorts: Mapping[str, str], sort: str
) -> list[dict[str, Any]]:
    """Column headers; the sortable ones link to the opposite order and carry `aria-sort`."""
    params = request.GET.copy()
    params.pop("page", None)
    headers = []
    for key, label in columns:
        header: dict[str, Any] = {"label": label, "key": key, "sortable": key in sorts}
        if key in sorts:
            current = sort.lstrip("-") == key
            descending = sort.startswith("-")
            header["aria_sort"] = ("descending" if descending else "ascending") if current else "none"
            params["tri"] = key if (current and descending) else f"-{key}"
            header["query"] = params.urlencode()
        headers.append(header)
    return headers


def kept_query(request: HttpRequest) -> str:
    """The filters and sort of the page, for the export links and the pagination."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
