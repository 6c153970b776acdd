"""A PTAI walked in a real browser from the agent's empty draft to `closed` (F30-F38, F41-F45).

Each actor logs in once, in a browser context of their own kept for the whole journey
(``test_ctai_journey.Actors``): ``agent.grenoble`` types the seven steps and submits,
``instructeur.isere`` instructs, ``prefet.isere`` and ``ministere`` approve, the Ministère delegates
the credits to Isère, the préfet of Isère — the local authorising officer — commits them (advance
paid) and pays the balance on the final report. The state badge of the file page is checked after
each step, and the national budget page of 2021 moves by exactly the granted amount: the national
envelope's available credits at the delegation, then Isère's row (received at the delegation,
committed and paid at the commitment and the balance). Every page passes the checks of
``conftest.Visitor`` (status, JS, CSP, axe-core) and is screenshot.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from demo.accounts import DEMO_ACCOUNTS
from tests.browser.conftest import Visitor
from tests.browser.test_ctai_journey import Actors

pytestmark = pytest.mark.browser

ACCOUNTS = {account.email: account for account in DEMO_ACCOUNTS}
TITLE = "Ateliers de français et accès au logement à Grenoble (parcours navigateur)"
REQUESTED, PROPOSED, GRANTED = Decimal("20000"), Decimal("20000"), Decimal("18000")
BUDGET_CAPTION = "Crédits par territoire, ligne 104-12, campagne 2021"  # all primo-arrivants: action 12


def euros(text: str) -> Decimal:
    """`1 234,50 €` (any spaces) → Decimal("1234.50")."""
    return Decimal(re.sub(r"[^0-9,]", "", text).replace(",", ".") or "0")


def budget_figures(visitor: Visitor, slug: str) -> dict[str, Decimal]:
    """Line 104-12 of the national budget page 2021: what the national envelope can still give, and
    the Isère row's received, committed and paid."""
    visitor.visit("/budget/?annee=2021", slug)
    page = visitor.page
    row = (
        page.get_by_role("table", name=BUDGET_CAPTION)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile(r"Isère")))
    )
    expect(row).to_have_count(1)
    figures = {
        name: euros(row.locator(f"[data-figure='{name}']").inner_text()) for name in ("received", "committed", "paid")
    }
    figures["national"] = euros(page.locator("#national-104-12 [data-figure='available']").inner_text())
    return figures


def expect_state(visitor: Visitor, label: str, slug: str) -> None:
    expect(visitor.page.locator("#etat")).to_have_text(label)
    visitor.check(slug)


def act(visitor: Visitor, pk: int, action: str, label: str, slug: str, *, fields: dict[str, str] | None = None) -> None:
    """From the file page, open the action by its button, fill its form, confirm; lands on the file page."""
    page = visitor.page
    visitor.visit(f"/ptai/{pk}/", f"{slug}-avant")
    page.get_by_role("link", name=action, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/actions/[a-z_]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(action)
    for name, value in (fields or {}).items():
        page.get_by_label(name).press_sequentially(value)  # optional fields: "(optionnel)" added
    visitor.check(f"{slug}-formulaire")
    page.get_by_role("button", name=f"Confirmer : {action.lower()}").click()
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/$"))
    expect(page.get_by_text(f"le dossier est maintenant « {label} »")).to_be_visible()
    expect_state(visitor, label, slug)


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer et continuer").click()


def row_field(table: Locator, label: str) -> Locator:
    return table.get_by_label(label, exact=True)


def fill_request(visitor: Visitor) -> int:
    """The seven steps, typed and clicked by the agent of Grenoble-Alpes-Métropole; returns the pk."""
    page = visitor.page
    visitor.visit("/ptai/nouveau/", "ptai-nouveau")
    expect(page.get_by_label("Collectivité porteuse")).to_contain_text("Grenoble-Alpes-Métropole")
    page.get_by_label("Collectivité porteuse").select_option(label="Grenoble-Alpes-Métropole")
    page.get_by_label("Campagne").select_option(label="Campagne 2021")
    page.get_by_role("button", name="Créer le brouillon et continuer").click()

    # 1. Porteur: no partner.
    expect(page).to_have_url(re.compile(r"/ptai/\d+/modifier/porteur/$"))
    pk = int(re.search(r"/ptai/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    expect(page.get_by_text("Le brouillon est enregistré")).to_be_visible()
    visitor.check("ptai-etape-porteur")
    continue_(page)

    # 2. Projet.
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/modifier/projet/$"))
    page.get_by_label("Titre du projet").press_sequentially(TITLE)
    page.get_by_label("Résumé").press_sequentially("Ateliers de français et accompagnement vers le logement.")
    for domain in ("Formation linguistique", "Logement"):
        page.locator("label").filter(has_text=re.compile(rf"^\s*{domain}\s*$")).click()
        expect(page.get_by_role("checkbox", name=domain, exact=True)).to_be_checked()
    page.get_by_label("Date de début").fill("2021-09-01")
    page.get_by_label("Date de fin").fill("2022-08-31")
    page.locator("label").filter(has_text="Tous les primo-arrivants").click()
    expect(page.get_by_role("radio", name="Tous les primo-arrivants")).to_be_checked()
    visitor.check("ptai-etape-projet")
    continue_(page)

    # 3. Public.
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/modifier/public/$"))
    page.get_by_label("Nombre de BPI prévus").press_sequentially("20")
    page.get_by_label("Nombre d'autres primo-arrivants prévus").press_sequentially("40")
    page.get_by_label("Articulation avec le contrat d'intégration républicaine (CIR)").press_sequentially(
        "Les ateliers prolongent les formations linguistiques du CIR."
    )
    visitor.check("ptai-etape-public")
    continue_(page)

    # 4. Action: carried by the collectivité itself.
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/modifier/action/$"))
    page.locator("label").filter(has_text="La collectivité elle-même").click()
    expect(page.get_by_role("radio", name="La collectivité elle-même")).to_be_checked()
    visitor.check("ptai-etape-action")
    continue_(page)

    # 5. Budget: one expense; the State request and the co-funding rows are offered.
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/modifier/budget/$"))
    expenses = page.get_by_role("table", name="Dépenses, par nature")
    resources = page.get_by_role("table", name=re.compile(r"^Ressources"))
    row_field(expenses, "Nature de la dépense (ligne 1)").press_sequentially("Animation des ateliers")
    # Issue 10: amounts typed the way a French civil servant types them; absurd or ambiguous ones refused.
    row_field(expenses, "Montant (€) (ligne 1)").press_sequentially("1e9")
    row_field(resources, "Montant (€) (ligne 1)").press_sequentially("12,345.67")
    continue_(page)
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/modifier/budget/$"))
    expect(page.get_by_text("Indiquez un montant en euros, par exemple 40 000 ou 12 345,67.").first).to_be_visible()
    expect(page.get_by_text(re.compile("« 12,345.67 » est ambigu")).first).to_be_visible()
    # The page brings the user to the first refused amount: in view, with the focus, ready to retype.
    first_error = row_field(page.get_by_role("table", name="Dépenses, par nature"), "Montant (€) (ligne 1)")
    expect(first_error).to_be_focused()
    expect(first_error).to_be_in_viewport()
    # The refused form answers 400 (the browser logs it as a failed resource): expected here.
    visitor.problems[:] = [p for p in visitor.problems if "status of 400" not in p]
    visitor.check("ptai-etape-budget-montants-refuses")
    expenses = page.get_by_role("table", name="Dépenses, par nature")
    resources = page.get_by_role("table", name=re.compile(r"^Ressources"))
    row_field(expenses, "Nature de la dépense (ligne 1)").fill("Animation des ateliers")
    row_field(expenses, "Montant (€) (ligne 1)").fill("30 000")
    expect(row_field(resources, "Ressource (ligne 1)")).to_have_value("state_request")
    row_field(resources, "Montant (€) (ligne 1)").fill("20\u202f000 €")
    expect(row_field(resources, "Ressource (ligne 2)")).to_have_value("authority_cofunding")
    row_field(resources, "Montant (€) (ligne 2)").fill("10 000,00")
    visitor.check("ptai-etape-budget")
    continue_(page)

    # 6. Engagement: a co-funding with its amount.
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/modifier/engagement/$"))
    engagements = page.get_by_role("table", name="Engagements de la collectivité")
    row_field(engagements, "Engagement (ligne 1)").select_option(label="Cofinancement")
    row_field(engagements, "Description (ligne 1)").press_sequentially("Cofinancement sur le budget de la métropole.")
    row_field(engagements, "Montant (€), pour un cofinancement (ligne 1)").press_sequentially("10000")
    visitor.check("ptai-etape-engagement")
    continue_(page)

    # 7. Diagnostic: saved, the page stays, the panel says nothing blocks.
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/modifier/diagnostic/$"))
    page.get_by_label("Diagnostic territorial (synthèse)").press_sequentially("Diagnostic partagé en 2020.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Étape « Diagnostic")).to_be_visible()
    panel = page.locator("section[aria-labelledby='missing-title']")
    expect(panel.get_by_role("heading", name="Ce qu'il manque")).to_be_visible()
    expect(panel.get_by_text("Bloquant", exact=True)).to_have_count(0)
    expect(panel).to_contain_text("Rien ne manque")
    visitor.check("ptai-etape-diagnostic")
    return pk


def test_f30_f45_ptai_journey_in_the_browser(make_visitor: Any) -> None:
    # The national budget before the journey (the demo already commits and pays in Isère).
    actors = Actors(make_visitor, "ptai", ACCOUNTS)
    ministry = actors("ministere")
    before = budget_figures(ministry, "budget-2021-avant")
    ministry.assert_clean()

    # The agent types the request and submits it.
    agent = actors("agent.grenoble")
    pk = fill_request(agent)
    page = agent.page
    page.get_by_role("link", name="Déposer le dossier").click()
    expect(page.locator("section[aria-labelledby='missing-title']")).to_contain_text("Rien ne manque")
    agent.check("ptai-depot-formulaire")
    page.get_by_role("button", name="Confirmer : déposer le dossier").click()
    expect(page).to_have_url(re.compile(rf"/ptai/{pk}/$"))
    expect_state(agent, "Déposé", "ptai-depose")
    expect(page.get_by_text(re.compile(r"Référence PTAI-2021-38-\d{4}"))).to_be_visible()
    expect(page.locator("#montant-demande")).to_contain_text("20 000,00")
    agent.assert_clean()

    instructor = actors("instructeur.isere")
    act(instructor, pk, "Commencer l'instruction", "En instruction", "ptai-en-instruction")
    instructor.visit(f"/ptai/{pk}/", "ptai-avis-avant")
    instructor.page.get_by_role("link", name="Rendre l'avis d'instruction").click()
    instructor.page.locator("label").filter(has_text=re.compile(r"^\s*Favorable\s*$")).click()
    expect(instructor.page.get_by_role("radio", name="Favorable", exact=True)).to_be_checked()
    instructor.page.get_by_label("Texte de l'avis").press_sequentially("Projet cohérent avec le diagnostic.")
    instructor.page.get_by_label("Montant proposé (€)").press_sequentially("20 000")  # PROPOSED, the French way
    instructor.check("ptai-avis-formulaire")
    instructor.page.get_by_role("button", name="Confirmer : rendre l'avis d'instruction").click()
    expect(instructor.page).to_have_url(re.compile(rf"/ptai/{pk}/$"))
    expect_state(instructor, "Instruit", "ptai-instruit")
    instructor.assert_clean()

    prefect = actors("prefet.isere")
    act(prefect, pk, "Valider et transmettre au Ministère", "Validé par le préfet", "ptai-valide-prefet")
    prefect.assert_clean()

    # F38: the Ministère validates, then delegates exactly the granted amount to Isère.
    ministry = actors("ministere")
    act(
        ministry,
        pk,
        "Valider (Ministère)",
        "Validé par le Ministère",
        "ptai-valide-ministere",
        fields={"Montant accordé (€)": "18 000,00 €"},  # GRANTED
    )
    expect(ministry.page.locator("#montant-accorde")).to_contain_text("18 000,00")
    expect(ministry.page.get_by_role("link", name="Engager les crédits et verser l'avance")).to_have_count(0)
    act(ministry, pk, "Déléguer les crédits au département", "Crédits délégués", "ptai-credits-delegues")
    delegated = budget_figures(ministry, "budget-2021-delegation")
    assert before["national"] - delegated["national"] == GRANTED
    assert delegated["received"] - before["received"] == GRANTED
    assert (delegated["committed"], delegated["paid"]) == (before["committed"], before["paid"])
    ministry.assert_clean()

    # The préfet of Isère, local authorising officer, commits the delegated credits: the advance is paid.
    prefect = actors("prefet.isere")
    act(prefect, pk, "Engager les crédits et verser l'avance", "Engagé", "ptai-engage")
    expect(prefect.page.locator("#montant-engage")).to_contain_text("18 000,00")
    expect(prefect.page.locator("#montant-verse")).to_contain_text("9 000,00")
    prefect.assert_clean()

    # The balance waits for the final report: the agent enters its counts and hands it in, the
    # préfet accepts it (counts only, no personal data), both from the file page's « Bilans ».
    agent = actors("agent.grenoble")
    agent.visit(f"/ptai/{pk}/", "ptai-bilans")
    agent.page.get_by_role("link", name=re.compile(r"^Bilan final")).click()
    expect(agent.page.get_by_text("aucune donnée personnelle", exact=False).first).to_be_visible()
    agent.page.get_by_label(re.compile(r"BPI accompagnés")).fill("12")
    agent.page.get_by_label(re.compile(r"Autres primo-arrivants accompagnés")).fill("18")
    agent.page.get_by_label(re.compile(r"Bilan qualitatif")).fill("Vingt-quatre séances de formation menées.")
    agent.check("ptai-bilan-final-saisie")
    agent.page.get_by_role("button", name="Enregistrer et remettre le bilan").click()
    expect(agent.page.get_by_text("Le bilan est remis")).to_be_visible()
    agent.assert_clean()
    prefect = actors("prefet.isere")
    prefect.visit(f"/ptai/{pk}/", "ptai-bilans-prefet")
    prefect.page.get_by_role("link", name=re.compile(r"^Bilan final")).click()
    prefect.page.get_by_role("button", name="Accepter le bilan").click()
    expect(prefect.page.get_by_text("Le bilan est accepté.")).to_be_visible()
    prefect.check("ptai-bilan-final-accepte")
    act(
        prefect,
        pk,
        "Solder le projet",
        "Soldé",
        "ptai-solde",
        fields={"Montant final dépensé (€)": str(GRANTED)},
    )
    expect(prefect.page.locator("#montant-verse")).to_contain_text("18 000,00")
    # The generated PDFs are listed on the file page.
    documents = prefect.page.locator("section[aria-labelledby='documents-title']")
    for name in ("decision-attributive", "notification"):
        pdf = re.compile(rf"^{name}-PTAI-2021-38-\d{{4}}\.pdf$")
        expect(documents.get_by_role("link", name=pdf)).to_have_count(1)
    prefect.assert_clean()

    # The national budget page: Isère committed and paid exactly the granted amount.
    ministry = actors("ministere")
    after = budget_figures(ministry, "budget-2021-apres")
    assert after["committed"] - before["committed"] == GRANTED
    assert after["paid"] - before["paid"] == GRANTED
    assert before["national"] - after["national"] == GRANTED
    actors.assert_clean()
