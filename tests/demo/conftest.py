"""One seed of the demo for every test of this package (`seed_demo` takes half a minute): seeded
twice inside a transaction rolled back when the package's tests are done, so the tests read the
first run's summary, the second run's ("déjà présents"), and the number of rows of every model
between the two runs. Each test runs in its own savepoint: what it writes goes away after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.demo.seeding import every_count, seed


@pytest.fixture(scope="package")
def seeded(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    from django.db import transaction

    tokens_file = tmp_path_factory.mktemp("demo") / "tokens.json"
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            first = seed(tokens_file)
            first_tokens = tokens_file.read_text()
            counts = every_count()
            second = seed(tokens_file)
            yield {
                "first": first,
                "second": second,
                "counts": counts,
                "tokens_file": tokens_file,
                "first_tokens": first_tokens,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def db_access(seeded: dict[str, Any], django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        yield seeded
