"""The browser tests' demo database, prepared while the rest of the suite runs.

As soon as the session has set the test database up (migrated, 2026 referential imported: the root
conftest's ``django_db_setup``) and the session holds browser tests, :func:`start` copies it —
``CREATE DATABASE <test database>_browser TEMPLATE <test database>`` on PostgreSQL (no other session
may be connected to the template: Django's are closed first, no test has run yet), a backup of the
in-memory test database into ``build/browser/db.sqlite3`` on SQLite — and runs ``seed_demo`` on the
copy in a background thread, on the machine's other core. The demo server's fixture only waits for
it (:func:`wait`): in a whole run the seed is ready long before the browser tests, which run last.

If the copy is refused, the database is created empty and prepared the way ``make demo`` does
(migrate, import_referential, seed_demo), still in the background. Every step, its duration and
whether the copy was taken go to ``build/browser/setup.log``.

Plain Python and Django only (no Playwright): the root conftest imports it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
SQLITE_PATH = BUILD / "browser" / "db.sqlite3"
SETUP_LOG = BUILD / "browser" / "setup.log"
COMMAND_TIMEOUT = 300.0


def log(message: str) -> None:
    SETUP_LOG.parent.mkdir(parents=True, exist_ok=True)
    with SETUP_LOG.open("a", encoding="utf-8") as setup_log:
        setup_log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [pid {os.getpid()}] {message}\n")


def server_env(database_url: str) -> dict[str, str]:
    """The environment of every `manage.py` run on the demo database, and of the demo server."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "PYTHONWARNINGS")}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings.browser", "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    )
    # Deliberate: the journeys log demo State accounts in with their password alone; the second
    # factor's own flow is proven by tests/web/test_second_factor.py (docs/SECURITY.md).
    env["SECOND_FACTOR_REQUIRED"] = "0"
    return env


def manage(env: dict[str, str], *args: str) -> str | None:
    """Runs `manage.py <args>`; None when it succeeded, else what it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if result.returncode == 0:
        return None
    return f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"


@dataclass
class Preparation:
    database_url: str
    copied: bool
    thread: threading.Thread | None = None
    error: str | None = None
    steps: list[str] = field(default_factory=list)

    def run(self) -> None:
        env = server_env(self.database_url)
        commands = (
            [("seed_demo",)] if self.copied else [("migrate", "--no-input"), ("import_referential",), ("seed_demo",)]
        )
        for command in commands:
            started = time.monotonic()
            self.error = manage(env, *command)
            log(f"{' '.join(command)}: {time.monotonic() - started:.1f} s{' (failed)' if self.error else ''}")
            if self.error:
                return


_PREPARATION: Preparation | None = None


def _copy_postgresql(settings: dict[str, object], *, copy: bool) -> tuple[str, bool]:
    import psycopg
    from psycopg import sql

    template = str(settings["NAME"])
    # Next to this session's own test database (`test_<name of DATABASE_URL>`): never another run's.
    name = f"{template if template.startswith('test_') else f'test_{template}'}_browser"
    copied = False
    with psycopg.connect(
        host=str(settings.get("HOST") or "127.0.0.1"),
        port=int(settings.get("PORT") or 5432),  # type: ignore[call-overload]
        user=str(settings.get("USER") or "postgres"),
        password=str(settings.get("PASSWORD") or "") or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        try:
            if copy:
                connection.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
                )
                copied = True
        except psycopg.Error as error:
            others = connection.execute(
                "SELECT pid, application_name, state FROM pg_stat_activity WHERE datname = %s", [template]
            ).fetchall()
            log(f"copy of {template} refused ({error}); its sessions: {others}")
        if not copied:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    user = str(settings.get("USER") or "postgres")
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}", copied


def _copy_sqlite(*, copy: bool) -> tuple[str, bool]:
    from django.db import connection

    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (
        SQLITE_PATH,
        SQLITE_PATH.with_name(SQLITE_PATH.name + "-wal"),
        SQLITE_PATH.with_name(SQLITE_PATH.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)
    if not copy:
        return f"sqlite:///{SQLITE_PATH}", False
    connection.ensure_connection()
    target = sqlite3.connect(SQLITE_PATH)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{SQLITE_PATH}", True


def start(*, copy: bool = True) -> None:
    """Copies the test database just set up (`copy`; else starts from an empty database) and
    prepares the demo on it in the background (once per session)."""
    global _PREPARATION
    if _PREPARATION is not None:
        return
    from django.db import connection, connections

    started = time.monotonic()
    if connection.vendor == "postgresql":
        if copy:
            connections.close_all()  # a template must have no session
        database_url, copied = _copy_postgresql(connection.settings_dict, copy=copy)
    else:
        database_url, copied = _copy_sqlite(copy=copy)
    what = "copy of the test database" if copied else "empty database" + (" (copy refused)" if copy else "")
    log(f"{what} {database_url}: {time.monotonic() - started:.1f} s")
    _PREPARATION = Preparation(database_url, copied)
    _PREPARATION.thread = threading.Thread(target=_PREPARATION.run, name="browser-demo-database", daemon=True)
    _PREPARATION.thread.start()


def wait() -> str:
    """The demo database's URL once seeded; AssertionError with the command's output if it failed.
    In a session of browser tests alone (no test database set up), prepared now from empty."""
    if _PREPARATION is None:
        start(copy=False)
    assert _PREPARATION is not None and _PREPARATION.thread is not None
    started = time.monotonic()
    _PREPARATION.thread.join()
    log(f"the browser tests waited {time.monotonic() - started:.1f} s for the demo database")
    assert _PREPARATION.error is None, _PREPARATION.error
    return _PREPARATION.database_url
