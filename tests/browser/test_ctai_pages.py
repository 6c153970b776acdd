"""The CTAI demo as each actor reads it, in a real browser: contracts, programmings, calls for
projects, amendments and steering committees (F16, F22, F23, F24).

Every page is reached by clicking its link, and passes the checks of ``conftest.Visitor`` (status,
JavaScript errors, Content Security Policy, axe-core) with a screenshot in ``build/screenshots/``.
Nothing is written: the journeys that write are ``test_ctai_journey.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from demo.accounts import DEMO_ACCOUNTS
from demo.ctai import CTAI_ACCOUNTS
from tests.browser.conftest import Visitor
from tests.browser.test_demo_roles import log_in

pytestmark = pytest.mark.browser

ACCOUNTS = {account.email: account for account in (*DEMO_ACCOUNTS, *CTAI_ACCOUNTS)}
OPEN_CALL = "Apprendre le français et travailler"
CLOSED_CALL = "Accès au logement"


def logged_in(make_visitor: Any, email: str) -> Visitor:
    visitor: Visitor = make_visitor(f"ctai-pages-{email}")
    visitor.goto("/connexion/")
    log_in(visitor.page, ACCOUNTS[email])
    return visitor


def click(visitor: Visitor, name: str | re.Pattern[str], slug: str, *, role: str = "link") -> None:
    visitor.page.get_by_role(role, name=name).first.click()  # type: ignore[arg-type]
    visitor.page.wait_for_load_state()
    visitor.check(slug)


def test_the_public_finds_the_open_call_and_how_to_register(make_visitor: Any) -> None:
    visitor = make_visitor("ctai-pages-anonyme")
    page = visitor.page
    visitor.visit("/appels-a-projets/", "appels-public")
    expect(page.get_by_role("link", name=OPEN_CALL)).to_be_visible()
    expect(page.get_by_role("link", name=CLOSED_CALL)).to_have_count(0)
    click(visitor, OPEN_CALL, "appel-public")
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_CALL)
    click(visitor, "Inscrire votre structure", "inscription-operateur")
    expect(page.get_by_label(re.compile("SIRET"))).to_be_visible()
    visitor.assert_clean()


def test_the_collectivite_reads_its_contract_programming_and_calls(make_visitor: Any) -> None:
    visitor = logged_in(make_visitor, "agent.grenoble")
    page = visitor.page
    visitor.visit("/ctai/", "liste")
    click(visitor, "Collectivité signataire", "liste-triee")
    expect(page.locator("th[aria-sort='descending'], th[aria-sort='ascending']")).to_have_count(1)
    click(visitor, "CTAI — Grenoble-Alpes-Métropole", "contrat-grenoble")
    expect(page.locator("#etat")).to_have_text("Signé")
    click(visitor, "Programmation 2022", "programmation-2022")
    expect(page.locator("#etat")).to_have_text("En préparation")
    click(visitor, "Ajouter une action", "action-nouvelle")
    expect(page.get_by_label(re.compile("Articulation avec le contrat d'intégration républicaine"))).to_be_visible()
    visitor.visit("/appels-a-projets/gestion/", "appels-gestion")
    click(visitor, CLOSED_CALL, "appel-clos")
    click(visitor, re.compile(r"^Candidatures \("), "candidatures")
    expect(page.locator("td .fr-badge").filter(has_text=re.compile(r"^\s*Retenue\s*$"))).to_have_count(1)
    click(visitor, "Bail glissant et accompagnement de douze mois", "candidature-retenue")
    visitor.assert_clean()


def test_the_operator_reads_the_open_call_and_its_applications(make_visitor: Any) -> None:
    visitor = logged_in(make_visitor, "operateur.isere")
    page = visitor.page
    visitor.visit("/appels-a-projets/", "appels-operateur")
    click(visitor, OPEN_CALL, "appel-ouvert")
    click(visitor, "Candidater", "candidater")
    expect(page.get_by_label(re.compile("Montant demandé"))).to_be_visible()
    visitor.visit("/appels-a-projets/mes-candidatures/", "mes-candidatures")
    expect(page.get_by_role("link", name="Colocations solidaires")).to_be_visible()
    visitor.assert_clean()


def test_the_diair_reviews_steers_and_reads_the_amendments(make_visitor: Any) -> None:
    visitor = logged_in(make_visitor, "diair")
    page = visitor.page
    visitor.visit("/tableau-de-bord/", "tableau-de-bord")
    click(visitor, "Programmation 2021 — Eurométropole de Strasbourg", "programmation-presentee")
    expect(page.get_by_role("button", name=re.compile("^Enregistrer l'examen")).first).to_be_visible()
    visitor.visit("/ctai/?type=ctai&etat=signed", "contrats-signes")
    click(visitor, "CTAI — Métropole de Lyon", "contrat-lyon")
    expect(page.get_by_role("heading", name="Comité du 08/12/2022")).to_be_visible()
    click(visitor, "Avenant n° 1", "avenant-lyon")
    expect(page.get_by_text("Signé").first).to_be_visible()
    page.go_back()
    click(visitor, "Enregistrer un comité de pilotage", "comite-formulaire")
    expect(page.get_by_text("seuil d'évaluation atteint").first).to_be_visible()
    visitor.assert_clean()


def test_the_prefect_opens_the_drafted_amendment_to_sign_it(make_visitor: Any) -> None:
    visitor = logged_in(make_visitor, "prefet.haute-garonne")
    page = visitor.page
    visitor.visit("/ctai/?type=ctai", "contrats")
    click(visitor, "CTAI — Toulouse Métropole", "contrat-toulouse")
    click(visitor, "Avenant n° 1", "avenant-toulouse")
    click(visitor, "Enregistrer la signature de l'avenant", "avenant-signature")
    expect(page.get_by_role("button", name=re.compile("^Confirmer : enregistrer la signature"))).to_be_visible()
    visitor.assert_clean()
