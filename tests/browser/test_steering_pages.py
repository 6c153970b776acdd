"""The steering pages in a real browser (issue 12): the national dashboard with its map of France
drawn by the State's chart components (DROM included) and the same figures as tables, the
dashboard of an instructeur of Isère (his scope only), the reports, the committees and the
evaluations. Each page passes the checks of ``conftest.Visitor`` (status, JavaScript errors,
Content Security Policy, axe-core), with a screenshot in ``build/screenshots/``."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_ctai_pages import click, logged_in

pytestmark = pytest.mark.browser


def test_the_diair_reads_the_national_dashboard_and_its_map(make_visitor: Any) -> None:
    visitor = logged_in(make_visitor, "diair")
    page = visitor.page
    visitor.visit("/pilotage/?carte=engages", "pilotage-national")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilotage national")
    # The State's components are defined and drew their charts (the map carries its outlines).
    page.wait_for_function("customElements.get('map-chart') !== undefined")
    page.wait_for_function("document.querySelector('map-chart').shadowRoot || document.querySelector('map-chart svg')")
    rows = page.locator("#table-carte tbody tr[data-code]")
    expect(rows.first).to_be_visible()
    codes = rows.evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert "38" in codes and "69" in codes
    visitor.check("pilotage-national-carte")
    visitor.visit("/pilotage/?carte=beneficiaires", "pilotage-carte-beneficiaires")
    click(visitor, "Comités de pilotage", "comites")
    click(visitor, "Comité national de pilotage — premier semestre 2022", "comite-national")
    expect(page.get_by_role("link", name="Relevé de décisions (PDF)")).to_be_visible()
    visitor.visit("/evaluations/", "evaluations")
    expect(page.get_by_text("Action efficace pour l'accès au logement")).to_be_visible()
    visitor.assert_clean()


def test_an_instructeur_of_isere_sees_his_departement_and_its_late_reports(make_visitor: Any) -> None:
    visitor = logged_in(make_visitor, "instructeur.isere")
    page = visitor.page
    visitor.visit("/tableau-de-bord/", "accueil-instructeur-bilans-en-retard")
    expect(page.get_by_role("heading", name="Bilans en retard", exact=False)).to_be_visible()
    visitor.visit("/pilotage/", "pilotage-isere")
    codes = page.locator("#table-carte tbody tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert set(codes) <= {"38"}
    visitor.visit("/bilans/?retard=1", "bilans-en-retard")
    page.locator("table a").first.click()
    page.wait_for_load_state()
    visitor.check("bilan")
    visitor.assert_clean()
