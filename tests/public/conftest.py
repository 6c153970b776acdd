"""The demo, seeded once per module and rolled back after it: the public side is tested on it."""

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tokens = Path(tmp_path_factory.mktemp("tokens")) / "tokens.json"
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", tokens_file=tokens, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
