"""One PTAI from the agent's draft to `closed`, through the API alone, each actor with a token."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from documents.models import Document
from finance.balances import balance
from programme.enums import BudgetLineCode
from programme.models import Campaign
from projects.enums import ProjectState
from projects.models import Project, ProjectTransition
from tests.api.conftest import API, ApiClient
from tests.factories import grenoble_metropole
from tests.projects.conftest import make_persona, national_credits
from tests.reporting.factories import accepted_final_report

pytestmark = pytest.mark.django_db

PTAI = f"{API}/ptai"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def refused(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["detail"] and body["code"]
    return body


def envelope_balance(client: ApiClient, line: str) -> dict[str, str]:
    envelopes = client.get_json(f"{API}/envelopes/", year=2021, line=line)["results"]
    (isere,) = [e for e in envelopes if e["departement"] == "38"]
    balance: dict[str, str] = isere["balance"]
    return balance


def test_f38_a_ptai_goes_from_draft_to_closed_through_the_api_alone(django_capture_on_commit_callbacks: Any) -> None:
    """F36-F38 through the API: the Ministère validates and delegates the credits to Isère, the
    préfet of Isère commits them and pays the balance on the final report."""
    agent = ApiClient(make_persona("agent_lead"))
    instructor = ApiClient(make_persona("instructor_isere"))
    prefect = ApiClient(make_persona("prefect_isere"))
    ministry = ApiClient(make_persona("ministry"))
    assert ministry.user is not None
    national = national_credits(
        Campaign.objects.get(year=2021), BudgetLineCode.NEWCOMERS, "100000", actor=ministry.user
    )
    lead = grenoble_metropole()

    def act(client: ApiClient, pk: int, name: str, **body: Any) -> Any:
        return client.post_json(f"{PTAI}/{pk}/transitions/{name}/", body)

    # The agent creates a draft, then gives its budget and domains.
    created = ok(
        agent.post_json(
            f"{PTAI}/",
            {
                "authority": lead.code,
                "year": 2021,
                "title": "Accueillir les primo-arrivants dans la métropole",
                "summary": "Ateliers de français et accompagnement vers l'emploi.",
                "start_date": "2021-09-01",
                "end_date": "2022-08-31",
                "planned_bpi": 30,
                "planned_newcomers": 50,
                "diagnostic": "Diagnostic partagé avec la préfecture.",
            },
        ),
        201,
    )
    pk = created["id"]
    assert created["state"] == "draft"
    assert created["state_label"] == "Brouillon"
    assert created["authority"] == {"code": lead.code, "name": lead.name}
    assert created["departement"] == "38"
    assert created["year"] == 2021
    assert created["requested_amount"] == "0.00"

    patched = ok(
        agent.patch(
            f"{PTAI}/{pk}/",
            {
                "domains": ["formation-linguistique", "logement"],
                "budget": {
                    "expenses": [{"nature": "Animation des ateliers", "amount": "70000"}],
                    "resources": [
                        {"kind": "state_request", "amount": "50000"},
                        {"kind": "authority_cofunding", "amount": "20000.00"},
                    ],
                },
            },
            content_type="application/json",
        )
    )
    assert sorted(patched["domains"]) == ["formation-linguistique", "logement"]
    assert patched["requested_amount"] == "50000.00"
    assert patched["budget"]["expenses"] == [{"nature": "Animation des ateliers", "amount": "70000.00"}]
    assert "ptai.engagement.required" in {f["rule_id"] for f in patched["findings"]}

    # Submitted without the collectivité's engagement: refused with the rule id, nothing changes.
    body = refused(act(agent, pk, "submit"))
    assert "ptai.engagement.required" in body["rule_ids"]
    assert Project.objects.get(pk=pk).state == ProjectState.DRAFT

    ok(
        agent.patch(
            f"{PTAI}/{pk}/",
            {"contributions": [{"kind": "room", "description": "Une salle de la maison des habitants."}]},
            content_type="application/json",
        )
    )
    submitted = ok(act(agent, pk, "submit"))
    assert submitted["state"] == "submitted"
    assert submitted["reference"].startswith("PTAI-2021-38-")

    # Instruction, a correction, resubmission.
    assert ok(act(instructor, pk, "start_review"))["state"] == "in_review"
    body = refused(act(instructor, pk, "request_correction"))
    assert body["code"] == "reason_required"
    assert ok(act(instructor, pk, "request_correction", reason="Précisez le calendrier."))["state"] == (
        "correction_requested"
    )
    ok(agent.patch(f"{PTAI}/{pk}/", {"end_date": "2022-07-31"}, content_type="application/json"))
    assert ok(act(agent, pk, "resubmit"))["state"] == "in_review"

    # Avis, préfet, Ministère.
    reviewed = ok(act(instructor, pk, "give_opinion", opinion="favorable", reason="Projet cohérent.", amount="45000"))
    assert (reviewed["state"], reviewed["opinion"], reviewed["proposed_amount"]) == (
        "reviewed",
        "favorable",
        "45000.00",
    )
    assert ok(act(prefect, pk, "prefect_approve"))["state"] == "prefect_approved"

    body = refused(act(ministry, pk, "ministry_approve", amount="60000"))
    assert body["code"] == "amount_above_requested"
    assert Project.objects.get(pk=pk).state == ProjectState.PREFECT_APPROVED
    approved = ok(act(ministry, pk, "ministry_approve", amount="45000.00"))
    assert (approved["state"], approved["granted_amount"]) == ("ministry_approved", "45000.00")

    # The Ministère delegates the granted amount from the national envelope to Isère's.
    delegated = ok(act(ministry, pk, "delegate_credits"))
    assert (delegated["state"], delegated["state_label"]) == ("credits_delegated", "Crédits délégués")
    assert balance(national.pk).available == Decimal("55000")
    before = envelope_balance(ministry, BudgetLineCode.NEWCOMERS)
    assert (Decimal(before["received"]), Decimal(before["committed"])) == (Decimal("45000"), Decimal("0"))
    # Not the Ministère's to commit: the préfet, authorising officer of Isère, commits and pays.
    assert refused(act(ministry, pk, "commit"), 409)["code"] == "transition_unavailable"
    with django_capture_on_commit_callbacks(execute=True):
        funded = ok(act(prefect, pk, "commit"))
    rate = Decimal(str(Project.objects.get(pk=pk).rules.get("advance_rate", "50")))
    advance = (Decimal("45000") * rate / 100).quantize(Decimal("0.01"))
    assert (funded["state"], funded["committed_amount"], funded["paid_amount"]) == ("funded", "45000.00", str(advance))
    after = envelope_balance(ministry, BudgetLineCode.NEWCOMERS)
    assert Decimal(after["committed"]) - Decimal(before["committed"]) == Decimal("45000")
    assert Decimal(after["available"]) == Decimal(before["available"]) - Decimal("45000")
    assert Decimal(after["paid"]) == advance
    # The letters, as from the pages.
    assert Document.objects.filter(kind__in=["decision-attributive", "lettre-notification"]).count() == 2

    # A second click: refused in French, nothing written.
    logged = ProjectTransition.objects.filter(project_id=pk).count()
    body = refused(act(prefect, pk, "commit"), 409)
    assert body["code"] == "transition_unavailable"
    assert ProjectTransition.objects.filter(project_id=pk).count() == logged

    # The préfet closes on the final report, spending 40 000 €: the balance is paid, 5 000 € released.
    accepted_final_report(Project.objects.get(pk=pk))
    closed = ok(act(prefect, pk, "close", amount="40 000"))
    assert (closed["state"], closed["committed_amount"], closed["paid_amount"]) == ("closed", "40000.00", "40000.00")
    final = envelope_balance(ministry, BudgetLineCode.NEWCOMERS)
    assert (Decimal(final["paid"]), Decimal(final["released"])) == (Decimal("40000"), Decimal("5000"))
    assert ok(prefect.get(f"{PTAI}/{pk}/transitions/")) == []
    steps = list(ProjectTransition.objects.filter(project_id=pk).values_list("transition", flat=True))
    assert steps == [
        "submit",
        "start_review",
        "request_correction",
        "resubmit",
        "give_opinion",
        "prefect_approve",
        "ministry_approve",
        "delegate_credits",
        "commit",
        "close",
    ]
