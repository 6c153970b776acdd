"""Campaign and domain pages: administrators edit, the Diair and the Ministère read, others get 404."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from audit.models import Event
from programme.models import Campaign, Domain
from tests.web.html import field_errors, parse, text_of
from tests.web.personas import PERSONAS, PersonaClient, persona
from tests.web.test_query_budgets import add_events

Counter = Callable[[int], AbstractContextManager[object]]

READERS = ("diair", "ministry", "admin")
OUTSIDERS = tuple(name for name in PERSONAS if name not in READERS and name != "anonymous")


def campaign_url(year: int = 2021) -> str:
    return reverse("web:campaign_detail", args=[year])


def edit_url(year: int = 2022) -> str:
    return reverse("web:campaign_edit", args=[year])


def form_data(client: PersonaClient, year: int = 2022, **changes: Any) -> dict[str, Any]:
    """The edit form as the page fills it, with `changes` applied."""
    form = client.get(edit_url(year)).context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if hasattr(field, "queryset"):
            data[name] = [obj.pk for obj in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = "" if value is None else str(value)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
@pytest.mark.parametrize(
    "url", [reverse("web:campaign_list"), campaign_url(2021), campaign_url(2022), reverse("web:domain_list")]
)
def test_f40_administrators_diair_and_ministry_read_the_campaigns(
    request: pytest.FixtureRequest, name: str, url: str
) -> None:
    response = persona(request, name).get(url)
    assert response.status_code == 200


def test_f03_f40_the_campaign_page_shows_every_parameter_in_french(diair: PersonaClient) -> None:
    text = text_of(diair.get(campaign_url(2022)).text)  # spaces collapsed: no narrow or no-break spaces
    for expected in [
        "9 000 000,00 €",  # F03
        "de 150 000,00 € à 300 000,00 €",  # F15
        "dans la limite de 150 000,00 €",
        "avant le 31/12/2022 pour une signature en 2023",  # F18
        "Programme 104, action 15",  # F41
        "Programme 104, action 12",
        "Métropoles",  # F12
        "Départements",
        "ctai.domains.mandatory",
        "ptai.bpi_only.justification",
        "Hypothèses",
    ]:
        assert expected in text


@pytest.mark.parametrize("name", ["diair", "ministry"])
def test_diair_and_ministry_read_only(request: pytest.FixtureRequest, name: str) -> None:
    client = persona(request, name)
    assert "Modifier les paramètres" not in client.get(campaign_url()).text
    assert "Créer la campagne" not in client.get(reverse("web:campaign_list")).text
    assert client.get(edit_url()).status_code == 404
    assert client.post(edit_url(), {}).status_code == 404
    assert client.post(reverse("web:campaign_create_next")).status_code == 404
    assert client.get(reverse("web:domain_edit", args=["logement"])).status_code == 404
    assert not Campaign.objects.filter(year=2023).exists()


@pytest.mark.parametrize("name", OUTSIDERS)
@pytest.mark.parametrize(
    "url",
    [
        reverse("web:campaign_list"),
        campaign_url(),
        edit_url(),
        reverse("web:domain_list"),
        reverse("web:domain_edit", args=["logement"]),
    ],
)
def test_other_roles_get_404(request: pytest.FixtureRequest, name: str, url: str) -> None:
    assert persona(request, name).get(url).status_code == 404


def test_anonymous_is_sent_to_log_in(anonymous: PersonaClient) -> None:
    response = anonymous.get(reverse("web:campaign_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_year_is_404(admin: PersonaClient) -> None:
    assert admin.get(campaign_url(1990)).status_code == 404


def test_campagnes_is_in_the_navigation_of_readers_only(admin: PersonaClient, instructor_isere: PersonaClient) -> None:
    link = f'href="{reverse("web:campaign_list")}"'
    assert link in admin.get(reverse("web:dashboard")).text
    assert link not in instructor_isere.get(reverse("web:dashboard")).text


def errors_beside(html: str, field_id: str) -> list[str]:
    """`field_errors`, also for a group of checkboxes (DSFR marks its fieldset `fr-fieldset--error`)."""
    box = parse(html).by_id(f"{field_id}-desc-error")
    if box is None:
        return []
    if any("fr-fieldset--error" in node.classes for node in box.ancestors()):
        return [item.text() for item in box.with_class("fr-error-text")]
    return field_errors(html, field_id)


# --- Editing -------------------------------------------------------------------------------------


def test_administrator_edits_2022_and_the_timeline_shows_what_changed(admin: PersonaClient) -> None:
    response = admin.post(edit_url(), form_data(admin, complement_cap="120000", ptai_min_domains="3"))
    assert response.status_code == 302
    campaign = Campaign.objects.get(year=2022)
    assert campaign.complement_cap == Decimal("120000")
    assert campaign.ptai_min_domains == 3
    assert list(campaign.ptai_mandatory_domains.values_list("code", flat=True)) == ["logement"]
    event = Event.objects.for_target(campaign).get()
    assert event.details == {
        "plafond des crédits complémentaires (€)": "150\u202f000,00\u00a0€ → 120\u202f000,00\u00a0€",
        "nombre minimum de domaines (PTAI)": "2 → 3",
    }
    page = text_of(admin.get(campaign_url(2022)).text)
    assert "Paramètres de la campagne modifiés" in page
    assert "2 → 3" in page


def test_submitting_the_form_unchanged_changes_nothing(admin: PersonaClient) -> None:
    assert admin.post(edit_url(), form_data(admin)).status_code == 302
    assert not Event.objects.filter(verb="programme.campaign_updated").exists()


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        pytest.param(
            {"base_min": "300000", "base_max": "150000"},
            "id_base_max",
            "Le socle maximum doit être supérieur ou égal au socle minimum.",
            id="f15 the socle minimum above the maximum is refused",
        ),
        pytest.param(
            {"national_envelope": "-1"},
            "id_national_envelope",
            "Le montant ne peut pas être négatif.",
            id="f03 a negative envelope is refused",
        ),
        pytest.param(
            {"complement_cap": "cent cinquante mille"},
            "id_complement_cap",
            "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67.",
            id="amounts are numbers",
        ),
        pytest.param(
            {"complement_cap": "10,555"},
            "id_complement_cap",
            "Le montant a au plus deux décimales (les centimes) : par exemple 40 000 ou 12 345,67. "
            "Pour les milliers, mettez une espace : 40 000.",
            id="amounts have two decimals at most",
        ),
        pytest.param(
            {"complement_cap": "1e9"},
            "id_complement_cap",
            "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67.",
            id="no exponent",
        ),
        pytest.param(
            {"letter_deadline": "2021-12-31"},
            "id_letter_deadline",
            "La date limite tombe en 2022, pour une signature en 2023.",
            id="f18 the letter deadline falls in the campaign year",
        ),
        pytest.param(
            {"ptai_min_domains": "0"},
            "id_ptai_min_domains",
            "Le nombre minimum de domaines ne peut pas être inférieur au nombre de domaines obligatoires.",
            id="f40 the minimum number of domains counts the mandatory ones",
        ),
        pytest.param(
            {"advance_rate": "101"},
            "id_advance_rate",
            "Assurez-vous que cette valeur est inférieure ou égale à 100.",
            id="the advance is a percentage",
        ),
        pytest.param(
            {"budget_lines": None},
            "id_budget_lines",
            "Cochez au moins une ligne budgétaire.",
            id="f41 a campaign has budget lines",
        ),
    ],
)
def test_campaign_form_errors_beside_the_field(
    admin: PersonaClient, changes: dict[str, Any], field_id: str, message: str
) -> None:
    before = Campaign.objects.get(year=2022).rules()
    data = form_data(admin, **changes)
    if "budget_lines" in changes:
        data.pop("budget_lines", None)
    response = admin.post(edit_url(), data)
    assert response.status_code == 400
    assert message in errors_beside(response.text, field_id)
    assert Campaign.objects.get(year=2022).rules() == before
    assert not Event.objects.filter(verb__startswith="programme.").exists()


def test_administrator_creates_2023_by_copying_2022(admin: PersonaClient) -> None:
    assert "Créer la campagne 2023" in admin.get(reverse("web:campaign_list")).text
    response = admin.post(reverse("web:campaign_create_next"))
    assert response.status_code == 302
    assert response["Location"] == edit_url(2023)
    copy = Campaign.objects.get(year=2023).rules()
    assert copy == {**Campaign.objects.get(year=2022).rules(), "year": 2023, "letter_deadline": "2023-12-31"}
    assert admin.get(edit_url(2023)).status_code == 200


def test_the_create_button_only_answers_post(admin: PersonaClient) -> None:
    assert admin.get(reverse("web:campaign_create_next")).status_code == 405


def test_administrator_renames_a_domain(admin: PersonaClient) -> None:
    url = reverse("web:domain_edit", args=["sante"])
    assert admin.post(url, {"label": "Santé"}).status_code == 302
    assert Domain.objects.get(code="sante").label == "Santé"
    assert "Libellé du domaine modifié" in admin.get(url).text
    response = admin.post(url, {"label": ""})
    assert response.status_code == 400
    assert field_errors(response.text, "id_label") == ["Ce champ est obligatoire."]


# --- Query budgets -------------------------------------------------------------------------------

# Every logged-in page starts with 5 queries (savepoint + release, session, user, memberships).
# Campaign page: + the campaign, its budget lines and two sets of mandatory domains (prefetched), the timeline.
BUDGET = {"campaign_list": 6, "campaign_detail": 10, "domain_list": 6}


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 rows"), pytest.param(200, id="200 rows")])
def test_campaign_list_query_budget(admin: PersonaClient, rows: int, django_assert_max_num_queries: Counter) -> None:
    Campaign.objects.bulk_create(
        Campaign(
            year=2030 + i,
            national_envelope=Decimal("1"),
            base_min=Decimal("1"),
            base_max=Decimal("2"),
            complement_cap=Decimal("1"),
            letter_deadline="2030-12-31",
            evaluation_threshold=Decimal("1"),
        )
        for i in range(rows)
    )
    url = reverse("web:campaign_list")
    admin.get(url)
    with django_assert_max_num_queries(BUDGET["campaign_list"]):
        response = admin.get(url)
    assert response.text.count("Campagne 2") >= rows


@pytest.mark.parametrize("rows", [pytest.param(10, id="10 events"), pytest.param(1000, id="1000 events")])
def test_campaign_detail_query_budget(admin: PersonaClient, rows: int, django_assert_max_num_queries: Counter) -> None:
    campaign = Campaign.objects.get(year=2022)
    campaign.ptai_mandatory_domains.set(Domain.objects.all())
    add_events(campaign, rows)
    url = campaign_url(2022)
    admin.get(url)
    with django_assert_max_num_queries(BUDGET["campaign_detail"]):
        response = admin.get(url)
    assert response.status_code == 200


def test_domain_list_query_budget(admin: PersonaClient, django_assert_max_num_queries: Counter) -> None:
    url = reverse("web:domain_list")
    admin.get(url)
    with django_assert_max_num_queries(BUDGET["domain_list"]):
        assert admin.get(url).status_code == 200
