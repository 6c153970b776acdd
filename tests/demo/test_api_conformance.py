"""Issue 13, « no conformance failure »: schemathesis generates requests from the OpenAPI document
and sends them to the API (the Django WSGI app, on the demo seed) with the tokens of the demo's
roles: no server error, and every answer conforms — status code documented, content type, body
matching its schema. A short run in `make test`; a long one marked `fuzz` (`make fuzz`).

- `make test`: the document's own examples and `SHORT_EXAMPLES` generated requests per operation,
  each as one role in turn (≈ 4 requests an operation): a few seconds past the seed.
- `make fuzz`: schemathesis's coverage phase too (every operation's boundaries and invalid inputs,
  ≈ 50 requests an operation, deterministic) and `API_CONFORMANCE_EXAMPLES` generated requests per
  operation (default 200), each sent as every role: tens of thousands of requests.

Both share one WSGI client and the package's one demo seed; each operation runs in its savepoint
(nothing is set up per example)."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from werkzeug.test import Client as WsgiClient

pytestmark = pytest.mark.django_db

ROLES = ("agent", "instructor", "ministry")
# A few generated examples per operation in `make test`, each as one role in turn (a few seconds on
# SQLite for the 70 operations, the seed apart); `make fuzz` runs the coverage phase and many more
# (API_CONFORMANCE_EXAMPLES, default 200, each as every role).
SHORT_EXAMPLES = 3
TAKE_TURNS = itertools.cycle(ROLES)
LONG_EXAMPLES = int(os.environ.get("API_CONFORMANCE_EXAMPLES", "200"))


def _document() -> dict[str, Any]:
    """The document `/api/v1/schema/` serves, as JSON types (dates and decimals as strings)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded: dict[str, Any] = json.loads(OpenApiJsonRenderer().render(document))
    return loaded


APP = get_wsgi_application()
DOCUMENT = _document()
# `make fuzz`: every phase (the document's examples, the coverage phase's boundaries and invalid
# inputs, generated requests). `make test`: without the coverage phase (≈ 50 requests an operation).
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = APP
short_schema = schemathesis.openapi.from_dict(
    DOCUMENT, config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
)
short_schema.app = APP
CLIENT = WsgiClient(APP)  # one client for every request (no cookies: the API authenticates by token)
# Conformance (issue 13): no server error; status codes, content types, headers and bodies as the
# document says; an undeclared method refused with 405. Not `positive_data_acceptance`: a request
# can fit the document and still be refused by the programme's rules (400 with the rule ids).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.unsupported_method,
]


_TOKENS: dict[str, dict[str, str]] = {}


def _tokens(seeded: dict[str, Any]) -> dict[str, str]:
    """The demo's token of each role, read once from the seed's file."""
    path = str(seeded["tokens_file"])
    if path not in _TOKENS:
        found: dict[str, str] = {}
        for entry in json.loads(seeded["tokens_file"].read_text()):
            found.setdefault(entry["role"], entry["token"])
        _TOKENS[path] = found
    return _TOKENS[path]


@pytest.fixture(autouse=True)
def _connection_kept_between_requests() -> Iterator[None]:
    """As Django's test client does: a finished request must not close the test's connection
    (inside the test's transaction, `close_old_connections` would, on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _check(case: Any, seeded: dict[str, Any], roles: Iterable[str]) -> None:
    from django.core.cache import cache

    cache.clear()  # the throttles count in the cache: the run is not a flood to refuse
    tokens = _tokens(seeded)
    for role in roles:
        case.call_and_validate(
            base_url="http://testserver",
            headers={"Authorization": f"Token {tokens[role]}"},
            checks=CHECKS,
            session=CLIENT,
        )


def _settings(examples: int) -> Any:
    """Deterministic; no example database (nothing to replay, nothing written to disk); shrinking
    only when a check fails."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )


@short_schema.parametrize()
@_settings(SHORT_EXAMPLES)
def test_the_api_conforms_to_its_schema(case: Any, db_access: dict[str, Any]) -> None:
    _check(case, db_access, [next(TAKE_TURNS)])  # each example as one of the roles, in turn


@pytest.mark.fuzz
@schema.parametrize()
@_settings(LONG_EXAMPLES)
def test_the_api_conforms_to_its_schema_long_run(case: Any, db_access: dict[str, Any]) -> None:
    _check(case, db_access, ROLES)  # each example as every role
