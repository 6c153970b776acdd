"""A PTAI from the agent's draft to `closed`, and the money at delegate_credits and close (F40, F41).

Money setups go through the finance services: 2021 credits opened and delegated to Isère.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from audit.models import Event
from finance.balances import balance, commitment_totals
from finance.enums import EntryKind, Tranche
from finance.models import Commitment, Envelope, LedgerEntry
from finance.services import commit
from programme.enums import BudgetLineCode, ContributionKind, TargetPublic
from programme.models import Campaign, Domain
from projects.enums import Opinion, ProjectState, ResourceKind
from projects.errors import TransitionError
from projects.models import Project, ProjectTransition
from projects.services import apply_transition, create_draft, set_budget, set_contributions
from tests.factories import grenoble_metropole, make_user
from tests.projects.conftest import euros
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db
S = ProjectState


def trace() -> dict[str, int]:
    return {
        "transitions": ProjectTransition.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "commitments": Commitment.objects.count(),
        "events": Event.objects.count(),
    }


def walk(project: Project, people: dict[str, Any], *steps: str, granted: str = "40000") -> Project:
    """Apply the steps, each by the person whose job it is."""
    by = {
        "submit": ("agent_lead", {}),
        "start_review": ("instructor_isere", {}),
        "give_opinion": (
            "instructor_isere",
            {"opinion": Opinion.FAVORABLE, "reason": "Projet utile.", "amount": granted},
        ),
        "prefect_approve": ("prefect_isere", {}),
        "ministry_approve": ("ministry", {"amount": granted}),
        "delegate_credits": ("ministry", {}),
    }
    for step in steps:
        who, kwargs = by[step]
        project = apply_transition(project=project, name=step, user=people[who], **kwargs)
    return project


def test_f30_journey_from_draft_to_closed_through_the_services(
    people, money_2021, mailoutbox, django_capture_on_commit_callbacks
):
    """F30-F38: the agent builds the request, State services instruct and decide, credits are
    committed on action 12 of Isère with a 50 % advance, and the balance is paid at closing."""
    agent = people["agent_lead"]
    project = create_draft(
        user=agent,
        lead=grenoble_metropole(),
        campaign=Campaign.objects.get(year=2021),
        title="Accueillir les primo-arrivants à Grenoble",
        summary="Ateliers de français et accompagnement vers l'emploi.",
        start_date=date(2021, 9, 1),
        end_date=date(2022, 6, 30),
        domains=Domain.objects.filter(code__in=["formation-linguistique", "emploi"]),
    )
    assert (project.state, project.department.code, project.reference) == (S.DRAFT, "38", "")
    set_budget(
        user=agent,
        project=project,
        expenses=[("Animation", "70 000"), ("Interprétariat", "10000")],
        resources=[
            (ResourceKind.STATE_REQUEST, "", "50 000"),
            (ResourceKind.AUTHORITY_COFUNDING, "Grenoble-Alpes-Métropole", "30000"),
        ],
    )
    set_contributions(
        user=agent,
        project=project,
        contributions=[(ContributionKind.COFUNDING, "Cofinancement sur le budget 2021.", "30000")],
    )
    project.refresh_from_db()
    assert project.requested_amount == euros(50000)

    with django_capture_on_commit_callbacks(execute=True):
        project = walk(
            project,
            people,
            "submit",
            "start_review",
            "give_opinion",
            "prefect_approve",
            "ministry_approve",
            "delegate_credits",
        )
    assert project.reference == "PTAI-2021-38-0001"
    assert project.state == S.FUNDED
    envelope = money_2021[BudgetLineCode.NEWCOMERS]
    assert project.commitment.envelope == envelope  # F41: action 12 for a project open to all
    assert commitment_totals([project.commitment_id])[project.commitment_id] == (euros(40000), euros(20000))
    assert LedgerEntry.objects.get(commitment=project.commitment, kind=EntryKind.PAYMENT).tranche == Tranche.ADVANCE
    assert balance(envelope.pk).available == euros(60000)
    assert [m.subject for m in mailoutbox] == [
        "[Territoires d'intégration] PTAI-2021-38-0001 : validé par le ministère",
        "[Territoires d'intégration] PTAI-2021-38-0001 : crédits délégués",
    ]
    assert mailoutbox[0].to == [agent.email]

    project = apply_transition(project=project, name="close", user=people["instructor_isere"])
    assert project.state == S.CLOSED
    assert commitment_totals([project.commitment_id])[project.commitment_id] == (euros(40000), euros(40000))
    assert LedgerEntry.objects.filter(commitment=project.commitment, tranche=Tranche.BALANCE).get().amount == euros(
        20000
    )
    assert [t.transition for t in project.transitions.all()] == [
        "submit",
        "start_review",
        "give_opinion",
        "prefect_approve",
        "ministry_approve",
        "delegate_credits",
        "close",
    ]


def test_f41_a_bpi_only_project_is_committed_on_action_15(people, money_2021):
    project = ProjectFactory(
        target_public=TargetPublic.BPI_ONLY,
        bpi_justification="Les BPI du territoire n'ont aucun accompagnement.",
        widening_perspective="Ouverture aux autres primo-arrivants en 2022.",
    )
    project = walk(
        project,
        people,
        "submit",
        "start_review",
        "give_opinion",
        "prefect_approve",
        "ministry_approve",
        "delegate_credits",
    )
    assert project.commitment.envelope == money_2021[BudgetLineCode.REFUGEES]
    assert project.commitment.envelope.budget_line.code == "104-15"


def test_close_with_a_lower_final_amount_pays_what_was_spent_and_releases_the_rest(people, money_2021):
    """The balance is paid up to the final amount; the unspent 8 000 € go back to the envelope."""
    project = walk(
        ProjectFactory(),
        people,
        "submit",
        "start_review",
        "give_opinion",
        "prefect_approve",
        "ministry_approve",
        "delegate_credits",
    )
    envelope_id = project.commitment.envelope_id
    available_before = balance(envelope_id).available
    project = apply_transition(project=project, name="close", user=people["ministry"], amount="32 000")
    assert commitment_totals([project.commitment_id])[project.commitment_id] == (euros(32000), euros(32000))
    assert balance(envelope_id).available == available_before + euros(8000)
    release = LedgerEntry.objects.get(commitment=project.commitment, kind="commitment", amount__lt=0)
    assert release.amount == -euros(8000)
    assert project.reference in release.reason
    assert project.transitions.last().amount == euros(32000)


def test_close_below_what_was_paid_is_refused(people, money_2021):
    project = apply_transition(
        project=ProjectFactory(ministry_approved=True), name="delegate_credits", user=people["ministry"]
    )
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="close", user=people["ministry"], amount="1000")
    assert caught.value.code == "amount_below_paid"
    assert Project.objects.get(pk=project.pk).state == S.FUNDED


def test_f40_granted_above_the_request_is_refused(people):
    project = walk(ProjectFactory(), people, "submit", "start_review", "give_opinion", "prefect_approve")
    before = trace()
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="ministry_approve", user=people["ministry"], amount="50000.01")
    assert caught.value.code == "amount_above_requested"
    assert "ne peut pas dépasser le montant demandé" in caught.value.messages[0]
    assert trace() == before
    assert Project.objects.get(pk=project.pk).state == S.PREFECT_APPROVED


def test_granted_above_the_envelope_is_refused_at_the_ministry_approval(people, money_2021):
    """Isère has 100 000 € on action 12: the Ministry cannot grant 120 000 €; nothing is written."""
    project = walk(
        ProjectFactory(requested_amount=Decimal("150000.00")),
        people,
        "submit",
        "start_review",
        "give_opinion",
        "prefect_approve",
    )
    before = trace()
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="ministry_approve", user=people["ministry"], amount="120000")
    assert caught.value.code == "finance_beyond_available"
    assert "dépasse les crédits encore disponibles" in caught.value.messages[0]
    assert "100\u202f000,00\u00a0€" in caught.value.messages[0]
    assert trace() == before
    assert Project.objects.get(pk=project.pk).state == S.PREFECT_APPROVED


def test_credits_spent_elsewhere_since_the_approval_are_refused_at_delegation(people, money_2021):
    """Approved within the envelope, but another commitment took the money since: the commitment is
    refused, with the finance message, and nothing is written."""
    project = walk(
        ProjectFactory(requested_amount=Decimal("150000.00")),
        people,
        "submit",
        "start_review",
        "give_opinion",
        "prefect_approve",
        "ministry_approve",
        granted="90000",
    )
    envelope = Envelope.objects.get(
        campaign=project.campaign, department=project.department, budget_line__code=BudgetLineCode.NEWCOMERS
    )
    commit(actor=people["ministry"], envelope=envelope, amount="20000", funded=envelope, label="autre", rules={})
    before = trace()
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="delegate_credits", user=people["ministry"])
    assert caught.value.code == "finance_beyond_available"
    assert caught.value.messages[0].startswith("Impossible d'engager 90")
    assert trace() == before
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.state, fresh.commitment_id) == (S.MINISTRY_APPROVED, None)


def test_delegate_credits_without_credits_in_the_departement_is_refused(people):
    project = ProjectFactory(ministry_approved=True)
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="delegate_credits", user=people["ministry"])
    assert caught.value.code == "no_envelope"
    assert "Isère" in caught.value.messages[0]


def test_double_click_applies_the_transition_once(people):
    """The same button twice (two requests with the file read before the first one)."""
    project = ProjectFactory()
    apply_transition(project=project, name="submit", user=people["agent_lead"])
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="submit", user=people["agent_lead"])
    assert caught.value.code == "state_changed"
    assert caught.value.messages[0].startswith("Ce dossier a déjà changé d'état : il est maintenant « déposé »")
    assert ProjectTransition.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).reference == "PTAI-2021-38-0001"


def test_references_count_per_year_and_departement(people):
    first = apply_transition(project=ProjectFactory(), name="submit", user=people["agent_lead"])
    second = apply_transition(project=ProjectFactory(), name="submit", user=people["agent_lead"])
    other_year = ProjectFactory(campaign=Campaign.objects.get(year=2022))
    third = apply_transition(project=other_year, name="submit", user=people["agent_lead"])
    assert [first.reference, second.reference, third.reference] == [
        "PTAI-2021-38-0001",
        "PTAI-2021-38-0002",
        "PTAI-2022-38-0001",
    ]


def test_avis_and_prefect_decision_come_from_two_different_people(people):
    """An instructeur who is also préfet of Isère cannot decide on the avis they gave."""
    both = make_user("instructor", department=people["instructor_isere"].memberships.get().department)
    both.memberships.create(role="prefect", department=both.memberships.get().department)
    project = apply_transition(project=ProjectFactory(submitted=True), name="start_review", user=both)
    project = apply_transition(
        project=project, name="give_opinion", user=both, opinion=Opinion.FAVORABLE, reason="Bien.", amount="40000"
    )
    both = type(both).objects.get(pk=both.pk)  # a fresh user (memberships cached per instance)
    for name in ("prefect_approve", "prefect_refuse"):
        with pytest.raises(TransitionError) as caught:
            apply_transition(project=project, name=name, user=both, reason="Non.")
        assert caught.value.code == "not_allowed"
    assert apply_transition(project=project, name="prefect_approve", user=people["prefect_isere"]).state == (
        S.PREFECT_APPROVED
    )


@pytest.mark.parametrize(
    "name", ["request_correction", "prefect_refuse", "ministry_refuse", "ministry_send_back", "dismiss"]
)
def test_refusals_send_back_dismiss_and_corrections_require_a_reason(name, people):
    trait, who = {
        "request_correction": ("in_review", "instructor_isere"),
        "prefect_refuse": ("reviewed", "prefect_isere"),
        "ministry_refuse": ("prefect_approved", "ministry"),
        "ministry_send_back": ("prefect_approved", "ministry"),
        "dismiss": ("in_review", "prefect_isere"),
    }[name]
    project = ProjectFactory(**{trait: True})
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name=name, user=people[who], reason="   ")
    assert caught.value.code == "reason_required"
    assert caught.value.messages[0].startswith("Indiquez le motif")


def test_a_refusal_reason_is_kept_in_the_log_and_mailed_to_the_applicant(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    project = ProjectFactory(reviewed=True)
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(
            project=project,
            name="prefect_refuse",
            user=people["prefect_isere"],
            reason="Public déjà couvert par le CTAI.",
        )
    log = project.transitions.get()
    assert (log.transition, log.reason, log.actor) == (
        "prefect_refuse",
        "Public déjà couvert par le CTAI.",
        people["prefect_isere"],
    )
    assert Event.objects.get(verb="projects.prefect_refuse").details["motif"] == "Public déjà couvert par le CTAI."
    [mail] = mailoutbox
    assert mail.to == [people["agent_lead"].email]
    assert "Public déjà couvert par le CTAI." in mail.body


def test_no_mail_when_the_transition_is_rolled_back(people, mailoutbox, django_capture_on_commit_callbacks):
    project = ProjectFactory(ministry_approved=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        apply_transition(project=project, name="delegate_credits", user=people["ministry"])
    assert mailoutbox == []


def test_ministry_send_back_reopens_the_instruction_and_keeps_the_former_avis_in_the_log(people):
    project = walk(ProjectFactory(), people, "submit", "start_review", "give_opinion", "prefect_approve")
    project = apply_transition(
        project=project, name="ministry_send_back", user=people["ministry"], reason="Précisez le budget."
    )
    assert (project.state, project.opinion, project.opinion_by, project.prefect_decision_by) == (
        S.IN_REVIEW,
        "",
        None,
        None,
    )
    opinion_log = project.transitions.get(transition="give_opinion")
    assert (opinion_log.opinion, opinion_log.amount) == (Opinion.FAVORABLE, euros(40000))


def test_granted_amount_changes_are_kept_in_history(people, money_2021):
    project = walk(
        ProjectFactory(), people, "submit", "start_review", "give_opinion", "prefect_approve", "ministry_approve"
    )
    assert [h.granted_amount for h in project.history.order_by("history_date")][-1] == euros(40000)
