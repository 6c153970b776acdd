"""Issue 15, « the permission matrix »: every page of the URL map and every endpoint of the OpenAPI
schema, asked by every role on an object of its own scope and one of another scope, answers what
`tests/demo/permission_matrix.py` declares — and a page or endpoint without a row fails the suite.

On the demo seed of this package (Isère and Grenoble-Alpes-Métropole are the own scope, Rhône and the
Métropole de Lyon the other). Every request runs in a savepoint rolled back at once, so that no
request changes what the next one sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.demo import permission_matrix as matrix

pytestmark = pytest.mark.django_db

WHERE = "tests/demo/permission_matrix.py"
# Namespaces walked through another door: the API by its OpenAPI schema; Django's administration is
# Django's own (is_staff, per model permissions), its home page alone is in the matrix.
SKIPPED_NAMESPACES = {"api"}
ADMIN_KEPT = {"admin:index"}


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[str]:
    """Every named URL of the site, as "namespace:name" (Django's resolver, walked)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def site_pages() -> list[str]:
    names = set(url_names())
    return sorted(
        name
        for name in names
        if name.split(":")[0] not in SKIPPED_NAMESPACES and (not name.startswith("admin:") or name in ADMIN_KEPT)
    )


def api_endpoints(client: Client) -> list[str]:
    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    )


def parse(codes: str) -> list[tuple[int, int]]:
    """ "302 404 200/404 …" → [(own, other), …] per role."""
    cells = codes.split()
    assert len(cells) == len(matrix.ROLES), f"{codes!r}: one cell per role of {matrix.ROLES}"
    pairs = []
    for cell in cells:
        own, _, other = cell.partition("/")
        pairs.append((int(own), int(other or own)))
    return pairs


def render(pairs: list[tuple[int, int]]) -> str:
    return " ".join(f"{own}" if own == other else f"{own}/{other}" for own, other in pairs)


def api_address(path: str, kwargs: dict[str, Any]) -> str:
    params = {**kwargs, "id": kwargs.get("pk", kwargs.get("contract_pk")), "action_id": kwargs.get("action_pk")}
    return path.format(**params)


@pytest.fixture
def clients(db_access: dict[str, Any]) -> dict[str, Client]:
    return matrix.role_clients()


def observe(
    clients: dict[str, Client], method: str, finder: str | None, address_for: Any, finders: dict[str, Any]
) -> list[tuple[int, int]]:
    scoped, find = finders[finder] if finder else (False, lambda own: {})
    own_address = address_for(find(True))
    other_address = address_for(find(False)) if scoped else own_address
    pairs = []
    for role in matrix.ROLES:
        own = matrix.ask(clients[role], method, own_address)
        other = matrix.ask(clients[role], method, other_address) if scoped else own
        pairs.append((own, other))
    return pairs


def test_every_page_and_endpoint_answers_each_role_as_the_matrix_declares(clients: dict[str, Client]) -> None:
    finders = matrix._finders()
    for name, (_scoped, find) in finders.items():  # every object found before the first request
        assert find(True) and find(False), name
    problems: list[str] = []

    def check(key: str, declared: str | None, observed: list[tuple[int, int]], finder: str | None, table: str) -> None:
        if declared is None or parse(declared) != observed:
            what = "has no row" if declared is None else f"answers {render(observed)!r}, declared {declared!r}"
            problems.append(f"{key} {what}: in {WHERE}, {table}: {key!r}: ({finder!r}, {render(observed)!r}),")

    for name in site_pages():
        row = matrix.WEB.get(name)
        finder = row[0] if row else None
        if row is None:
            problems.append(f"{name} has no row: declare it in {WHERE}, WEB (its objects, then one code per role)")
            continue
        get = observe(clients, "GET", finder, lambda kwargs, name=name: reverse(name, kwargs=kwargs), finders)
        check(name, row[1], get, finder, "WEB")
        if any(405 in pair for pair in get) or len(row) == 3:
            post = observe(clients, "POST", finder, lambda kwargs, name=name: reverse(name, kwargs=kwargs), finders)
            declared_post = row[2] if len(row) == 3 else None  # type: ignore[misc]
            if declared_post is None or parse(declared_post) != post:
                problems.append(
                    f"{name} (POST) answers {render(post)!r}, declared {declared_post!r}: in {WHERE}, WEB, "
                    f"third element of {name!r}"
                )
    stale = set(matrix.WEB) - set(site_pages())
    problems += [f"{name}: a row of WEB for a page that does not exist any more" for name in sorted(stale)]

    endpoints = api_endpoints(clients["admin"])
    for key in endpoints:
        api_row = matrix.API.get(key)
        if api_row is None:
            problems.append(f"{key} has no row: declare it in {WHERE}, API (its objects, then one code per role)")
            continue
        method, path = key.split(" ", 1)
        observed = observe(clients, method, api_row[0], lambda kwargs, path=path: api_address(path, kwargs), finders)
        check(key, api_row[1], observed, api_row[0], "API")
    problems += [
        f"{key}: a row of API for an endpoint not in the schema" for key in sorted(set(matrix.API) - set(endpoints))
    ]

    assert not problems, "\n".join(problems)


# Answered on every scope by design: a collectivité's public page, and applying to an open call
# (every opérateur may apply to any open call for projects).
OPEN_TO_EVERY_SCOPE = {"web:territory_detail", "web:call_apply"}
SCOPED_ROLES = ("agent", "operator", "instructor", "prefect")


def test_no_scoped_role_is_declared_a_success_on_another_scopes_object() -> None:
    """The table itself cannot bless a leak: on a scoped row, the agent, the opérateur, the
    instructeur and the préfet never succeed (2xx, or a redirect after a write) on the other
    scope's object — the test above proves the table, this one reads it (no request)."""
    finders = matrix._finders()
    leaks = []
    for key, row in [*matrix.WEB.items(), *matrix.API.items()]:
        finder = row[0]
        if finder is None or not finders[finder][0] or key in OPEN_TO_EVERY_SCOPE:
            continue
        for codes in row[1:]:
            for role, (_own, other) in zip(matrix.ROLES, parse(codes), strict=True):
                if role in SCOPED_ROLES and 200 <= other < 400:
                    leaks.append(f"{key} ({finder}): {role} answers {other} on the other scope")
    assert not leaks, "\n".join(leaks)
