"""Issue 10, « tables that fit »: the lists (PTAI, CTAI, ledger), a file page and a dashboard stay
readable at 1280 px and on a phone (390 px): the page itself never scrolls sideways — a wide table
scrolls inside its DSFR wrapper, no column is cut — and the export buttons say what they export.
Screenshots of each page at both widths land in build/screenshots/ (« <role>-<largeur>-<page>.png »).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from demo.accounts import DEMO_ACCOUNTS
from tests.browser.test_demo_roles import log_in

pytestmark = pytest.mark.browser

WIDTHS = {"ordinateur": 1280, "telephone": 390}
PAGES = {
    Role.INSTRUCTOR: ["/tableau-de-bord/", "/ptai/", "/ctai/"],
    Role.MINISTRY: ["/tableau-de-bord/", "/ptai/", "/budget/"],
    Role.AGENT: ["/tableau-de-bord/", "/ptai/"],
}


def _account(role: str) -> Any:
    return next(account for account in DEMO_ACCOUNTS if account.role == role)


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the screen (0: nothing hidden sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: str(role))
def test_lists_file_and_dashboard_fit_a_computer_and_a_phone(make_visitor: Any, role: str) -> None:
    account = _account(role)
    visitor = make_visitor(account.address.split("@")[0])
    page = visitor.page
    visitor.goto("/connexion/")
    log_in(page, account)
    visitor.goto("/ptai/")
    first_file = page.locator("table a[href^='/ptai/']").first
    file_path = first_file.get_attribute("href")
    assert file_path is not None and re.match(r"^/ptai/\d+/$", file_path)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for path in [*PAGES[role], file_path]:
            visitor.goto(path)
            assert _overflow(page) <= 1, f"{path} at {width} px is wider than the screen"
            visitor.check(f"{label}-{path.strip('/').replace('/', '-') or 'accueil'}", axe=width == 1280)
    visitor.goto("/ptai/")
    expect(page.get_by_role("link", name=re.compile(r"Exporter en CSV"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Exporter en Excel"))).to_be_visible()
