"""Issue 10, « What the screen shows »: every page of the demo, as every role (and a visitor), in plain
French — no rule identifier (`ptai.domains.mandatory`), no code (`reason_required`, `planned_bpi`),
no raw data (`['…']`, `interne : False`, `taille : 303`), no server error, and no link that leads its
reader to a refusal.

The walk follows the links each page offers, from the home page, the way a user clicks: every kind
of page (each URL name) is read on up to two of its objects. The Django administration and the API
are left out: they are technical doors (the API keeps its rule ids by design).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User
from demo.accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db

# One account per role (the first the demo lists), and the CTAI agent of Lyon.
WALKERS = list(dict.fromkeys([*(a.address for a in {a.role: a for a in reversed(DEMO_ACCOUNTS)}.values())]))
WALKERS.append("agent.lyon@demo.territoires-integration.fr")

SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/deconnexion/", "/__")
PER_URL_NAME = 2
MAX_PAGES = 400

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
STATE_ROLES = {"instructor", "prefect", "diair", "ministry", "admin"}

# What must never reach a screen.
FORBIDDEN = [
    ("a rule id", re.compile(r"\b(?:ptai|ctai|programming)\.[a-z_]+(?:\.[a-z_]+)*\b")),
    ("a code", re.compile(r"\b[a-z]+_[a-z_]+\b")),
    ("a Python list or dict", re.compile(r"\[\s*'|'\s*\]|\{\s*'")),
    ("a raw boolean", re.compile(r"(?::\s*|\b=)(?:True|False|None)\b")),
    ("a raw detail", re.compile(r"\b(?:interne|taille|nature|document|message)\s*:\s*\S")),
]


class _Visible(HTMLParser):
    """The text a reader sees (scripts, styles and templates left out) and the links of the page."""

    HIDDEN = {"script", "style", "template", "noscript"}
    # A State-only technical detail (a rule id for the API's users, on the campaign page).
    TECHNICAL = "code"

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.technical = 0
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN or (tag == self.TECHNICAL and "data-technical" in dict(attrs)):
            self.depth += 1
            self.technical += tag == self.TECHNICAL
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if (tag in self.HIDDEN or tag == self.TECHNICAL) and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)

    @property
    def text(self) -> str:
        """Visible text, e-mail addresses aside (« coordination-ctai.lyon@… » is no rule id)."""
        return EMAIL.sub("(adresse)", " ".join(" ".join(self.parts).split()))


def _read(html: str) -> _Visible:
    page = _Visible()
    page.feed(html)
    page.close()
    return page


def _url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def walk(client: Client, *, technical_allowed: bool) -> tuple[int, list[str]]:
    """Visit what `client` can reach by clicking; return the number of pages read and the problems."""
    problems: list[str] = []
    seen_paths: set[str] = set()
    per_name: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([("/", "(départ)")])
    pages = 0
    while queue and pages < MAX_PAGES:
        path, came_from = queue.popleft()
        path = urlsplit(path).path  # a sort or a page of a list is the same page
        if path in seen_paths or path.startswith(SKIPPED_PREFIXES):
            continue
        seen_paths.add(path)
        name = _url_name(path)
        if name is None:
            problems.append(f"{path} (lien de {came_from}) : adresse inconnue")
            continue
        if per_name.get(name, 0) >= PER_URL_NAME:
            continue
        per_name[name] = per_name.get(name, 0) + 1
        response: Any = client.get(path)
        pages += 1
        if getattr(response, "streaming", False):
            # A download (a file, an export): read to its end through the test client's wrapper,
            # which closes it without closing the database connection (request_finished).
            b"".join(response.streaming_content)
            continue
        if not isinstance(response, HttpResponse) or response.get("Content-Disposition"):
            continue
        if response.status_code >= 500:
            problems.append(f"{path} : erreur {response.status_code}")
            continue
        if response.status_code in (403, 404):
            problems.append(f"{path} (lien de {came_from}) : {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _read(response.content.decode())
        if page.technical and not technical_allowed:
            problems.append(f"{path} : un détail technique réservé aux services de l'État")
        for what, pattern in FORBIDDEN:
            for found in pattern.finditer(page.text):
                context = page.text[max(0, found.start() - 60) : found.end() + 60]
                problems.append(f"{path} : {what} « {found.group(0)} » dans « {context} »")
                break
        queue.extend((link, path) for link in page.links)
    return pages, problems


@pytest.mark.parametrize("address", [None, *WALKERS], ids=lambda a: a.split("@")[0] if a else "visiteur")
def test_every_demo_page_speaks_plain_french(db_access: dict[str, Any], address: str | None) -> None:
    client = Client()
    state = False
    if address is not None:
        user = User.objects.get(email=address)
        client.force_login(user)
        state = any(m.role in STATE_ROLES for m in user.active_memberships)
    pages, problems = walk(client, technical_allowed=state)
    assert pages >= (3 if address is None else 5), f"only {pages} page(s) reached"
    assert not problems, "\n".join(problems)
