"""Browser tests: a demo server of their own, driven by Debian's Chromium through Playwright.

The pytest-django test database is not used here (``live_server`` would flush the referential the
other tests rely on). The server runs on a separate database — ``<test database>_browser`` on
PostgreSQL, ``build/browser/db.sqlite3`` on SQLite — copied from the test database as soon as the
session has set it up and seeded with the demo in the background while the other tests run
(tests/browser/demo_database.py); ``runserver`` serves it (dev settings: static files served,
e-mails printed on the console).

Every page visited through :class:`Visitor` must answer below 400, raise no JavaScript error and no
Content Security Policy violation, and have no "serious" or "critical" axe-core violation; a
full-page screenshot of it lands in ``build/screenshots/``.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Response, sync_playwright

from tests.browser import demo_database

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
SCREENSHOTS = BUILD / "screenshots"
SERVER_START_TIMEOUT = 30.0
AXE_BLOCKING_IMPACTS = ("serious", "critical")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
CSP_MARKERS = ("Content Security Policy", "Refused to")


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the demo server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> None:
    failure = demo_database.manage(env, *args)
    if failure is not None:
        pytest.fail(failure, pytrace=False)


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"HTTP {error.code}"
            error.close()
        except OSError as error:
            last_error = str(error)
        time.sleep(0.2)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    state = f"exited with {server.returncode}" if server.returncode is not None else "still running"
    pytest.fail(
        f"The demo server at {base_url} did not answer 200 on /healthz within {SERVER_START_TIMEOUT:.0f} s "
        f"({state}; last: {last_error}). Server log:\n{log}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """A local OpenID provider (oidc-provider-mock) for the demo server's ProConnect, never a live service."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


_DEMO_ENV: dict[str, str] = {}


@pytest.fixture(scope="session")
def demo_server(oidc_provider: str) -> Iterator[str]:
    """Base URL of a runserver process on its own demo database — a copy of the test database with
    the demo seeded, prepared in the background since the test database was set up, or from empty
    in a session of browser tests alone (tests/browser/demo_database.py) — its ProConnect pointed
    at the local OpenID provider."""
    try:
        database_url = demo_database.wait()
    except AssertionError as error:
        pytest.fail(f"The browser tests' demo database could not be prepared: {error}", pytrace=False)
    env = demo_database.server_env(database_url)
    env.update(
        {
            "PROCONNECT_CLIENT_ID": "territoires-integration",
            "PROCONNECT_CLIENT_SECRET": "secret-de-test",
            "PROCONNECT_AUTHORIZATION_ENDPOINT": f"{oidc_provider}/oauth2/authorize",
            "PROCONNECT_TOKEN_ENDPOINT": f"{oidc_provider}/oauth2/token",
            "PROCONNECT_USERINFO_ENDPOINT": f"{oidc_provider}/userinfo",
            "PROCONNECT_JWKS_ENDPOINT": f"{oidc_provider}/jwks",
        }
    )
    _DEMO_ENV.update(env)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = BUILD / "browser" / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, server, log_path)
            yield base_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture
def demo_shell(demo_server: str) -> Any:
    """Runs Python code with `manage.py shell -c` on the demo server's database (to prepare a case)."""

    def run(code: str) -> None:
        _manage(_DEMO_ENV, "shell", "-c", code)

    return run


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed (no `chromium` on PATH): run `make browser-deps` "
            "(apt-get install chromium) before the browser tests.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return _axe_source()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def slugify_path(url: str) -> str:
    """`/departements/38/?page=2` → `departements-38-page-2`; the home page is `accueil`."""
    parts = urlsplit(url)
    text = f"{parts.path} {parts.query}".strip()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "accueil"


@dataclass
class Visitor:
    """A page plus the checks every visited page must pass."""

    page: Page
    base_url: str
    axe_source: str
    screenshots: Path
    name: str
    javascript: bool = True
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if any(marker in text for marker in CSP_MARKERS):
            self.problems.append(f"CSP violation on {self.page.url}: {text}")
        elif message.type == "error":
            self.problems.append(f"Console error on {self.page.url}: {text}")

    def _on_page_error(self, error: Error) -> None:
        self.problems.append(f"JavaScript error on {self.page.url}: {error.message}")

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def goto(self, path: str) -> Response:
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, f"No response for {path}"
        assert response.status < 400, f"{path} answered {response.status}"
        return response

    def assert_clean(self) -> None:
        """No JS error nor CSP violation so far."""
        assert not self.problems, "\n".join(self.problems)

    def check(self, slug: str | None = None, *, axe: bool = True, screenshot: bool = True) -> None:
        """The page as it is now: no JS/CSP problem, no serious axe violation, a screenshot."""
        if axe and self.javascript:  # axe-core runs in the page: not without JavaScript
            self.assert_axe_clean()
        if screenshot:
            name = f"{self.name}-{slug or slugify_path(self.page.url)}.png"
            self.page.screenshot(path=self.screenshots / name, full_page=True)
        self.assert_clean()

    def visit(self, path: str, slug: str | None = None) -> Response:
        response = self.goto(path)
        self.check(slug)
        return response

    def assert_axe_clean(self) -> None:
        # `page.evaluate` is not subject to the page's CSP (an injected <script> would be refused).
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(self.axe_source)
        violations: list[dict[str, Any]] = self.page.evaluate(
            """async () => {
                const results = await axe.run(document, {resultTypes: ["violations"]});
                return results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200)})),
                }));
            }"""
        )
        blocking = [v for v in violations if v["impact"] in AXE_BLOCKING_IMPACTS]
        if blocking:
            lines = [f"axe-core violations on {self.page.url}:"]
            for violation in blocking:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
                lines.extend(f"    {node['target']}  {node['html']}" for node in violation["nodes"][:10])
            pytest.fail("\n".join(lines), pytrace=False)


def _new_context(browser: Browser, base_url: str, *, javascript: bool = True) -> BrowserContext:
    browser_context = browser.new_context(
        base_url=base_url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 800},
        java_script_enabled=javascript,
    )
    browser_context.set_default_timeout(10_000)
    return browser_context


@pytest.fixture
def make_visitor(demo_server: str, chromium: Browser, axe_source: str, screenshots_dir: Path) -> Iterator[Any]:
    """``make_visitor(name, javascript=True)``: a page in a fresh browser context (cookies, storage)."""
    contexts: list[BrowserContext] = []

    def make(name: str, *, javascript: bool = True) -> Visitor:
        browser_context = _new_context(chromium, demo_server, javascript=javascript)
        contexts.append(browser_context)
        return Visitor(browser_context.new_page(), demo_server, axe_source, screenshots_dir, name, javascript)

    yield make
    for browser_context in contexts:
        browser_context.close()
