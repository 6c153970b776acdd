"""Issue 15, in Chromium: ProConnect log-in through the local OpenID provider (oidc-provider-mock,
started by tests/browser/conftest.py; the demo server's PROCONNECT_* point at it).

A préfecture agent invited beforehand clicks « S'identifier avec ProConnect », authorises at the
provider, and lands on the instructeur's home; an unknown e-mail comes back to the log-in page with
a French refusal and no account."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

INVITED = "claire.martin@isere.gouv.fr"


def _authorise_at_the_provider(page: Page, provider: str, sub: str, claims: dict[str, str]) -> None:
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()
    # The provider's page styles itself from a CDN: served empty here (no outbound network).
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.fulfill(status=200, content_type="text/css", body=""))
    page.get_by_role("link", name="ProConnect").first.click()
    page.wait_for_url(f"{provider}/oauth2/authorize**")
    page.locator("#subject-input").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()


def test_an_invited_prefecture_agent_logs_in_with_proconnect_and_lands_on_the_instructeurs_home(
    make_visitor: Any, demo_shell: Any, oidc_provider: str
) -> None:
    demo_shell(
        "from accounts.enums import Role; from accounts.models import User; from accounts.services import invite;"
        "from referential.models import Department;"
        "prefect = User.objects.get(email='prefet.isere@demo.territoires-integration.fr');"
        f"invite(actor=prefect, email='{INVITED}', role=Role.INSTRUCTOR, department=Department.objects.get(code='38'))"
    )
    visitor = make_visitor("proconnect")
    visitor.visit("/connexion/")
    _authorise_at_the_provider(
        visitor.page,
        oidc_provider,
        "proconnect-claire",
        {"email": INVITED, "given_name": "Claire", "usual_name": "Martin", "siret": "17380001900013"},
    )
    visitor.page.wait_for_url(f"{visitor.base_url}/tableau-de-bord/")
    expect(visitor.page.get_by_text("Instructeur").first).to_be_visible()
    expect(visitor.page.get_by_text("Isère").first).to_be_visible()
    visitor.check("tableau-de-bord-instructeur")


def test_an_unknown_email_is_refused_in_french(make_visitor: Any, oidc_provider: str) -> None:
    visitor = make_visitor("proconnect-inconnu")
    visitor.visit("/connexion/")
    _authorise_at_the_provider(
        visitor.page, oidc_provider, "inconnu", {"email": "inconnu@exemple.gouv.fr", "siret": "11000001000013"}
    )
    visitor.page.wait_for_url(f"{visitor.base_url}/connexion/**")
    expect(
        visitor.page.get_by_text("Aucun compte ni invitation ne correspond à l'adresse inconnu@exemple.gouv.fr")
    ).to_be_visible()
    visitor.check("connexion-refusee")
