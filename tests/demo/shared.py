"""One seed of the demo shared by tests/demo and tests/public (`seed_demo` takes half a minute).

The demo is seeded twice inside a transaction on the test database — the tests read the first
run's summary, the second run's ("déjà présents") and the number of rows of every model between the
two runs — and the transaction is rolled back right after the last test that uses it (the root
conftest runs those tests one after the other, after the others, and closes it through
:func:`release`). Each test runs in its own savepoint inside it: what a test writes goes away after
it. A test that asks for the demo after the release gets a fresh seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.demo.seeding import every_count, seed


class SharedDemo:
    def __init__(self) -> None:
        self._atomic: Any = None
        self._blocker: Any = None
        self.data: dict[str, Any] | None = None

    def ensure(self, django_db_blocker: Any, tokens_file: Path) -> dict[str, Any]:
        if self.data is not None:
            return self.data
        from django.db import transaction

        with django_db_blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self._blocker = django_db_blocker
            first = seed(tokens_file)
            first_tokens = tokens_file.read_text()
            counts = every_count()
            second = seed(tokens_file)
        self.data = {
            "first": first,
            "second": second,
            "counts": counts,
            "tokens_file": tokens_file,
            "first_tokens": first_tokens,
        }
        return self.data

    def release(self) -> None:
        """Rolls the demo back (no-op when it is not seeded)."""
        if self._atomic is None:
            return
        from django.db import transaction

        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = self._blocker = self.data = None


SHARED_DEMO = SharedDemo()
