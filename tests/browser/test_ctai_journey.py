"""CTAI walked in a real browser, logging in as each actor (CTAI issue: F10-F24, F41, F43).

1. Clermont Auvergne Métropole (no contract in the demo) goes from first contact to a signed CTAI
   with its first yearly programming approved and committed: ``agent.clermont-metropole`` opens the
   contract and records the letter, ``prefet.puy-de-dome`` starts the diagnosis, ``diair`` fills it
   in and completes it, the préfet signs; the agent opens the 2022 programming, sets the socle,
   adds a housing action and another one (each on the socle, each with its priority of the national
   strategy), presents it; the Diair accepts each action and approves; the préfet commits the
   credits and the advance is paid. The national budget page of 2022 shows the commitment on the
   Puy-de-Dôme row of line 104-15 (the demo delegates no 104-12 credit there: complement 0 €).
2. Rennes Métropole widens its CTAIR of 2020 into a CTAI (F16). Its declaration of intent was
   recorded by the préfet on the métropole's behalf (demo): the CTAI starts at « Intention
   d'élargissement déclarée », with no lettre d'engagement; the journey walks it to ``signed``; the
   CTAIR is then "Élargi en CTAI", each page links to the other and both timelines tell the widening.

Each actor logs in once, in a browser context of their own kept for the whole journey (:class:`Actors`:
turns are taken by switching contexts, as colleagues at their own desks; logging in and out is
proven by test_demo_roles); buttons are clicked by their accessible names and the state badge
``#etat`` is checked after each step. Every page passes the checks of
``conftest.Visitor`` (status, JavaScript, CSP, axe-core) and is screenshot (``ctai-…``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from demo.accounts import DEMO_ACCOUNTS
from demo.ctai import CTAI_ACCOUNTS
from tests.browser.conftest import Visitor
from tests.browser.test_demo_roles import log_in

pytestmark = pytest.mark.browser

ACCOUNTS = {account.email: account for account in [*DEMO_ACCOUNTS, *CTAI_ACCOUNTS]}

# Journey 1: Clermont Auvergne Métropole (EPCI 246300701, Puy-de-Dôme). Campaign 2021 (letter
# before its deadline of 31/12/2021, signature aimed at 2022); signed in 2022, in effect until the
# end of 2024: the only campaign year of that period the platform has is 2022, whose Puy-de-Dôme
# envelope of line 104-15 holds 330 000 € in the demo.
CLERMONT_AGENT, CLERMONT_PREFECT = "agent.clermont-metropole", "prefet.puy-de-dome"
CLERMONT = "Clermont Auvergne Métropole"
CLERMONT_TITLE = "CTAI — Clermont Auvergne Métropole (parcours navigateur)"
BASE, COMPLEMENT = Decimal("150000"), Decimal("0")  # socle within the bounds of ctai.base.bounds: 150 000 to 300 000 €
HOUSING = "Accès au logement des réfugiés : captation et bail glissant"
LANGUAGE = "Ateliers de français à visée professionnelle"
BUDGET_CAPTION = "Crédits par territoire, ligne 104-15, campagne 2022"

# Journey 2: Rennes Métropole (Ille-et-Vilaine), its CTAI of campaign 2021 at `widening_declared`.
RENNES_AGENT, RENNES_PREFECT = "agent.rennes", "prefet.ille-et-vilaine"
RENNES_CTAI, RENNES_CTAIR = "CTAI — Rennes Métropole", "CTAIR 2020 — Rennes Métropole"


def euros(text: str) -> Decimal:
    """`1 234,50 €` (any spaces) → Decimal("1234.50")."""
    return Decimal(re.sub(r"[^0-9,]", "", text).replace(",", ".") or "0")


class Actors:
    """The people of a journey: ``actors(email)`` logs the account in the first time, in a browser
    context of its own, and gives that same logged-in page back at each of its later turns."""

    def __init__(self, make_visitor: Any, prefix: str, accounts: dict[str, Any]) -> None:
        self.make_visitor, self.prefix, self.accounts = make_visitor, prefix, accounts
        self.visitors: dict[str, Visitor] = {}

    def __call__(self, email: str) -> Visitor:
        if email not in self.visitors:
            visitor: Visitor = self.make_visitor(f"{self.prefix}-{email}")
            visitor.goto("/connexion/")  # the log-in page itself is checked (axe, screenshot) by test_demo_roles
            log_in(visitor.page, self.accounts[email])
            self.visitors[email] = visitor
        return self.visitors[email]

    def assert_clean(self) -> None:
        """No JavaScript error nor CSP violation on any actor's page, from the first to the last turn."""
        for visitor in self.visitors.values():
            visitor.assert_clean()


def expect_state(visitor: Visitor, label: str, slug: str) -> None:
    expect(visitor.page.locator("#etat")).to_have_text(label)
    visitor.check(slug)


def click_label(page: Page, text: str, role: str) -> None:
    """A DSFR radio or checkbox, clicked by its label as a person would."""
    page.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).click()
    expect(page.get_by_role(role, name=text, exact=True)).to_be_checked()  # type: ignore[arg-type]


def contract_step(
    visitor: Visitor,
    pk: int,
    action: str,
    label: str,
    slug: str,
    *,
    fill: Callable[[Page], None] | None = None,
) -> None:
    """From the contract page, open the action by its button, fill its form, confirm; lands on the
    contract page in the new state."""
    page = visitor.page
    visitor.visit(f"/ctai/{pk}/", f"{slug}-avant")
    page.get_by_role("link", name=action, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ctai/{pk}/actions/[a-z_]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(action)
    if fill is not None:
        fill(page)
    visitor.check(f"{slug}-formulaire")
    page.get_by_role("button", name=f"Confirmer : {action.lower()}").click()
    expect(page).to_have_url(re.compile(rf"/ctai/{pk}/$"))
    expect(page.get_by_text(f"« {action} » : le contrat est maintenant « {label} ».")).to_be_visible()
    expect_state(visitor, label, slug)


def programming_step(
    visitor: Visitor, pk: int, action: str, label: str, slug: str, *, reason: tuple[str, str] | None = None
) -> None:
    """From the programming page, open the transition, write its optional message, confirm."""
    page = visitor.page
    visitor.visit(f"/programmations/{pk}/", f"{slug}-avant")
    page.get_by_role("link", name=action, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/programmations/{pk}/transitions/[a-z_]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(action)
    if reason is not None:
        page.get_by_label(reason[0]).press_sequentially(reason[1])
    visitor.check(f"{slug}-formulaire")
    page.get_by_role("button", name=f"Confirmer : {action.lower()}").click()
    expect(page).to_have_url(re.compile(rf"/programmations/{pk}/$"))
    expect(page.get_by_text(f"« {action} » : état « {label} ».")).to_be_visible()
    expect_state(visitor, label, slug)


def record_letter(letter_date: str, year: str) -> Callable[[Page], None]:
    def fill(page: Page) -> None:
        page.get_by_label("La date de la lettre d'engagement").fill(letter_date)
        page.get_by_label("Année de signature visée").fill(year)

    return fill


def sign(values: dict[str, str]) -> Callable[[Page], None]:
    """Every field of the signature: dates, signatories, the coordinator."""

    def fill(page: Page) -> None:
        for label, value in values.items():
            field = page.get_by_label(label)
            if label.startswith(("La date", "Effet")):
                field.fill(value)
            else:
                field.press_sequentially(value)

    return fill


def fill_diagnosis(visitor: Visitor, pk: int, bpi: str, others: str, place: str, slug: str) -> None:
    """The structured diagnostic (F19): figures, needs by domain, existing offer, gaps."""
    page = visitor.page
    visitor.visit(f"/ctai/{pk}/", f"{slug}-avant")
    page.get_by_role("link", name="Remplir le diagnostic").click()
    expect(page).to_have_url(re.compile(rf"/ctai/{pk}/diagnostic/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostic territorial")
    page.get_by_label("BPI (bénéficiaires de la protection internationale)").fill(bpi)
    page.get_by_label("Autres primo-arrivants").fill(others)
    page.get_by_label("Besoins : Logement").press_sequentially(
        f"Sorties de CADA et de CPH sans solution : plus de six mois d'attente d'un logement social à {place}."
    )
    page.get_by_label("Besoins : Formation linguistique").press_sequentially(
        "Ateliers de français saturés au-delà des heures du contrat d'intégration républicaine."
    )
    page.get_by_label("Besoins : Emploi").press_sequentially("Peu de parcours associant français et métier.")
    page.get_by_label("Offre existante").press_sequentially(
        "Ateliers sociolinguistiques associatifs, plateforme d'accès au logement du SIAO, permanences du CCAS."
    )
    page.get_by_label("Manques").press_sequentially(
        "Pas de coordination des acteurs ; aucune offre pour les 18-25 ans ; peu de bailleurs engagés."
    )
    visitor.check(f"{slug}-formulaire")
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    expect(page).to_have_url(re.compile(rf"/ctai/{pk}/$"))
    expect(page.get_by_text("Le diagnostic territorial est enregistré.")).to_be_visible()
    expect(page.locator("#diagnostic + dl")).to_contain_text(f"{bpi} BPI, {others} autres primo-arrivants")
    visitor.check(slug)


def add_action(
    visitor: Visitor,
    pk: int,
    *,
    title: str,
    need: str,
    domains: tuple[str, ...],
    public: str,
    bpi: str,
    others: str,
    budget: str,
    state_amount: str,
    priority: str,
    slug: str,
) -> None:
    """An action carried by the collectivité itself, on the socle (F11), with its priority of the
    national strategy (F13), typed in the action form."""
    page = visitor.page
    page.get_by_role("link", name="Ajouter une action").click()
    expect(page).to_have_url(re.compile(rf"/programmations/{pk}/actions/nouvelle/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter une action")
    page.get_by_label("Intitulé").press_sequentially(title)
    page.get_by_label("Description").press_sequentially(f"{title}, portée par la métropole.")
    page.get_by_label("Besoin du diagnostic territorial auquel l'action répond").press_sequentially(need)
    page.get_by_label("Articulation avec le contrat d'intégration républicaine (CIR)").press_sequentially(
        "Prend le relais des formations civique et linguistique du CIR, avec le même référent de parcours."
    )
    for domain in domains:
        click_label(page, domain, "checkbox")
    click_label(page, public, "radio")
    page.get_by_label("Priorité de la stratégie nationale pour l'accueil et l'intégration des réfugiés").select_option(
        label=priority
    )
    expect(page.get_by_role("radio", name=re.compile(r"^Socle"))).to_be_checked()  # the initial part
    page.get_by_label("BPI prévus").fill(bpi)
    page.get_by_label("Autres primo-arrivants prévus").fill(others)
    expect(page.get_by_role("radio", name="La collectivité", exact=True)).to_be_checked()  # the initial carrier
    page.get_by_label("Budget total de l'action (€)").fill(budget)
    page.get_by_label("Montant demandé à l'État (€)").fill(state_amount)
    visitor.check(slug)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/programmations/{pk}/$"))
    expect(page.get_by_text(f"L'action « {title} » est enregistrée.")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=title)).to_be_visible()


def expect_actions_above_footer(page: Page) -> None:
    """The action cards of the programming page end above the site's footer: each one can be read
    and its buttons clicked (the DSFR's `.fr-grid-row .fr-card {height: 100%}` must not stretch
    cards stacked in one column to the column's whole height, over the footer)."""
    footer_top = page.locator("#footer").bounding_box()["y"]  # type: ignore[index]
    for card in page.locator("[id^='action-'].fr-card").all():
        box = card.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= footer_top, (
            f"The action card #{card.get_attribute('id')} of {page.url} runs under the site's footer "
            f"(card from {box['y']:.0f} to {box['y'] + box['height']:.0f} px, footer from {footer_top:.0f} px): "
            "its buttons and the Diair's review form cannot be clicked."
        )


def accept_action(visitor: Visitor, title: str, slug: str) -> None:
    """The Diair's check of one action (F22): "Accepter", then "Enregistrer l'examen"."""
    page = visitor.page
    expect_actions_above_footer(page)
    review = page.get_by_role("group", name=f"Examen de « {title} »")
    review.locator("label").filter(has_text=re.compile(r"^\s*Accepter\s*$")).click()
    expect(review.get_by_role("radio", name="Accepter", exact=True)).to_be_checked()
    visitor.check(slug)
    page.get_by_role("button", name=f"Enregistrer l'examen de « {title} »").click()
    expect(page.get_by_text(f"L'action « {title} » est acceptée.")).to_be_visible()
    card = page.locator(".fr-card").filter(has=page.get_by_role("heading", level=3, name=title))
    expect(card.get_by_text("Acceptée", exact=True)).to_be_visible()


def puy_de_dome_committed(visitor: Visitor, slug: str) -> Decimal:
    """Committed on the Puy-de-Dôme row of line 104-15, national budget page 2022 (F41)."""
    visitor.visit("/budget/?annee=2022", slug)
    page = visitor.page
    row = (
        page.get_by_role("table", name=BUDGET_CAPTION)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile(r"Puy-de-Dôme")))
    )
    expect(row).to_have_count(1)
    return euros(row.locator("[data-figure='committed']").inner_text())


def open_contract(visitor: Visitor) -> int:
    """The agent opens the CTAI from the list's "Nouveau contrat" (F10, F11); returns its pk."""
    page = visitor.page
    visitor.visit("/ctai/", "liste")
    page.get_by_role("link", name="Nouveau contrat").click()
    expect(page).to_have_url(re.compile(r"/ctai/nouveau/$"))
    page.get_by_label("Collectivité signataire").select_option(label=CLERMONT)
    expect(page.get_by_label("Type de contrat")).to_have_value("ctai")
    page.get_by_label("Titre").press_sequentially(CLERMONT_TITLE)
    page.get_by_label("Campagne").select_option(label="Campagne 2021")
    visitor.check("nouveau")
    page.get_by_role("button", name="Ouvrir le contrat").click()
    expect(page).to_have_url(re.compile(r"/ctai/\d+/$"))
    expect(page.get_by_text("Le contrat est ouvert à l'étape « prise de contact ».")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(CLERMONT_TITLE)
    expect_state(visitor, "Prise de contact", "contact")
    return int(re.search(r"/ctai/(\d+)/", page.url).group(1))  # type: ignore[union-attr]


def test_f10_f24_f41_f43_metropole_from_first_contact_to_committed_programming(make_visitor: Any) -> None:
    """F10-F21 (contact, letter before the deadline, diagnosis, signature with its signatories and
    coordinator), F22-F24 (first yearly programming within the effect period, a housing action, the
    Diair's check of each action, approval), F41 (commitment on the département's 104-15 envelope),
    F43 (socle within the campaign's bounds, complement computed: 0 € here)."""
    actors = Actors(make_visitor, "ctai", ACCOUNTS)
    ministry = actors("ministere")
    committed_before = puy_de_dome_committed(ministry, "budget-2022-avant")
    ministry.assert_clean()

    # The agent of the métropole opens the contract and records its lettre d'engagement.
    agent = actors(CLERMONT_AGENT)
    pk = open_contract(agent)
    expect(agent.page.locator("#collectivite")).to_have_text(CLERMONT)
    contract_step(
        agent,
        pk,
        "Enregistrer la lettre d'engagement",
        "Lettre d'engagement reçue",
        "lettre",
        fill=record_letter("2021-06-14", "2022"),
    )
    expect(agent.page.get_by_text("du 14/06/2021, signature visée en 2022")).to_be_visible()
    expect(agent.page.locator("section[aria-labelledby='missing-title']")).to_contain_text("Rien ne manque")
    agent.assert_clean()

    # The préfet starts the diagnosis; the Diair fills it in and completes it.
    prefect = actors(CLERMONT_PREFECT)
    contract_step(prefect, pk, "Commencer le diagnostic", "Diagnostic territorial", "diagnostic")
    prefect.assert_clean()

    diair = actors("diair")
    fill_diagnosis(diair, pk, "520", "1150", "Clermont-Ferrand", "diagnostic-rempli")
    contract_step(diair, pk, "Terminer le diagnostic", "Contrat en rédaction", "redaction")
    expect(diair.page.locator("#diagnostic + dl")).not_to_contain_text("en cours")
    diair.assert_clean()

    # The préfet records the signature (dates, signatories, coordinator).
    prefect = actors(CLERMONT_PREFECT)
    contract_step(
        prefect,
        pk,
        "Enregistrer la signature",
        "Signé",
        "signe",
        fill=sign(
            {
                "La date de signature": "2022-03-15",
                "Effet à partir du": "2022-04-01",
                "Effet jusqu'au": "2024-12-31",
                "Durée (années)": "3",
                "Élu signataire": "Le président de Clermont Auvergne Métropole",
                "Préfet signataire": "Anne Vidal",
                "Délégué interministériel signataire": "Le délégué interministériel à l'accueil et à "
                "l'intégration des réfugiés",
                "Coordinateur dédié : nom": "Romain Chabrier",
                "Coordinateur : fonction": "Chargé de mission accueil et intégration des réfugiés",
                "Coordinateur : contact": "coordination-ctai@clermontmetropole.example",
            }
        ),
    )
    page = prefect.page
    expect(page.get_by_text("du 01/04/2022 au 31/12/2024 (3 ans)")).to_be_visible()
    expect(page.locator("#signataires")).to_contain_text("élu : Le président de Clermont Auvergne Métropole")
    expect(page.locator("#signataires")).to_contain_text("préfet : Anne Vidal")
    expect(page.locator("#signataires")).to_contain_text("délégué interministériel")
    expect(page.locator("#coordinateur")).to_contain_text("Romain Chabrier, Chargé de mission")
    expect(page.get_by_text("Pas encore de programmation.")).to_be_visible()
    prefect.assert_clean()

    # The agent opens the first programming from the contract page and prepares it.
    agent = actors(CLERMONT_AGENT)
    agent.visit(f"/ctai/{pk}/", "signe-agent")
    page = agent.page
    year = page.get_by_label("Année", exact=True)
    expect(year.locator("option")).to_have_text(["2022"])  # the campaign years of its effect period
    year.select_option("2022")
    page.get_by_role("button", name="Ouvrir la programmation de cette année").click()
    expect(page).to_have_url(re.compile(r"/programmations/\d+/$"))
    programming = int(re.search(r"/programmations/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    expect(page.get_by_text("La programmation 2022 est ouverte : ajoutez ses actions.")).to_be_visible()
    expect_state(agent, "En préparation", "programmation-ouverte")

    page.get_by_role("link", name="Modifier le socle et le complément").click()
    expect(page).to_have_url(re.compile(rf"/programmations/{programming}/montants/$"))
    page.get_by_label("Socle demandé").fill(str(BASE))
    page.get_by_label("Crédits complémentaires demandés").fill(str(COMPLEMENT))
    agent.check("programmation-montants")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Les montants de la programmation sont enregistrés.")).to_be_visible()
    expect(page.locator("#socle")).to_contain_text("150 000,00")
    expect(page.locator("#socle")).to_contain_text("entre 150 000 € et 300 000 €")

    add_action(
        agent,
        programming,
        title=HOUSING,
        need="Sorties de CADA et de CPH sans solution de logement.",
        domains=("Logement", "Accompagnement social"),
        public="BPI uniquement",
        bpi="40",
        others="0",
        budget="140000",
        state_amount="100000",
        priority="Garantir l'accès au logement",
        slug="action-logement",
    )
    add_action(
        agent,
        programming,
        title=LANGUAGE,
        need="Ateliers de français saturés au-delà des heures du CIR.",
        domains=("Formation linguistique", "Emploi"),
        public="BPI uniquement",
        bpi="30",
        others="0",
        budget="70000",
        state_amount="50000",
        priority="Améliorer la maîtrise de la langue française et l'accès à la formation et à l'emploi",
        slug="action-langue",
    )
    expect(page.get_by_role("heading", name="Actions (2)")).to_be_visible()
    expect(page.locator("#total")).to_contain_text("150 000,00")
    expect(page.locator("#calcul")).to_contain_text("150 000 € × 0 ÷ 70")  # noqa: RUF001
    panel = page.locator("section[aria-labelledby='missing-title']")
    expect(panel.get_by_text("Bloquant", exact=True)).to_have_count(0)
    expect(panel).to_contain_text("Rien ne manque")
    agent.check("programmation-prete")
    programming_step(
        agent,
        programming,
        "Présenter à la Diair",
        "Présentée à la Diair",
        "programmation-presentee",
        reason=("Message à la Diair", "Programmation validée en comité de pilotage local."),
    )
    agent.assert_clean()

    # The Diair examines each action, accepts it, and approves the programming.
    diair = actors("diair")
    diair.visit(f"/programmations/{programming}/", "programmation-examen")
    expect(diair.page.get_by_text("À examiner", exact=True)).to_have_count(2)
    accept_action(diair, HOUSING, "examen-logement")
    accept_action(diair, LANGUAGE, "examen-langue")
    programming_step(
        diair,
        programming,
        "Approuver la programmation",
        "Approuvée",
        "programmation-approuvee",
        reason=("Observations", "Actions conformes aux priorités de la stratégie nationale."),
    )
    diair.assert_clean()

    # The préfet commits the year's credits on the Puy-de-Dôme envelope of line 104-15; the advance is paid.
    prefect = actors(CLERMONT_PREFECT)
    programming_step(
        prefect, programming, "Engager les crédits de l'année et verser l'avance", "Crédits engagés", "credits-engages"
    )
    expect(prefect.page.locator("#credits-104-15")).to_contain_text("75 000,00")  # the advance, 50 %
    # What is left: the year's report (balance) or cancelling the commitment.
    expect(prefect.page.get_by_role("link", name="Enregistrer le bilan de l'année et solder")).to_be_visible()
    prefect.visit(f"/ctai/{pk}/", "contrat-signe-programmation-engagee")
    row = prefect.page.get_by_role("table", name="Programmations annuelles du contrat").get_by_role("row").nth(1)
    expect(row).to_contain_text("Programmation 2022")
    expect(row).to_contain_text("Crédits engagés")
    expect(row).to_contain_text("150 000,00 €")
    prefect.assert_clean()

    # The national budget page: the Puy-de-Dôme row of 104-15 grew by the socle.
    ministry = actors("ministere")
    assert puy_de_dome_committed(ministry, "budget-2022-apres") - committed_before == BASE
    actors.assert_clean()


def contract_pk(visitor: Visitor, title: str) -> int:
    """A contract found by its title in the CTAI list; returns its pk."""
    page = visitor.page
    visitor.visit("/ctai/", "liste")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page).to_have_url(re.compile(r"/ctai/\d+/$"))
    return int(re.search(r"/ctai/(\d+)/", page.url).group(1))  # type: ignore[union-attr]


def timeline(page: Page) -> Any:
    return page.locator("section[aria-labelledby='timeline-title']")


def test_f16_f24_ctair_widened_into_a_ctai(make_visitor: Any) -> None:
    """F16 (a CTAIR widened into a CTAI: the CTAI starts from the collectivité's declaration of intent,
    without a lettre d'engagement; the CTAIR is closed as "Élargi en CTAI" at its signature), F19-F21
    (diagnosis, signature), F24 (the CTAI in force replaces the CTAIR: one contract in force per
    collectivité)."""
    actors = Actors(make_visitor, "ctai", ACCOUNTS)
    agent = actors(RENNES_AGENT)
    ctair = contract_pk(agent, RENNES_CTAIR)
    expect_state(agent, "Signé", "ctair-en-vigueur")
    ctai = contract_pk(agent, RENNES_CTAI)
    expect_state(agent, "Intention d'élargissement déclarée", "ctai-declaration")
    # The CTAIR it widens, the declaration (recorded by the préfet for the métropole), no letter needed.
    expect(agent.page.locator("#elargit").get_by_role("link", name=RENNES_CTAIR)).to_have_attribute(
        "href", f"/ctai/{ctair}/"
    )
    expect(agent.page.locator("#declaration-elargissement")).to_contain_text("faite au préfet le 22/11/2021")
    expect(agent.page.locator("#lettre")).to_contain_text("non requise")
    expect(agent.page.get_by_role("link", name="Enregistrer la lettre d'engagement")).to_have_count(0)
    agent.assert_clean()

    prefect = actors(RENNES_PREFECT)
    contract_step(prefect, ctai, "Commencer le diagnostic", "Diagnostic territorial", "ctai-diagnostic")
    fill_diagnosis(prefect, ctai, "1200", "2600", "Rennes", "ctai-diagnostic-rempli")
    contract_step(prefect, ctai, "Terminer le diagnostic", "Contrat en rédaction", "ctai-redaction")
    contract_step(
        prefect,
        ctai,
        "Enregistrer la signature",
        "Signé",
        "ctai-signe",
        fill=sign(
            {
                "La date de signature": "2022-03-14",
                "Effet à partir du": "2022-03-14",
                "Effet jusqu'au": "2024-12-31",
                "Durée (années)": "3",
                "Élu signataire": "La présidente de Rennes Métropole",
                "Préfet signataire": "Sylvie Le Corre",
                "Délégué interministériel signataire": "Le délégué interministériel à l'accueil et à "
                "l'intégration des réfugiés",
                "Coordinateur dédié : nom": "Gaëlle Morvan",
                "Coordinateur : fonction": "Chargée de mission accueil et intégration des réfugiés",
                "Coordinateur : contact": "coordination-ctai@rennesmetropole.example",
            }
        ),
    )
    page = prefect.page
    expect(page.locator("#elargit").get_by_role("link", name=RENNES_CTAIR)).to_have_attribute("href", f"/ctai/{ctair}/")
    signed = timeline(page).get_by_role("listitem").filter(has_text="Contrat signé")
    expect(signed).to_contain_text(f"Élargit : {RENNES_CTAIR} (n° {ctair})")
    expect(signed).to_contain_text("Signé le : 14/03/2022")

    # The CTAIR: closed as widened, linked to its CTAI, and its timeline says so.
    prefect.visit(f"/ctai/{ctair}/", "ctair-elargi")
    expect(page.locator("#etat")).to_have_text("Élargi en CTAI")
    expect(page.locator("#elargi-en").get_by_role("link", name=RENNES_CTAI)).to_have_attribute("href", f"/ctai/{ctai}/")
    declared = timeline(page).get_by_role("listitem").filter(has_text="Intention d'élargir le CTAIR en CTAI déclarée")
    expect(declared).to_contain_text(f"CTAI : {RENNES_CTAI} (n° {ctai})")
    widened = timeline(page).get_by_role("listitem").filter(has_text="CTAIR élargi en CTAI")
    expect(widened).to_contain_text("Vers : Élargi en CTAI")
    expect(widened).to_contain_text(f"CTAI : n° {ctai}")
    expect(page.locator("section[aria-labelledby='actions-title']")).to_have_count(0)  # a final state
    prefect.assert_clean()

    # In the list, only the CTAI is in force for Rennes Métropole (F24).
    agent = actors(RENNES_AGENT)
    agent.visit("/ctai/?etat=signed", "liste-en-vigueur")
    rows = agent.page.get_by_role("row").filter(has_text="Rennes Métropole")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(RENNES_CTAI)
    actors.assert_clean()
