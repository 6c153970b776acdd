"""The demo seeded once for this package and tests/public (tests/demo/shared.py): seeded twice
inside a transaction rolled back after the last test that uses it, so the tests read the first
run's summary, the second run's ("déjà présents"), and the number of rows of every model between
the two runs. Each test runs in its own savepoint: what it writes goes away after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="package")
def seeded(shared_demo: Any, django_db_blocker: Any, tmp_path_factory: Any) -> dict[str, Any]:
    return shared_demo(django_db_blocker, tmp_path_factory)


@pytest.fixture
def db_access(seeded: dict[str, Any], django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        yield seeded
