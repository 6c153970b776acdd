"""The read endpoints: same scopes as the pages (`for_user`), codes rather than ids, balances from
the ledger. Demo money (`demo.finance`): 2021 and 2022, both budget lines, delegated to régions and
départements — Isère's through Auvergne-Rhône-Alpes, Rhône's directly from the national level."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.enums import EnvelopeLevel
from finance.models import Envelope
from referential.models import Department
from tests.api.conftest import API, ApiClient, all_rows
from tests.programme.seeds import RULES_BY_YEAR

pytestmark = pytest.mark.django_db


# --- Envelopes -----------------------------------------------------------------------------------


def test_instructor_of_isere_sees_only_isere_envelopes(demo_money: None, api_instructor_isere: ApiClient) -> None:
    rows = all_rows(api_instructor_isere, f"{API}/envelopes/")
    assert {(r["year"], r["line"], r["departement"]) for r in rows} == {
        (2021, "104-15", "38"),
        (2021, "104-12", "38"),
        (2022, "104-15", "38"),
        (2022, "104-12", "38"),
    }
    isere_2021 = next(r for r in rows if r["year"] == 2021 and r["line"] == "104-15")
    assert isere_2021["level"] == "department"
    assert isere_2021["scope_label"] == "Isère (38)"
    assert isere_2021["balance"] == {
        "received": "600000.00",
        "delegated": "0.00",
        "committed": "0.00",
        "paid": "0.00",
        "released": "0.00",
        "available": "600000.00",
        "to_pay": "0.00",
    }


def test_ministry_sees_every_envelope(demo_money: None, api_ministry: ApiClient) -> None:
    rows = all_rows(api_ministry, f"{API}/envelopes/")
    assert len(rows) == Envelope.objects.count() == 36
    national = next(r for r in rows if r["level"] == "national" and r["year"] == 2021 and r["line"] == "104-15")
    assert Decimal(national["balance"]["received"]) == Decimal("6000000")
    assert national["region"] is None and national["departement"] is None and national["parent"] is None


def test_regional_prefect_sees_the_region_and_its_departements(demo_money: None, api_prefect_region: ApiClient) -> None:
    rows = all_rows(api_prefect_region, f"{API}/envelopes/", year=2021, line="104-15")
    assert {(r["level"], r["region"], r["departement"]) for r in rows} == {
        ("region", "84", None),
        ("department", None, "38"),
        ("department", None, "63"),
        ("department", None, "69"),  # in the région, though delegated directly by the national level
    }


def test_envelope_filters(demo_money: None, api_ministry: ApiClient) -> None:
    rows = all_rows(api_ministry, f"{API}/envelopes/", year=2022, line="104-12")
    assert rows
    assert {(r["year"], r["line"]) for r in rows} == {(2022, "104-12")}
    assert all_rows(api_ministry, f"{API}/envelopes/", year=2030) == []


def test_envelope_filter_errors_are_french(api_ministry: ApiClient) -> None:
    body = api_ministry.get_json(f"{API}/envelopes/", expected=400, year="deux-mille")
    assert body == {
        "detail": "Un nombre entier valide est requis.",
        "code": "invalid",
        "errors": {"year": ["Un nombre entier valide est requis."]},
        "rule_ids": [],
    }


def test_an_envelope_outside_the_scope_is_not_found(
    demo_money: None, api_instructor_isere: ApiClient, api_instructor_rhone: ApiClient
) -> None:
    rhone = Envelope.objects.filter(department__code="69").first()
    assert rhone is not None
    assert api_instructor_rhone.get_json(f"{API}/envelopes/{rhone.pk}/")["departement"] == "69"
    body = api_instructor_isere.get_json(f"{API}/envelopes/{rhone.pk}/", expected=404)
    assert body == {"detail": "Introuvable.", "code": "not_found", "errors": {}, "rule_ids": []}


def test_agents_and_operators_have_no_envelopes(
    demo_money: None, api_agent_grenoble: ApiClient, api_operator: ApiClient, api_no_role: ApiClient
) -> None:
    for client in (api_agent_grenoble, api_operator, api_no_role):
        assert client.get_json(f"{API}/envelopes/")["count"] == 0


# --- Départements --------------------------------------------------------------------------------


def test_departements_are_scoped(
    api_instructor_isere: ApiClient, api_ministry: ApiClient, api_agent_grenoble: ApiClient, api_operator: ApiClient
) -> None:
    assert [d["code"] for d in all_rows(api_instructor_isere, f"{API}/departements/")] == ["38"]
    assert [d["code"] for d in all_rows(api_agent_grenoble, f"{API}/departements/")] == ["38"]
    assert all_rows(api_operator, f"{API}/departements/") == []
    every = all_rows(api_ministry, f"{API}/departements/")
    assert len(every) == Department.objects.count() == 101
    assert every[0] == {
        "id": Department.objects.get(code="01").pk,
        "code": "01",
        "name": "Ain",
        "region": "84",
        "region_name": "Auvergne-Rhône-Alpes",
    }


def test_pagination(api_ministry: ApiClient) -> None:
    first = api_ministry.get_json(f"{API}/departements/")
    assert first["count"] == 101
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert first["next"].endswith("/api/v1/departements/?page=2")
    third = api_ministry.get_json(f"{API}/departements/", page=3)
    assert [d["code"] for d in third["results"]] == ["976"]
    assert api_ministry.get_json(f"{API}/departements/", expected=404, page=4)["detail"] == "Page non valide."


def test_a_departement_outside_the_scope_is_not_found(api_instructor_isere: ApiClient) -> None:
    assert api_instructor_isere.get_json(f"{API}/departements/38/")["name"] == "Isère"
    assert api_instructor_isere.get_json(f"{API}/departements/69/", expected=404)["detail"] == "Introuvable."


# --- Collectivités -------------------------------------------------------------------------------


def test_search_finds_clermont_ferrand_by_its_insee_code(api_agent_grenoble: ApiClient) -> None:
    body = api_agent_grenoble.get_json(f"{API}/authorities/", q="63113")
    clermont = body["results"][0]
    assert clermont == {
        "id": clermont["id"],
        "code": "63113",
        "name": "Clermont-Ferrand",
        "kind": "commune",
        "epci_nature": None,  # an empty choice is null, not ""
        "departement": "63",
        "population": clermont["population"],
    }
    assert clermont["population"] > 100_000
    # 63113 is also a postcode (Picherande): the exact INSEE code comes first, then the others.
    assert body["count"] == len(body["results"]) >= 2


def test_search_by_name_and_siren(api_instructor_isere: ApiClient) -> None:
    by_name = api_instructor_isere.get_json(f"{API}/authorities/", q="clermont ferrand")["results"]
    assert by_name[0]["code"] == "63113"
    by_siren = api_instructor_isere.get_json(f"{API}/authorities/", q="200040715")["results"]
    assert [(a["code"], a["kind"], a["epci_nature"]) for a in by_siren] == [("200040715", "epci", "METRO")]


def test_search_without_text_is_empty_and_too_long_text_is_refused(api_instructor_isere: ApiClient) -> None:
    assert api_instructor_isere.get_json(f"{API}/authorities/")["count"] == 0
    assert api_instructor_isere.get_json(f"{API}/authorities/", q="  ")["count"] == 0
    body = api_instructor_isere.get_json(f"{API}/authorities/", expected=400, q="x" * 101)
    assert body["errors"] == {"q": ["Assurez-vous que ce champ comporte au plus 100\u00a0caractères."]}


# --- Campaigns -----------------------------------------------------------------------------------


def test_campaigns_and_their_rules(api_ministry: ApiClient) -> None:
    body = api_ministry.get_json(f"{API}/campaigns/")
    assert [c["year"] for c in body["results"]] == [2021, 2022]
    assert body["results"][0]["rules"] == RULES_BY_YEAR[2021]
    assert api_ministry.get_json(f"{API}/campaigns/2022/") == {"year": 2022, "rules": RULES_BY_YEAR[2022]}
    assert api_ministry.get_json(f"{API}/campaigns/2040/", expected=404)["detail"] == "Introuvable."


def test_campaigns_are_read_by_the_roles_that_read_them_on_the_site(
    api_admin: ApiClient, api_agent_grenoble: ApiClient, api_instructor_isere: ApiClient
) -> None:
    assert api_admin.get_json(f"{API}/campaigns/2021/")["year"] == 2021
    for client in (api_agent_grenoble, api_instructor_isere):
        body = client.get_json(f"{API}/campaigns/", expected=403)
        assert body["detail"] == "Seuls l'administration, la Diair et le Ministère consultent les campagnes."
        assert body["code"] == "permission_denied"


def test_national_envelope_count_matches_levels(demo_money: None) -> None:
    """Guards the fixture the tests above rely on."""
    assert Envelope.objects.filter(level=EnvelopeLevel.NATIONAL).count() == 4
