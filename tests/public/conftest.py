"""The public side is tested on the demo seeded once for tests/demo and this package
(tests/demo/shared.py), rolled back after the last test that uses it."""

from typing import Any

import pytest


@pytest.fixture(scope="module")
def demo(shared_demo: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(shared_demo(django_db_blocker, tmp_path_factory)["first"])
