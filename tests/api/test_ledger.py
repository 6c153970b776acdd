"""`GET /api/v1/ledger/`: the ledger's entries with the scopes of the page « Écritures » — an
instructeur of Isère sees Isère's envelopes' entries only, the Ministère every one, a collectivité's
agent none (403) — with its filters and French errors."""

from __future__ import annotations

import pytest

from finance.models import LedgerEntry
from tests.api.conftest import API, ApiClient, all_rows

pytestmark = pytest.mark.django_db


def test_an_instructeur_of_isere_reads_isere_entries_only(demo_money: None, api_instructor_isere: ApiClient) -> None:
    rows = all_rows(api_instructor_isere, f"{API}/ledger/")
    assert rows
    assert {row["scope_label"] for row in rows} == {"Isère (38)"}
    first = rows[0]
    assert set(first) == {
        "id", "created_at", "envelope", "year", "line", "level", "scope_label", "kind", "kind_label",
        "amount", "tranche", "commitment", "reverses", "reason", "created_by",
    }  # fmt: skip
    entry = LedgerEntry.objects.get(pk=first["id"])
    assert first["amount"] == f"{entry.amount:.2f}"
    assert first["tranche"] is None  # an empty choice is null, not ""
    rhone = LedgerEntry.objects.filter(envelope__department__code="69").first()
    assert rhone is not None
    assert api_instructor_isere.get_json(f"{API}/ledger/{rhone.pk}/", expected=404)["detail"] == "Introuvable."


def test_the_ministry_reads_every_entry_and_filters(demo_money: None, api_ministry: ApiClient) -> None:
    assert api_ministry.get_json(f"{API}/ledger/")["count"] == LedgerEntry.objects.count()
    rows = all_rows(api_ministry, f"{API}/ledger/", year=2022, line="104-12", kind="delegation_in", departement="69")
    assert rows and all(
        (r["year"], r["line"], r["kind"], r["scope_label"]) == (2022, "104-12", "delegation_in", "Rhône (69)")
        for r in rows
    )
    body = api_ministry.get_json(f"{API}/ledger/", expected=400, kind="vol", date_from="hier")
    assert set(body["errors"]) == {"kind", "date_from"}


def test_a_collectivite_agent_may_not_read_the_ledger(api_agent_grenoble: ApiClient) -> None:
    body = api_agent_grenoble.get_json(f"{API}/ledger/", expected=403)
    assert body["detail"] == "Seuls les services de l'État consultent les écritures du budget."
