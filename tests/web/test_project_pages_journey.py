"""A PTAI through the pages alone, from the agent's empty draft to `closed`, logging in as each actor
in turn (F30-F38, F41-F45: the Ministère delegates the credits, the préfet commits them), then the
national budget page shows the commitment and payments.
Also: a BPI-only request without its two texts cannot be submitted (F32), and a double click on a
transition button applies it once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from documents.models import Document
from finance.enums import EntryKind
from finance.models import LedgerEntry
from programme.enums import BudgetLineCode
from programme.models import Campaign, Domain
from projects.enums import ProjectState
from projects.models import Project, ProjectTransition
from tests.factories import grenoble_metropole
from tests.projects.conftest import national_credits
from tests.projects.factories import ProjectFactory
from tests.reporting.factories import accepted_final_report
from tests.web.html import all_errors, field_errors, parse, text_of
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db
S = ProjectState


@pytest.fixture
def money(ministry: PersonaClient) -> None:
    """2021 credits opened nationally on both lines (as tests/projects/conftest.py::national_2021)."""
    campaign = Campaign.objects.get(year=2021)
    national_credits(campaign, BudgetLineCode.NEWCOMERS, "100000", actor=ministry.user)
    national_credits(campaign, BudgetLineCode.REFUGEES, "60000", actor=ministry.user)


def step_url(project: Project, step: str) -> str:
    return reverse("web:project_step", args=[project.pk, step])


def act(client: PersonaClient, project: Project, name: str, **data: Any) -> Any:
    """Open the action's form (it must be offered), then confirm it."""
    url = reverse("web:project_transition", args=[project.pk, name])
    page = client.get(reverse("web:project_detail", args=[project.pk]))
    assert url in page.text, f"{name} is not offered to {client.user}"
    assert client.get(url).status_code == 200
    project.refresh_from_db()
    return client.post(url, {"etat": project.state, **data})


def fill_request(agent: PersonaClient, *, target_public: str = "all", **project_fields: str) -> Project:
    """The seven steps, as an agent of Grenoble-Alpes-Métropole types them."""
    response = agent.post(
        reverse("web:project_create"),
        {"lead": grenoble_metropole().pk, "campaign": Campaign.objects.get(year=2021).pk},
    )
    assert response.status_code == 302
    project = Project.objects.get()
    assert response.url == step_url(project, "porteur")
    assert agent.post(step_url(project, "porteur"), {}).url == step_url(project, "projet")
    domains = Domain.objects.filter(code__in=["formation-linguistique", "logement"]).values_list("pk", flat=True)
    response = agent.post(
        step_url(project, "projet"),
        {
            "title": "Accueillir les primo-arrivants à Grenoble",
            "summary": "Ateliers de français et accompagnement vers le logement.",
            "domains": list(domains),
            "start_date": "2021-09-01",
            "end_date": "2022-08-31",
            "target_public": target_public,
            **project_fields,
        },
    )
    assert response.status_code == 302, text_of(response.text)
    assert (
        agent.post(
            step_url(project, "public"),
            {
                "planned_bpi": "20",
                "planned_newcomers": "40",
                "cir_link": "Les ateliers prolongent la formation civique et linguistique du CIR.",
            },
        ).status_code
        == 302
    )
    assert agent.post(step_url(project, "action"), {"carrier_kind": "authority"}).status_code == 302
    response = agent.post(
        step_url(project, "budget"),
        {
            "depenses-TOTAL_FORMS": "1",
            "depenses-INITIAL_FORMS": "0",
            "depenses-0-nature": "Animation des ateliers",
            "depenses-0-amount": "40 000",  # typed as a French agent types it
            "ressources-TOTAL_FORMS": "2",
            "ressources-INITIAL_FORMS": "0",
            "ressources-0-kind": "state_request",
            "ressources-0-amount": "30\u202f000,00 €",
            "ressources-1-kind": "authority_cofunding",
            "ressources-1-amount": "10000.00",
        },
    )
    assert response.status_code == 302, text_of(response.text)
    response = agent.post(
        step_url(project, "engagement"),
        {
            "engagements-TOTAL_FORMS": "1",
            "engagements-INITIAL_FORMS": "0",
            "engagements-0-kind": "room",
            "engagements-0-description": "La salle polyvalente, deux soirs par semaine.",
        },
    )
    assert response.status_code == 302, text_of(response.text)
    response = agent.post(step_url(project, "diagnostic"), {"diagnostic": "Diagnostic partagé en 2020."})
    assert response.status_code == 302
    project.refresh_from_db()
    return project


def test_f30_f45_journey_from_empty_draft_to_closed_through_the_pages(
    agent_grenoble: PersonaClient,
    instructor_isere: PersonaClient,
    prefect_isere: PersonaClient,
    ministry: PersonaClient,
    money: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """F30-F38 through the pages: the Ministère validates and delegates the credits to Isère; the
    préfet of Isère commits them (the letters follow) and pays the balance on the final report."""
    project = fill_request(agent_grenoble)
    assert project.requested_amount == 30000
    assert "Rien ne manque" in agent_grenoble.get(step_url(project, "diagnostic")).text

    assert act(agent_grenoble, project, "submit").status_code == 302
    project.refresh_from_db()
    assert project.state == S.SUBMITTED and project.reference.startswith("PTAI-2021-38-")

    act(instructor_isere, project, "start_review")
    act(
        instructor_isere,
        project,
        "give_opinion",
        opinion="favorable",
        reason="Projet cohérent avec le diagnostic.",
        amount="30 000",
    )
    act(prefect_isere, project, "prefect_approve")
    act(ministry, project, "ministry_approve", amount="25 000,00 €")
    act(ministry, project, "delegate_credits")
    project.refresh_from_db()
    assert project.state == S.CREDITS_DELEGATED
    delegation = LedgerEntry.objects.get(kind=EntryKind.DELEGATION_IN, funded_id=str(project.pk))
    assert (delegation.envelope.department.code, delegation.amount, delegation.created_by) == (
        "38",
        25000,
        ministry.user,
    )
    assert "Crédits délégués" in text_of(prefect_isere.get(reverse("web:project_detail", args=[project.pk])).text)
    with django_capture_on_commit_callbacks(execute=True):
        act(prefect_isere, project, "commit")
    project.refresh_from_db()
    assert project.state == S.FUNDED
    assert project.commitment.created_by == prefect_isere.user
    kinds = set(Document.objects.for_target(project).values_list("kind", flat=True))
    assert kinds == {"decision-attributive", "lettre-notification"}
    # The applicant downloads the décision attributive from the file page.
    page = agent_grenoble.get(reverse("web:project_detail", args=[project.pk]))
    decision = Document.objects.for_target(project).get(kind="decision-attributive")
    assert reverse("web:document_download", args=[decision.pk]) in page.text
    download = agent_grenoble.get(reverse("web:document_download", args=[decision.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    accepted_final_report(project)
    act(prefect_isere, project, "close")
    project.refresh_from_db()
    assert project.state == S.CLOSED
    assert [t.transition for t in ProjectTransition.objects.filter(project=project)] == [
        "submit",
        "start_review",
        "give_opinion",
        "prefect_approve",
        "ministry_approve",
        "delegate_credits",
        "commit",
        "close",
    ]
    payments = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT, commitment=project.commitment)
    assert sorted(p.amount for p in payments) == [12500, 12500]

    # The national budget page shows the commitment and the payments (F03, F38).
    text = text_of(ministry.get(reverse("web:budget") + "?annee=2021").text)
    assert "25 000,00 €" in text
    detail = text_of(agent_grenoble.get(reverse("web:project_detail", args=[project.pk])).text)
    assert "Soldé" in detail and "25 000,00 €" in detail


def test_f32_bpi_only_without_its_two_texts_cannot_be_submitted(agent_grenoble: PersonaClient) -> None:
    project = fill_request(agent_grenoble, target_public="bpi_only")
    page = text_of(agent_grenoble.get(reverse("web:project_detail", args=[project.pk])).text)
    assert "Un projet réservé aux BPI doit être expressément justifié" in page
    assert "perspective d'élargissement aux autres primo-arrivants" in page
    assert "ptai.bpi_only" not in page  # the message, never the rule id
    response = act(agent_grenoble, project, "submit")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "expressément justifié" in text and "ptai.bpi_only" not in text
    project.refresh_from_db()
    assert project.state == S.DRAFT
    # With the two texts, it goes.
    agent_grenoble.post(
        step_url(project, "projet"),
        {
            "title": project.title,
            "summary": project.summary,
            "domains": list(project.domains.values_list("pk", flat=True)),
            "start_date": "2021-09-01",
            "end_date": "2022-08-31",
            "target_public": "bpi_only",
            "bpi_justification": "Les BPI de la métropole n'ont aucun accompagnement.",
            "widening_perspective": "Ouverture aux autres primo-arrivants en 2022.",
        },
    )
    assert act(agent_grenoble, project, "submit").status_code == 302
    project.refresh_from_db()
    assert project.state == S.SUBMITTED


def test_double_click_on_a_transition_applies_it_once(instructor_isere: PersonaClient) -> None:
    project = ProjectFactory(submitted=True)
    url = reverse("web:project_transition", args=[project.pk, "start_review"])
    first = instructor_isere.post(url, {"etat": "submitted"})
    second = instructor_isere.post(url, {"etat": "submitted"}, follow=True)
    assert first.status_code == 302
    assert "Ce dossier a déjà changé d'état" in text_of(second.content.decode())
    project.refresh_from_db()
    assert project.state == S.IN_REVIEW
    assert ProjectTransition.objects.filter(project=project).count() == 1


def test_a_required_reason_is_asked_in_french_beside_the_field(prefect_isere: PersonaClient) -> None:
    project = ProjectFactory(reviewed=True)
    url = reverse("web:project_transition", args=[project.pk, "prefect_refuse"])
    response = prefect_isere.post(url, {"etat": "reviewed", "reason": ""})
    assert response.status_code == 200
    assert field_errors(response.text, "id_reason") == ["Indiquez : motif du refus."]
    project.refresh_from_db()
    assert project.state == S.REVIEWED


def test_refusal_reason_and_letter_are_shown_to_the_applicant(
    prefect_isere: PersonaClient, agent_grenoble: PersonaClient, django_capture_on_commit_callbacks: Any
) -> None:
    project = ProjectFactory(reviewed=True)
    url = reverse("web:project_transition", args=[project.pk, "prefect_refuse"])
    with django_capture_on_commit_callbacks(execute=True):
        response = prefect_isere.post(url, {"etat": "reviewed", "reason": "Le public visé est déjà accompagné."})
    assert response.status_code == 302
    page = text_of(agent_grenoble.get(reverse("web:project_detail", args=[project.pk])).text)
    assert "Le public visé est déjà accompagné." in page
    letter = Document.objects.for_target(project).get()
    assert letter.kind == "lettre-refus"
    assert agent_grenoble.get(reverse("web:document_download", args=[letter.pk])).status_code == 200


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e9", "Indiquez un montant en euros, par exemple 40 000 ou 12 345,67."),
        (
            "12,345.67",
            "« 12,345.67 » est ambigu : séparez les milliers par des espaces et les centimes par une virgule, "
            "par exemple 40 000 ou 12 345,67.",
        ),
        ("-500", "Le montant ne peut pas être négatif."),
    ],
)
def test_an_absurd_amount_is_refused_beside_its_field_and_nothing_is_lost(
    agent_grenoble: PersonaClient, typed: str, message: str
) -> None:
    project = ProjectFactory()
    response = agent_grenoble.post(
        step_url(project, "budget"),
        {
            "depenses-TOTAL_FORMS": "1",
            "depenses-INITIAL_FORMS": "0",
            "depenses-0-nature": "Animation des ateliers",
            "depenses-0-amount": "40 000",
            "ressources-TOTAL_FORMS": "1",
            "ressources-INITIAL_FORMS": "0",
            "ressources-0-kind": "state_request",
            "ressources-0-amount": typed,
        },
    )
    assert response.status_code == 400
    assert all_errors(response.text) == [message]
    cell = next(n for n in parse(response.text).iter() if n.attrs.get("id") == "id_ressources-0-amount").parent
    assert cell is not None and [e.text() for e in cell.with_class("fr-error-text")] == [message]
    # What was typed stays on the page, as typed.
    assert f'value="{typed}"' in response.text and 'value="40 000"' in response.text
    project.refresh_from_db()
    assert project.requested_amount == Decimal("50000.00")


def test_an_amount_is_shown_back_the_french_way(agent_grenoble: PersonaClient) -> None:
    project = ProjectFactory()
    page = agent_grenoble.get(step_url(project, "budget")).text
    assert 'value="50\u202f000"' in page
