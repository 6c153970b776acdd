"""Guard-rails for every test: no outbound network, the real referential loaded once.

- Undefined template variables raise (config/settings/test.py) and warnings are errors
  (pyproject.toml, filterwarnings).
- Any socket connection to a host that is not this machine fails the test.
- The 2026 referential is imported once per session into the test database; each test runs
  in a transaction rolled back at its end, so the referential stays for the next one.
"""

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest


class OutboundNetworkForbidden(ConnectionRefusedError):
    """Raised by any connection to a non-local address during tests (an OSError, so sockets get closed)."""


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if not isinstance(address, tuple):  # Unix socket path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise OutboundNetworkForbidden(f"Outbound network access is forbidden in tests: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise OutboundNetworkForbidden(f"Outbound network access is forbidden in tests: {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_outbound_network() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any, request: pytest.FixtureRequest) -> None:
    from referential.importer import import_snapshot

    with django_db_blocker.unblock():
        import_snapshot()
        if any(item.get_closest_marker("browser") for item in request.session.items):
            # The browser tests' demo database: a copy of this one, seeded in the background now,
            # ready when they run (last). tests/browser/demo_database.py
            from tests.browser.demo_database import start

            start()


@pytest.fixture(scope="session")
def shared_demo(django_db_setup: None) -> Any:
    """``shared_demo(django_db_blocker, tmp_path_factory)``: the demo seeded once for every test that
    asks for it (tests/demo, tests/public), rolled back after the last one (tests/demo/shared.py)."""
    from tests.demo.shared import SHARED_DEMO

    tokens: list[Any] = []

    def ensure(django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
        if not tokens:
            tokens.append(tmp_path_factory.mktemp("demo") / "tokens.json")
        return SHARED_DEMO.ensure(django_db_blocker, tokens[0])

    return ensure


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """The shared demo is rolled back as soon as the next test does not use it."""
    try:
        return (yield)
    finally:
        if "shared_demo" in getattr(item, "fixturenames", ()) and (
            nextitem is None or "shared_demo" not in getattr(nextitem, "fixturenames", ())
        ):
            from tests.demo.shared import SHARED_DEMO

            SHARED_DEMO.release()


@pytest.hookimpl(trylast=True)  # after pytest-django's order (database tests first)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests on the shared demo one after the other (one seed for them all), then the browser
    tests last: Playwright's sync API keeps an event loop running in this thread for the rest of
    the session, and Django then refuses database calls from "async" code."""

    def group(item: pytest.Item) -> int:
        if item.get_closest_marker("browser") is not None:
            return 2
        return 1 if "shared_demo" in getattr(item, "fixturenames", ()) else 0

    items.sort(key=group)


@pytest.fixture(autouse=True)
def _tasks_must_not_fail(request: pytest.FixtureRequest) -> Iterator[None]:
    """A task that fails (a letter not generated, an e-mail not sent) fails the test that enqueued it:
    the tasks run at once in tests (ImmediateBackend), which records a failure without raising.
    A test marked `task_failure_expected` breaks a task on purpose and checks the failure itself."""
    from django.tasks.base import TaskResultStatus
    from django.tasks.signals import task_finished

    failures: list[str] = []

    def _record(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if task_result.status == TaskResultStatus.FAILED:
            failures.append("\n".join(error.traceback for error in task_result.errors))

    task_finished.connect(_record, weak=False)
    yield
    task_finished.disconnect(_record)
    if request.node.get_closest_marker("task_failure_expected"):
        return
    assert not failures, "a task failed:\n" + "\n".join(failures)
