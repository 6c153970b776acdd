"""The public side in Chromium (issue 13): every public page passes axe-core (no serious or critical
violation), no CSP violation (the map's components load from the site only), and the eligibility
helper answers the issue's eight cases with their reason (F02, F04-F06)."""

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/comment-signer-un-ctai/",
    "/comment-financer-un-ptai/",
    "/territoires/",
    "/actions-financees/",
    "/actions-financees/?q=logement",
    "/contacts/?q=38000",
    "/eligibilite/",
    "/demander-un-compte/",
    "/donnees-ouvertes/",
]


def test_every_public_page_is_accessible_and_loads_nothing_from_elsewhere(make_visitor: Any) -> None:
    visitor = make_visitor("public")
    page = visitor.page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path in PUBLIC_PAGES:
        visitor.visit(path)
    visitor.goto("/territoires/")
    expect(page.locator("map-chart")).to_be_attached()
    expect(page.get_by_role("table").first).to_contain_text("Isère (38)")
    # A collectivité's page and an action's page, reached by their links.
    page.get_by_role("link", name="Poitiers", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Poitiers")
    visitor.check("collectivite")
    visitor.goto("/actions-financees/")
    page.get_by_role("table").get_by_role("link").first.click()
    visitor.check("action")
    outside = [url for url in requests if not url.startswith(visitor.base_url)]
    assert outside == []


CASES = [
    ({"nationality": "third_country", "protection": "refugee"}, "bpi", "F06"),
    ({"nationality": "third_country", "protection": "subsidiary"}, "bpi", "F06"),
    (
        {"nationality": "third_country", "situation": "permit", "permit_reason": "family", "years_ago": 2},
        "newcomer",
        "F04",
    ),
    ({"nationality": "third_country", "situation": "permit", "permit_reason": "student"}, "neither", "F05"),
    ({"nationality": "third_country", "situation": "asylum_seeker"}, "neither", "F05"),
    ({"nationality": "european"}, "neither", "F04"),
    (
        {"nationality": "third_country", "situation": "permit", "permit_reason": "work", "years_ago": 7},
        "neither",
        "F04",
    ),
    ({"nationality": "third_country", "situation": "unaccompanied_minor"}, "neither", "F05"),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_f02_f04_f05_f06_the_eligibility_helper_answers_the_eight_cases(make_visitor: Any, javascript: bool) -> None:
    visitor = make_visitor(f"eligibilite-{'js' if javascript else 'nojs'}", javascript=javascript)
    page = visitor.page
    for case, verdict, rule in CASES:
        visitor.goto("/eligibilite/")
        page.locator(f"input[name=nationality][value={case['nationality']}]").check(force=True)
        page.locator(f"input[name=protection][value={case.get('protection', 'none')}]").check(force=True)
        if "situation" in case:
            page.get_by_label("Situation administrative").select_option(case["situation"])
        if "permit_reason" in case:
            page.get_by_label("Motif du titre de séjour").select_option(case["permit_reason"])
        if "years_ago" in case:
            page.get_by_label("Année de délivrance du premier titre de séjour").fill(
                str(date.today().year - int(case["years_ago"]))
            )
        page.get_by_role("button", name="Voir la réponse").click()
        answer = page.locator("#answer")
        expect(answer.locator(f"[data-verdict={verdict}]")).to_be_visible()
        expect(answer).to_contain_text(re.compile(rf"La règle \({rule}\)"))
        visitor.check(f"{verdict}-{rule}", screenshot=False)
