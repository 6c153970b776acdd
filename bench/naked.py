"""The naked floor of a page: the same main query (scope, filters, sort, count and the page's rows),
a bare view and a minimal template, served by the same server. Mounted by `config.settings.bench`
only (`bench.urls`); never part of the site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines

TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>{{ name }}</title><p>{{ count }}</p>"
    "<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table>"
)
PAGE_SIZE = 50


def _page(request: HttpRequest, name: str, ids: Any, fetch: Callable[[list[int]], list[Any]]) -> HttpResponse:
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = fetch(list(page.object_list))
    return HttpResponse(TEMPLATE.render({"name": name, "count": page.paginator.count, "rows": rows}))


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TEMPLATE.render({"name": "accueil", "count": 0, "rows": []}))


def ptai_list(request: HttpRequest) -> HttpResponse:
    from projects.models import Project
    from web.views.projects.lists import filtered

    _form, projects, _sort = filtered(request)

    def fetch(ids: list[int]) -> list[Any]:
        values = Project.objects.filter(pk__in=ids).values_list("pk", "reference", "title", "state", "requested_amount")
        by_pk = {row[0]: row for row in values}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    return _page(request, "PTAI", projects.values_list("pk", flat=True), fetch)


def ctai_list(request: HttpRequest) -> HttpResponse:
    from contracts.models import Contract
    from web.views.contracts import filtered

    _form, contracts, _sort = filtered(request)

    def fetch(ids: list[int]) -> list[Any]:
        values = Contract.objects.filter(pk__in=ids).values_list("pk", "title", "state", "signed_on")
        by_pk = {row[0]: row for row in values}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    return _page(request, "CTAI", contracts.values_list("pk", flat=True), fetch)


def ledger(request: HttpRequest) -> HttpResponse:
    from web.views.finance import _ledger

    _form, entries = _ledger(request)
    values = entries.order_by("-created_at", "-pk").values_list("pk", "kind", "amount", "created_at")
    page = Paginator(values, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    return HttpResponse(TEMPLATE.render({"name": "écritures", "count": page.paginator.count, "rows": rows}))


VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "home": home,
    "ptai_list": ptai_list,
    "ctai_list": ctai_list,
    "ledger": ledger,
}


def naked(request: HttpRequest, name: str) -> HttpResponse:
    view = VIEWS.get(name)
    if view is None:
        raise Http404
    return view(request)
