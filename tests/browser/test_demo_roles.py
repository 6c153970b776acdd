"""Journeys through the demo in a real browser: the public pages, each demo role, the collectivité picker.

Each page visited passes the checks of ``conftest.Visitor`` (status, JavaScript errors, Content Security
Policy, axe-core) and leaves a screenshot in ``build/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.enums import Role
from demo.accounts import DEMO_ACCOUNTS, DEMO_OPERATOR, DEMO_PASSWORD, DemoAccount

pytestmark = pytest.mark.browser

ADMIN = next(account for account in DEMO_ACCOUNTS if account.role == Role.ADMIN)
DEPARTMENT_NAMES = {"38": "Isère", "69": "Rhône", "63": "Puy-de-Dôme", "44": "Loire-Atlantique", "21": "Côte-d'Or"}
AUTHORITY_NAMES = {
    "epci:200040715": "Grenoble-Alpes-Métropole",
    "epci:200046977": "Métropole de Lyon",
    "epci:242100410": "Dijon Métropole",
    "commune:38563": "Voiron",
    "commune:63113": "Clermont-Ferrand",
    "commune:44036": "Châteaubriant",
}


def expected_heading(account: DemoAccount) -> str:
    """The dashboard heading of the account's role, e.g. "Instructeur — Isère (38)"."""
    role = Role(account.role).label
    if account.scope == "national":
        return f"{role} — National"
    if account.scope == "operator":
        return f"{role} — {DEMO_OPERATOR['name']}"
    level, code = account.scope.split(":")
    if level == "dep":
        return f"{role} — {DEPARTMENT_NAMES[code]} ({code})"
    return f"{role} — {AUTHORITY_NAMES[account.scope]}"


def log_in(page: Page, account: DemoAccount) -> None:
    page.get_by_label("Adresse électronique").fill(account.address)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))


def test_public_pages(make_visitor: Any) -> None:
    visitor = make_visitor("anonyme")
    page = visitor.page
    visitor.visit("/")
    expect(page).to_have_title(re.compile("Territoires d'intégration"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Territoires d'intégration")
    expect(page.get_by_role("heading", name=re.compile(r"^Les CTAI"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Les PTAI"))).to_be_visible()
    expect(page.locator("section#contacts").get_by_role("heading", name="Contacts", exact=True)).to_be_visible()

    visitor.visit("/connexion/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Connexion")
    expect(page.get_by_label("Adresse électronique")).to_be_visible()
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    visitor.assert_clean()


# The first account of each role walks every page of its menu with axe-core and screenshots; the
# others (the same pages for another département or collectivité, whose answers in every scope the
# permission matrix proves) log in, see their scope's heading, their département's page, and log out.
FIRST_OF_ROLE = {account.role: account for account in reversed(DEMO_ACCOUNTS)}


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[account.email for account in DEMO_ACCOUNTS])
def test_role_journey(make_visitor: Any, account: DemoAccount) -> None:
    visitor = make_visitor(account.email)
    page = visitor.page
    full = FIRST_OF_ROLE[account.role] == account
    visitor.goto("/connexion/")
    log_in(page, account)
    heading = expected_heading(account)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    visitor.check(axe=full, screenshot=full)

    links = page.locator("nav#fr-navigation a")
    hrefs = [href for href in links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))") if href]
    assert "/tableau-de-bord/" in hrefs, f"No dashboard link in the navigation: {hrefs}"
    for href in hrefs if full else []:
        if href != "/tableau-de-bord/":
            visitor.goto(href)
            visitor.check(axe=full, screenshot=full)
            expect(page.locator("nav#fr-navigation a[aria-current='page']")).to_have_attribute("href", href)

    if account.scope.startswith("dep:"):
        # The department the account works on, as linked from its dashboard.
        visitor.goto(f"/departements/{account.scope.split(':')[1]}/")
        visitor.check(axe=full, screenshot=full)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(f"{visitor.base_url}/")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    response = visitor.goto("/tableau-de-bord/")
    assert response.request.redirected_from is not None, "/tableau-de-bord/ did not redirect once logged out"
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/tableau-de-bord/$"))
    visitor.assert_clean()


def test_invitation_with_collectivite_picker(make_visitor: Any) -> None:
    visitor = make_visitor(ADMIN.email)
    page = visitor.page
    visitor.goto("/connexion/")
    log_in(page, ADMIN)

    visitor.goto("/invitations/nouvelle/")
    page.get_by_role("searchbox", name=re.compile(r"^Collectivité")).fill("clermont ferrand")
    choice = page.get_by_role("radio", name=re.compile("Clermont-Ferrand"))
    expect(choice).to_have_count(1)
    visitor.check("invitation-choix-collectivite")
    # DSFR draws the radio on its label, which takes the click, as a user's would.
    page.locator("label").filter(has_text="Clermont-Ferrand").click()
    expect(choice).to_be_checked()
    page.get_by_label("Adresse électronique").fill("nouvel.agent@example.org")
    page.get_by_role("combobox", name=re.compile(r"^Rôle")).select_option(label="Agent de collectivité")
    page.get_by_role("button", name="Envoyer l'invitation").click()

    expect(page).to_have_url(re.compile(r"/invitations/$"))
    expect(page.get_by_text("Invitation envoyée à nouvel.agent@example.org")).to_be_visible()
    expect(page.get_by_role("cell", name="nouvel.agent@example.org", exact=True)).to_be_visible()
    visitor.check("invitation-envoyee")


def test_search_without_javascript(make_visitor: Any) -> None:
    visitor = make_visitor("admin-sans-javascript", javascript=False)
    page = visitor.page
    visitor.goto("/connexion/")
    log_in(page, ADMIN)
    visitor.visit("/collectivites/?q=63113")
    expect(page.get_by_role("link", name="Clermont-Ferrand", exact=True)).to_be_visible()
