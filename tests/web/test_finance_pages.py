"""Budget pages (issue 3, point 7): who sees what, the money forms and their confirmation step,
query budgets, exports, and balances shown equal to a recomputation from the ledger (F03, F41, F43).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Role
from core.formats import format_euros
from finance import services
from finance.balances import balance
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope, LedgerEntry
from programme.models import BudgetLine, Campaign
from tests.factories import MembershipFactory, department, isere, make_user, rhone
from tests.reporting.factories import accepted_final_report
from tests.web.html import field_errors, form_errors, parse, text_of
from tests.web.personas import PersonaClient, persona

pytestmark = pytest.mark.django_db


def money_text(amount: Decimal) -> str:
    """An amount as read on the page (spaces collapsed, like `text_of`)."""
    return " ".join(format_euros(amount).split())


@pytest.fixture
def money(db: None) -> SimpleNamespace:
    """2021, line 104-15: 6 M€ opened; 1 M€ to Auvergne-Rhône-Alpes, 400 k€ of it on to Isère;
    300 k€ straight to Rhône; 50 k€ to Rhône, then reversed."""
    actor = make_user(Role.MINISTRY)
    campaign = Campaign.objects.get(year=2021)
    line = BudgetLine.objects.get(code="104-15")
    services.open_national_envelope(actor=actor, campaign=campaign, budget_line=line, amount="6000000")
    national = Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)
    services.delegate(actor=actor, source=national, region=isere().region, amount="1000000")
    aura = Envelope.objects.get(campaign=campaign, budget_line=line, region=isere().region)
    services.delegate(actor=actor, source=aura, department=isere(), amount="400000", reason="Socle CTAI")
    services.delegate(actor=actor, source=national, department=rhone(), amount="300000")
    extra = services.delegate(actor=actor, source=national, department=rhone(), amount="50000")
    services.reverse(actor=actor, entry=extra, reason="Erreur de saisie")
    return SimpleNamespace(
        actor=actor,
        campaign=campaign,
        line=line,
        national=national,
        aura=aura,
        isere=Envelope.objects.get(campaign=campaign, budget_line=line, department=isere()),
        rhone=Envelope.objects.get(campaign=campaign, budget_line=line, department=rhone()),
    )


@pytest.fixture
def prefect_aura(db: None) -> PersonaClient:
    """Préfet de la région Auvergne-Rhône-Alpes."""
    return PersonaClient(MembershipFactory(prefect_auvergne_rhone_alpes=True).user)


def envelope_url(envelope: Envelope) -> str:
    return reverse("web:envelope_detail", args=[envelope.pk])


def delegate_url(envelope: Envelope) -> str:
    return reverse("web:envelope_delegate", args=[envelope.pk])


# --- Permission matrix -----------------------------------------------------------------------------

OUTSIDERS = ("no_role_user", "agent_grenoble", "agent_lyon", "operator_user")
STATE = ("instructor_isere", "instructor_rhone", "prefect_isere", "prefect_rhone", "diair", "ministry", "admin")


@pytest.mark.parametrize("page", ["web:budget", "web:ledger", "web:ledger_csv"])
@pytest.mark.parametrize("name", OUTSIDERS + STATE)
def test_budget_pages_for_state_roles_only(
    request: pytest.FixtureRequest, money: SimpleNamespace, name: str, page: str
) -> None:
    response = persona(request, name).get(reverse(page))
    assert response.status_code == (200 if name in STATE else 404)


def test_anonymous_is_sent_to_log_in(anonymous: PersonaClient, money: SimpleNamespace) -> None:
    response = anonymous.get(reverse("web:budget"))
    assert response.status_code == 302
    assert "/connexion" in response["Location"] or "login" in response["Location"]


# Envelope pages: (envelope, personas who read it). Everyone else: 404.
ENVELOPE_READERS = {
    "national": {"diair", "ministry", "admin"},
    "aura": {"diair", "ministry", "admin", "prefect_aura"},
    "isere": {"diair", "ministry", "admin", "prefect_aura", "instructor_isere", "prefect_isere"},
    "rhone": {"diair", "ministry", "admin", "prefect_aura", "instructor_rhone", "prefect_rhone"},
}


@pytest.mark.parametrize("envelope", list(ENVELOPE_READERS))
@pytest.mark.parametrize("name", [*OUTSIDERS, *STATE, "prefect_aura"])
def test_envelope_page_is_scoped(
    request: pytest.FixtureRequest, money: SimpleNamespace, name: str, envelope: str
) -> None:
    response = persona(request, name).get(envelope_url(getattr(money, envelope)))
    assert response.status_code == (200 if name in ENVELOPE_READERS[envelope] else 404)


# Delegate form: from the national envelope, Ministère and administrateur; from a région's, also its préfet.
DELEGATORS = {"national": {"ministry", "admin"}, "aura": {"ministry", "admin", "prefect_aura"}, "isere": set()}


@pytest.mark.parametrize("envelope", list(DELEGATORS))
@pytest.mark.parametrize("name", [*OUTSIDERS, *STATE, "prefect_aura"])
def test_delegate_form_is_for_delegators_only(
    request: pytest.FixtureRequest, money: SimpleNamespace, name: str, envelope: str
) -> None:
    response = persona(request, name).get(delegate_url(getattr(money, envelope)))
    assert response.status_code == (200 if name in DELEGATORS[envelope] else 404)


def test_instructeur_reads_isere_envelope_without_any_action(
    instructor_isere: PersonaClient, money: SimpleNamespace
) -> None:
    html = instructor_isere.get(envelope_url(money.isere)).text
    assert money_text(Decimal("400000")) in text_of(html)
    assert "Socle CTAI" in html
    assert delegate_url(money.isere) not in html
    assert "/annuler/" not in html
    assert instructor_isere.get(envelope_url(money.rhone)).status_code == 404


def test_instructeur_budget_page_shows_only_isere(instructor_isere: PersonaClient, money: SimpleNamespace) -> None:
    html = instructor_isere.get(reverse("web:budget"), {"annee": "2021"}).text
    assert f"territoire-{money.isere.pk}" in html
    assert f"territoire-{money.rhone.pk}" not in html
    assert f"territoire-{money.aura.pk}" not in html
    assert "national-summary" not in html


def test_ministry_sees_actions_on_national_envelope(ministry: PersonaClient, money: SimpleNamespace) -> None:
    html = ministry.get(envelope_url(money.national)).text
    assert delegate_url(money.national) in html
    assert "Annuler" in html and "Annulée" in html  # the reversed delegation is marked, not offered again


def test_other_region_prefect_gets_404_on_reverse(prefect_isere: PersonaClient, money: SimpleNamespace) -> None:
    entry = LedgerEntry.objects.get(envelope=money.aura, kind=EntryKind.DELEGATION_OUT)
    assert prefect_isere.get(reverse("web:entry_reverse", args=[entry.pk])).status_code == 404


# --- Delegate form: bad amounts, confirmation, double submission ---------------------------------


def vienne() -> object:
    return department("86")


def delegate_data(**overrides: str) -> dict[str, str]:
    return {"region": "", "department": str(vienne().pk), "amount": "150 000", "reason": "", **overrides}


def hidden_inputs(html: str) -> dict[str, str]:
    return {
        node.attrs["name"]: node.attrs.get("value", "")
        for node in parse(html).iter()
        if node.tag == "input" and node.attrs.get("type") == "hidden"
    }


BAD_AMOUNTS = [
    pytest.param("-100", "ne peut pas être négatif", id="negative"),
    pytest.param("1e9", "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67", id="exponent"),
    pytest.param("12,345.67", "est ambigu", id="english thousands"),
    pytest.param("0", "supérieur à zéro", id="zero"),
    pytest.param("cent mille", "Indiquez un montant en euros", id="text"),
    pytest.param("12,345", "deux décimales", id="three decimals"),
    pytest.param("5 000 001", "Impossible de déléguer", id="above available"),
    pytest.param("", "Indiquez un montant", id="empty"),
]


@pytest.mark.parametrize("confirm", [False, True], ids=["first step", "confirmation step"])
@pytest.mark.parametrize(("amount", "message"), BAD_AMOUNTS)
def test_delegate_refuses_bad_amounts_beside_the_field(
    ministry: PersonaClient, money: SimpleNamespace, amount: str, message: str, confirm: bool
) -> None:
    before = LedgerEntry.objects.count()
    data = delegate_data(amount=amount)
    if confirm:
        data |= {"confirm": "1", "state": str(balance(money.national.pk).available)}
    response = ministry.post(delegate_url(money.national), data)
    assert response.status_code == 400
    errors = field_errors(response.text, "id_amount")
    assert errors and message in errors[0]
    assert LedgerEntry.objects.count() == before


def test_delegate_needs_exactly_one_target(ministry: PersonaClient, money: SimpleNamespace) -> None:
    before = LedgerEntry.objects.count()
    response = ministry.post(delegate_url(money.national), delegate_data(department=""))
    assert response.status_code == 400
    assert field_errors(response.text, "id_region") == ["Choisissez une région ou un département (l'un des deux)."]
    assert LedgerEntry.objects.count() == before


def test_delegate_writes_only_on_confirmation_and_only_once(ministry: PersonaClient, money: SimpleNamespace) -> None:
    before = LedgerEntry.objects.count()
    url = delegate_url(money.national)
    first = ministry.post(url, delegate_data(amount="150 000"))
    assert first.status_code == 200
    question = text_of(first.text)
    assert (
        "Vous allez déléguer 150 000,00 € de l'enveloppe 2021 — 104-15 — National à Vienne (86). Confirmer ?"
        in question
    )
    assert LedgerEntry.objects.count() == before
    hidden = hidden_inputs(first.text)
    assert hidden["confirm"] == "1" and hidden["amount"] == "150 000"
    second = ministry.post(url, hidden)
    assert second.status_code == 302
    assert LedgerEntry.objects.count() == before + 2
    vienne_envelope = Envelope.objects.get(department=vienne(), campaign=money.campaign, budget_line=money.line)
    assert balance(vienne_envelope.pk).received == Decimal("150000.00")
    # The same confirmation sent again (double click, back button): refused, nothing written.
    again = ministry.post(url, hidden)
    assert again.status_code == 400
    assert any(message.startswith("Le solde a changé depuis votre demande") for message in form_errors(again.text))
    assert LedgerEntry.objects.count() == before + 2


def test_prefect_of_region_delegates_to_its_departements_only(
    prefect_aura: PersonaClient, money: SimpleNamespace
) -> None:
    url = delegate_url(money.aura)
    html = prefect_aura.get(url).text
    assert 'name="region"' not in html
    gironde = department("33")
    response = prefect_aura.post(url, {"department": str(gironde.pk), "amount": "1000"})
    assert response.status_code == 400
    assert field_errors(response.text, "id_department")
    first = prefect_aura.post(url, {"department": str(department("63").pk), "amount": "1 234,50"})
    assert "Vous allez déléguer 1 234,50 €" in text_of(first.text)
    assert prefect_aura.post(url, hidden_inputs(first.text)).status_code == 302
    puy_de_dome = Envelope.objects.get(department__code="63", campaign=money.campaign, budget_line=money.line)
    assert puy_de_dome.parent == money.aura
    assert balance(puy_de_dome.pk).received == Decimal("1234.50")


@pytest.mark.parametrize("confirm", [False, True], ids=["first step", "confirmation step"])
def test_target_fed_by_another_envelope_is_refused(
    ministry: PersonaClient, money: SimpleNamespace, confirm: bool
) -> None:
    """The Rhône envelope receives from the national one: delegating to it from the région is refused."""
    before = LedgerEntry.objects.count()
    data = {"department": str(rhone().pk), "amount": "1000", "reason": ""}
    if confirm:
        data |= {"confirm": "1", "state": str(balance(money.aura.pk).available)}
    response = ministry.post(delegate_url(money.aura), data)
    assert response.status_code == 400
    assert "reçoit déjà ses crédits" in field_errors(response.text, "id_department")[0]
    assert LedgerEntry.objects.count() == before


# --- Reverse and open credits --------------------------------------------------------------------


def test_reverse_needs_a_reason_and_a_confirmation(ministry: PersonaClient, money: SimpleNamespace) -> None:
    entry = LedgerEntry.objects.get(envelope=money.aura, kind=EntryKind.DELEGATION_OUT)
    url = reverse("web:entry_reverse", args=[entry.pk])
    before = LedgerEntry.objects.count()
    response = ministry.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert field_errors(response.text, "id_reason") == ["Indiquez le motif de l'annulation."]
    first = ministry.post(url, {"reason": "Doublon"})
    assert first.status_code == 200 and "Vous allez annuler l'écriture" in text_of(first.text)
    assert LedgerEntry.objects.count() == before
    confirmation = {"reason": "Doublon", "confirm": "1", "state": "open"}
    assert ministry.post(url, confirmation).status_code == 302
    assert LedgerEntry.objects.count() == before + 2
    assert balance(money.isere.pk).received == Decimal("0.00")
    again = ministry.post(url, confirmation)
    assert again.status_code == 400
    assert LedgerEntry.objects.count() == before + 2


def test_open_credits_within_the_national_envelope(ministry: PersonaClient, money: SimpleNamespace) -> None:
    url = reverse("web:open_credits", args=[2021])
    line = BudgetLine.objects.get(code="104-12")
    before = LedgerEntry.objects.count()
    too_much = ministry.post(url, {"budget_line": str(line.pk), "amount": "3 000 000,01"})
    assert too_much.status_code == 400
    assert "il reste 3 000 000,00 € à ouvrir" in " ".join(field_errors(too_much.text, "id_amount")[0].split())
    first = ministry.post(url, {"budget_line": str(line.pk), "amount": "3 000 000"})
    assert first.status_code == 200 and "Confirmer ?" in first.text
    data = hidden_inputs(first.text)
    assert ministry.post(url, data).status_code == 302
    assert LedgerEntry.objects.count() == before + 1
    assert ministry.post(url, data).status_code == 400  # the double submission
    assert LedgerEntry.objects.count() == before + 1


@pytest.mark.parametrize("name", ["diair", "prefect_isere", "instructor_isere", "agent_grenoble"])
def test_open_credits_is_for_ministry_and_admin(
    request: pytest.FixtureRequest, money: SimpleNamespace, name: str
) -> None:
    assert persona(request, name).get(reverse("web:open_credits", args=[2021])).status_code == 404


# --- Balances shown = recomputation from the ledger ----------------------------------------------


def recompute(envelope: Envelope) -> dict[str, Decimal]:
    """The balance of an envelope from its entries, the long way (no `finance.balances`)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for entry in LedgerEntry.objects.filter(envelope=envelope):
        sums[entry.kind] += entry.amount
    received = sums[EntryKind.ALLOCATION] + sums[EntryKind.DELEGATION_IN]
    delegated, committed, paid = sums[EntryKind.DELEGATION_OUT], sums[EntryKind.COMMITMENT], sums[EntryKind.PAYMENT]
    return {
        "received": received,
        "delegated": delegated,
        "committed": committed,
        "paid": paid,
        "available": received - delegated - committed,
        "to_pay": committed - paid,
    }


def figures(node: object) -> dict[str, str]:
    return {child.attrs["data-figure"]: child.text() for child in node.iter() if "data-figure" in child.attrs}  # type: ignore[attr-defined]


def test_national_page_balances_equal_the_ledger(ministry: PersonaClient, money: SimpleNamespace) -> None:
    page = parse(ministry.get(reverse("web:budget") + "?annee=2021").text)
    for envelope in (money.aura, money.isere, money.rhone):
        shown = figures(page.by_id(f"territoire-{envelope.pk}"))
        expected = recompute(envelope)
        assert shown == {key: money_text(value) for key, value in expected.items()}
    national = figures(page.by_id("national-104-15"))
    expected = recompute(money.national)
    assert national == {key: money_text(expected[key]) for key in ("received", "delegated", "available")}
    totals = figures(page.by_id("totaux-104-15"))
    # What left the national envelope is what reached the territories; it is available or committed there.
    assert totals["received"] == money_text(expected["delegated"])
    rows = [recompute(e) for e in (money.aura, money.isere, money.rhone)]
    assert totals["available"] == money_text(sum((r["available"] for r in rows), Decimal(0)))
    assert figures(page.by_id("national-summary"))["opened"] == money_text(Decimal("6000000"))


def test_envelope_page_balance_equals_the_ledger(prefect_aura: PersonaClient, money: SimpleNamespace) -> None:
    page = parse(prefect_aura.get(envelope_url(money.aura)).text)
    expected = recompute(money.aura)
    assert figures(page.by_id("envelope-balance")) == {key: money_text(value) for key, value in expected.items()}


def test_bar_is_a_meter_without_inline_style(ministry: PersonaClient, money: SimpleNamespace) -> None:
    html = ministry.get(reverse("web:budget"), {"annee": "2021"}).text
    meter = parse(html).by_id(f"territoire-{money.aura.pk}")
    meters = [n for n in meter.iter() if n.tag == "meter"]  # type: ignore[union-attr]
    assert meters and meters[0].attrs["max"] == "1000000.00" and meters[0].attrs["value"] == "400000.00"
    assert meters[0].attrs["aria-label"].startswith("Part redéléguée ou engagée : 40 %")
    assert "style=" not in html


# --- Filters, ledger, exports -----------------------------------------------------------------------


def test_envelope_entries_filters(ministry: PersonaClient, money: SimpleNamespace) -> None:
    url = envelope_url(money.national)
    html = ministry.get(url, {"kind": EntryKind.DELEGATION_OUT, "amount_min": "100 000"}).text
    assert "2 écritures" in text_of(html)  # 1 M€ and 300 k€; not the 50 k€ nor its reversal
    bad = ministry.get(url, {"amount_min": "abc"})
    assert bad.status_code == 400 and field_errors(bad.text, "id_amount_min")


def add_entries(envelope: Envelope, count: int) -> None:
    LedgerEntry.objects.bulk_create(
        LedgerEntry(envelope=envelope, kind=EntryKind.ALLOCATION, amount=Decimal("1.00"), reason=f"n° {i}")
        for i in range(count)
    )


ROWS = [pytest.param(10, id="10 entries"), pytest.param(1000, id="1000 entries")]
# savepoint + release, session, user, memberships; then the page's own queries.
# Measured: the budget page 4 (campaigns, lines, envelopes, balances: one grouped query); an envelope
# 7 (envelope, children, balances, what is held for PTAI with delegated credits, count, page of
# entries, timeline) — plus, on a département's page, one more for the files holding credits and one
# per kind of file its entries belong to (PTAI, CTAI programming); the ledger 6 (campaign years for
# the filter, its region and département choices, count, page).
BUDGET = {"budget": 9, "envelope": 14, "ledger": 12}  # ledger: the page's ids, then its rows (web.paging)


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize(
    ("page", "name"),
    [
        ("budget", "ministry"),
        ("budget", "prefect_isere"),
        ("envelope", "ministry"),
        ("envelope", "instructor_isere"),
        ("ledger", "ministry"),
        ("ledger", "prefect_isere"),
    ],
)
def test_query_budget(
    request: pytest.FixtureRequest,
    django_assert_max_num_queries: object,
    money: SimpleNamespace,
    rows: int,
    page: str,
    name: str,
) -> None:
    add_entries(money.isere, rows)
    add_entries(money.national, rows)
    client = persona(request, name)
    url = {
        "budget": reverse("web:budget") + "?annee=2021",
        "envelope": envelope_url(money.isere if name != "ministry" else money.national),
        "ledger": reverse("web:ledger"),
    }[page]
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(BUDGET[page]):  # type: ignore[operator]
        response = client.get(url)
    assert response.status_code == 200


def read_csv(response: object) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_export_is_exactly_what_is_filtered(ministry: PersonaClient, money: SimpleNamespace) -> None:
    query = {"department": str(rhone().pk), "year": "2021"}
    response = ministry.get(reverse("web:ledger_csv"), query)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    expected = list(LedgerEntry.objects.filter(envelope=money.rhone).order_by("created_at", "pk"))
    assert [int(row["N° d'écriture"]) for row in rows] == [e.pk for e in expected]
    assert [row["Montant (€)"] for row in rows] == ["300000,00", "50000,00", "-50000,00"]
    assert {row["Territoire"] for row in rows} == {"Rhône (69)"}


def test_xlsx_export_is_exactly_what_is_filtered(ministry: PersonaClient, money: SimpleNamespace) -> None:
    query = {"kind": EntryKind.DELEGATION_OUT}
    response = ministry.get(reverse("web:ledger_xlsx"), query)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)  # type: ignore[attr-defined]
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    assert header[0] == "N° d'écriture"
    expected = LedgerEntry.objects.filter(kind=EntryKind.DELEGATION_OUT).order_by("created_at", "pk")
    assert [row[0] for row in rows] == [e.pk for e in expected]
    assert [Decimal(str(row[7])) for row in rows] == [e.amount for e in expected]
    workbook.close()


def test_export_of_a_scoped_user_holds_only_its_entries(prefect_isere: PersonaClient, money: SimpleNamespace) -> None:
    rows = read_csv(prefect_isere.get(reverse("web:ledger_csv")))
    assert [int(row["N° d'écriture"]) for row in rows] == list(
        LedgerEntry.objects.filter(envelope=money.isere).order_by("created_at", "pk").values_list("pk", flat=True)
    )


def test_ledger_filters_by_region(ministry: PersonaClient, money: SimpleNamespace) -> None:
    region = isere().region
    html = ministry.get(reverse("web:ledger"), {"region": str(region.pk)}).text
    count = LedgerEntry.objects.filter(envelope__in=[money.aura, money.isere, money.rhone]).count()
    assert f"{count} écritures" in text_of(html)


def test_navigation_has_budget_for_state_roles(instructor_isere: PersonaClient, agent_grenoble: PersonaClient) -> None:
    assert 'href="/budget/"' in instructor_isere.get(reverse("web:dashboard")).text
    assert 'href="/budget/"' not in agent_grenoble.get(reverse("web:dashboard")).text


# --- What belongs to a file, on the envelope's page (F38) --------------------------------------------


def test_f38_the_envelope_shows_what_is_held_for_files_and_links_each_entry_to_its_file(
    money: SimpleNamespace, prefect_isere: PersonaClient, ministry: PersonaClient
) -> None:
    """Isère's page says what is held for a PTAI whose credits were delegated; the delegation, the
    commitment and the payment link to the file and offer no "Annuler" (they are cancelled through
    the file); a release is shown as such, never as a cancellation."""
    from projects.services import apply_transition
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(
        ministry_approved=True,
        granted_amount=Decimal("12000.00"),
        target_public="bpi_only",
        bpi_justification="Les BPI n'ont pas d'accompagnement.",
        widening_perspective="Ouverture en 2022.",
    )
    apply_transition(project=project, name="delegate_credits", user=ministry.user)
    text = text_of(prefect_isere.get(envelope_url(money.isere)).text)
    assert (
        f"dont {money_text(Decimal('12000'))} délégués pour des PTAI dont l'engagement par le préfet est attendu"
        in (text)
    )
    project = apply_transition(project=project, name="commit", user=prefect_isere.user)
    accepted_final_report(project)
    apply_transition(project=project, name="close", user=prefect_isere.user, amount="10000")

    page = parse(prefect_isere.get(envelope_url(money.isere)).text)
    file_url = reverse("web:project_detail", args=[project.pk])
    rows = [
        row
        for row in page.iter()
        if row.tag == "tr" and any(link.attrs.get("href") == file_url for link in row.iter() if link.tag == "a")
    ]
    kinds = sorted(cell.text() for row in rows for cell in [c for c in row.iter() if c.tag == "td"][2:3])
    assert kinds == ["Délégation reçue", "Engagement", "Libération de crédits", "Versement", "Versement"]
    assert all("Annuler" not in row.text() and "Annulée" not in row.text() for row in rows)
    assert f"Libéré (engagé puis non consommé) {money_text(Decimal('2000'))}" in text_of(
        prefect_isere.get(envelope_url(money.isere)).text
    )
