"""The money writes of the pages « Budget » through the API (`finance.services`, which check the
actor): open credits on a national envelope, delegate them to a département, reverse an entry —
403 for a role in scope without the right, 404 outside the scope, 409 for a second reversal or a
balance changed since it was read, 400 in French beyond what is available; the re-authentication
of a State session (a token call needs none: docs/api.md)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope, LedgerEntry
from identity.sessions import AUTH_AT
from programme.models import Campaign
from tests.api.conftest import API, ApiClient
from tests.projects.conftest import make_persona

pytestmark = pytest.mark.django_db


def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def refused(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["detail"] and body["code"]
    return body


def test_the_ministry_opens_delegates_and_reverses_credits_through_the_api() -> None:
    campaign = Campaign.objects.get(year=2022)
    ministry, diair = ApiClient(make_persona("ministry")), ApiClient(make_persona("diair"))
    instructor, agent = ApiClient(make_persona("instructor_isere")), ApiClient(make_persona("agent_lead"))
    opening = {"line": "104-15", "amount": "100000", "reason": "Première ouverture"}

    # Open: the Ministère only (the Diair reads the campaigns but opens nothing).
    assert refused(diair.post_json(f"{API}/campaigns/2022/credits/", opening), 403)["code"] == "permission_denied"
    assert refused(ministry.post_json(f"{API}/campaigns/2022/credits/", {**opening, "line": "999"}))["errors"] == {
        "line": ["La ligne 999 n'est pas ouverte pour la campagne 2022."]
    }
    beyond = refused(
        ministry.post_json(f"{API}/campaigns/2022/credits/", {**opening, "amount": str(campaign.national_envelope + 1)})
    )
    assert beyond["code"] == "beyond_national_envelope"
    opened = ok(ministry.post_json(f"{API}/campaigns/2022/credits/", opening))
    assert (opened["kind"], opened["amount"], opened["level"], opened["reason"]) == (
        "allocation",
        "100000.00",
        "national",
        "Première ouverture",
    )
    national = Envelope.objects.get(campaign=campaign, level=EnvelopeLevel.NATIONAL, budget_line__code="104-15")

    # Delegate to Isère: out of scope for an instructeur (404), beyond the available (400), then 201.
    delegation = {"departement": "38", "amount": "60000", "reason": "Isère"}
    assert refused(instructor.post_json(f"{API}/envelopes/{national.pk}/delegate/", delegation), 404)
    assert refused(ministry.post_json(f"{API}/envelopes/{national.pk}/delegate/", {"amount": "1"}))[
        "errors"
    ].keys() == {"departement"}
    too_much = refused(
        ministry.post_json(f"{API}/envelopes/{national.pk}/delegate/", {**delegation, "amount": "100001"})
    )
    assert too_much["code"] == "beyond_available"
    stale = {**delegation, "expected_available": "99999"}
    assert (
        refused(ministry.post_json(f"{API}/envelopes/{national.pk}/delegate/", stale), 409)["code"] == "state_changed"
    )
    sent = ok(
        ministry.post_json(f"{API}/envelopes/{national.pk}/delegate/", {**delegation, "expected_available": "100000"})
    )
    assert (sent["kind"], sent["amount"], sent["envelope"]) == ("delegation_out", "60000.00", national.pk)
    isere = Envelope.objects.get(campaign=campaign, department__code="38", budget_line__code="104-15")
    assert instructor.get_json(f"{API}/envelopes/{isere.pk}/")["balance"]["received"] == "60000.00"

    # The instructeur sees Isère's envelope and its entries, but delegates and reverses nothing (403).
    assert refused(instructor.post_json(f"{API}/envelopes/{isere.pk}/delegate/", delegation), 403)
    received = LedgerEntry.objects.get(envelope=isere, kind=EntryKind.DELEGATION_IN)
    assert refused(instructor.post_json(f"{API}/ledger/{received.pk}/reverse/", {"reason": "Erreur"}), 403)
    assert refused(agent.post_json(f"{API}/ledger/{received.pk}/reverse/", {"reason": "Erreur"}), 403)

    # Reverse: a reason is required; then once (a second time: 409).
    assert refused(ministry.post_json(f"{API}/ledger/{sent['id']}/reverse/", {}))["errors"].keys() == {"reason"}
    reversal = ok(ministry.post_json(f"{API}/ledger/{sent['id']}/reverse/", {"reason": "Erreur de département"}))
    assert (reversal["reverses"], reversal["amount"]) == (sent["id"], "-60000.00")
    again = refused(ministry.post_json(f"{API}/ledger/{sent['id']}/reverse/", {"reason": "Encore"}), 409)
    assert again["code"] == "already_reversed"
    assert instructor.get_json(f"{API}/envelopes/{isere.pk}/")["balance"]["available"] == "0.00"
    assert LedgerEntry.objects.filter(envelope__campaign=campaign).count() == 5


def test_a_state_session_confirms_its_identity_before_moving_money_a_token_does_not() -> None:
    user = make_persona("ministry")
    session = Client()
    session.force_login(user)  # authenticated now: recent enough
    body = {"line": "104-15", "amount": "1000"}
    ok(session.post(f"{API}/campaigns/2022/credits/", body, content_type="application/json"))
    store = session.session
    store[AUTH_AT] = int(time.time()) - 3600  # an hour ago: past REAUTH_MAX_AGE
    store.save()
    stale = session.post(f"{API}/campaigns/2022/credits/", body, content_type="application/json")
    assert refused(stale, 403)["code"] == "reauthentication_required"
    assert LedgerEntry.objects.count() == 1
    store[AUTH_AT] = int(time.time())
    store.save()
    ok(session.post(f"{API}/campaigns/2022/credits/", body, content_type="application/json"))
    ok(ApiClient(user).post_json(f"{API}/campaigns/2022/credits/", body))
    assert LedgerEntry.objects.filter(kind=EntryKind.ALLOCATION).count() == 3
    assert sum(e.amount for e in LedgerEntry.objects.all()) == Decimal("3000")
