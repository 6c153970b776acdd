"""A PTAI from the agent's draft to `closed`, and its money chain as the flyer says it (F36-F38):
instructed locally, validated by the préfet, then by the Ministère, which validates and delegates the
credits to the département, where the préfet — the local authorising officer — commits them, pays
the advance, and pays the balance on the final report (F03: funding drawn from the national
envelope, never beyond it; F41: on the line of the public).

Money setups go through the finance services: 2021 credits opened on the national envelopes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.services import set_signing_delegation
from audit.models import Event
from documents.models import Document
from finance.balances import balance, commitment_totals
from finance.enums import EntryKind, EnvelopeLevel, Tranche
from finance.models import Commitment, Envelope, LedgerEntry
from finance.services import FinanceError, commit, delegate
from programme.enums import BudgetLineCode, ContributionKind, TargetPublic
from programme.models import Campaign, Domain
from projects.enums import Opinion, ProjectState, ResourceKind
from projects.errors import TransitionError
from projects.models import Project, ProjectTransition
from projects.services import apply_transition, create_draft, set_budget, set_contributions
from tests.factories import grenoble_metropole, isere, make_user
from tests.factories import rhone as make_rhone
from tests.projects.conftest import euros
from tests.projects.factories import ProjectFactory
from tests.reporting.factories import accepted_final_report

pytestmark = pytest.mark.django_db
S = ProjectState


def trace() -> dict[str, int]:
    return {
        "transitions": ProjectTransition.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "envelopes": Envelope.objects.count(),
        "commitments": Commitment.objects.count(),
        "events": Event.objects.count(),
    }


STEPS = {
    "submit": "agent_lead",
    "start_review": "instructor_isere",
    "give_opinion": "instructor_isere",
    "prefect_approve": "prefect_isere",
    "ministry_approve": "ministry",
    "delegate_credits": "ministry",
    "commit": "prefect_isere",
    "close": "prefect_isere",
}
TO_MINISTRY = ("submit", "start_review", "give_opinion", "prefect_approve")
TO_DELEGATION = (*TO_MINISTRY, "ministry_approve", "delegate_credits")
TO_FUNDED = (*TO_DELEGATION, "commit")


def walk(project: Project, people: dict[str, Any], *steps: str, granted: str = "40000") -> Project:
    """Apply the steps, each by the person whose job it is."""
    inputs = {
        "give_opinion": {"opinion": Opinion.FAVORABLE, "reason": "Projet utile.", "amount": granted},
        "ministry_approve": {"amount": granted},
    }
    for step in steps:
        project = apply_transition(project=project, name=step, user=people[STEPS[step]], **inputs.get(step, {}))
    return project


def isere_envelope_of(project: Project, code: str = BudgetLineCode.NEWCOMERS) -> Envelope:
    return Envelope.objects.get(campaign=project.campaign, department=project.department, budget_line__code=code)


def test_f30_f38_journey_from_draft_to_closed_through_the_services(
    people, national_2021, mailoutbox, django_capture_on_commit_callbacks
):
    """F30-F38: the agent builds the request, the State services of Isère instruct, the préfet
    validates, the Ministère validates and delegates the 40 000 € to Isère, the préfet commits them
    with a 50 % advance, and pays the balance on the final report. Each movement by its actor; the
    national and départemental figures move by exactly the granted amount."""
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
    national = national_2021[BudgetLineCode.NEWCOMERS]

    with django_capture_on_commit_callbacks(execute=True):
        project = walk(project, people, *TO_MINISTRY, "ministry_approve")
    # F38: the Ministère validates against the national envelope; nothing moved yet.
    assert (project.state, project.reference, project.granted_amount) == (
        S.MINISTRY_APPROVED,
        "PTAI-2021-38-0001",
        euros(40000),
    )
    assert not Envelope.objects.filter(level=EnvelopeLevel.DEPARTMENT).exists()

    with django_capture_on_commit_callbacks(execute=True):
        project = walk(project, people, "delegate_credits")
    assert project.state == S.CREDITS_DELEGATED
    envelope = isere_envelope_of(project)  # F41: action 12 for a project open to all
    out = LedgerEntry.objects.get(envelope=national, kind=EntryKind.DELEGATION_OUT)
    assert (out.amount, out.funded, out.created_by, out.counterpart_of.envelope) == (
        euros(40000),
        project,
        people["ministry"],
        envelope,
    )
    assert balance(national.pk).available == euros(60000)
    assert (balance(envelope.pk).received, balance(envelope.pk).committed) == (euros(40000), euros(0))

    with django_capture_on_commit_callbacks(execute=True):
        project = walk(project, people, "commit")
    assert project.state == S.FUNDED
    assert (project.commitment.envelope, project.commitment.created_by) == (envelope, people["prefect_isere"])
    assert commitment_totals([project.commitment_id])[project.commitment_id] == (euros(40000), euros(20000))
    advance = LedgerEntry.objects.get(commitment=project.commitment, kind=EntryKind.PAYMENT)
    assert (advance.tranche, advance.created_by) == (Tranche.ADVANCE, people["prefect_isere"])
    assert balance(envelope.pk).available == euros(0)
    assert balance(national.pk).available == euros(60000)
    assert {d.kind for d in Document.objects.for_target(project)} == {"decision-attributive", "lettre-notification"}
    # Issue 10: each step tells the next actor, and the collectivité of each decision, with a link.
    by_email = {user.email: name for name, user in people.items()}
    told: dict[str, list[str]] = {}
    for mail in mailoutbox:
        (address,) = mail.to
        told.setdefault(by_email.get(address, address), []).append(mail.subject.split(" : ", 1)[1])
        assert f"http://testserver/ptai/{project.pk}/" in mail.body
    assert told["instructor_isere"] == ["ptai déposé"]
    assert told["agent_lead"] == [
        "instruction commencée",
        "validé par le préfet et transmis au ministère",
        "validé par le ministère",
        "crédits délégués au département par le ministère",
        "crédits engagés par le préfet et avance versée",
    ]
    assert told["prefect_isere"] == [
        "avis d'instruction rendu",
        "validé par le ministère",
        "crédits délégués au département par le ministère",
    ]
    assert "Ce qui est attendu de vous : engager les crédits délégués" in mailoutbox[-3].body + mailoutbox[-4].body

    accepted_final_report(project)
    project = apply_transition(project=project, name="close", user=people["prefect_isere"])
    assert project.state == S.CLOSED
    assert commitment_totals([project.commitment_id])[project.commitment_id] == (euros(40000), euros(40000))
    balance_paid = LedgerEntry.objects.get(commitment=project.commitment, tranche=Tranche.BALANCE)
    assert balance_paid.amount == euros(20000)
    assert [t.transition for t in project.transitions.all()] == [*TO_FUNDED, "close"]


def test_f38_the_ministry_validates_against_the_national_envelope_never_the_departements(people, national_2021):
    """Isère holds no credit at all: the Ministère may still validate 100 000 € (all that is open
    nationally on action 12), and not a cent more."""
    project = walk(ProjectFactory(requested_amount=Decimal("150000.00")), people, *TO_MINISTRY)
    before = trace()
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="ministry_approve", user=people["ministry"], amount="100000.01")
    assert caught.value.code == "finance_beyond_available"
    assert caught.value.messages == [
        "Le montant accordé (100\u202f000,01\u00a0€) dépasse les crédits nationaux 2021 encore disponibles "
        "sur la ligne 104-12 : 100\u202f000,00\u00a0€."
    ]
    assert trace() == before

    project = apply_transition(project=project, name="ministry_approve", user=people["ministry"], amount="100000")
    assert project.state == S.MINISTRY_APPROVED
    assert not Envelope.objects.filter(level=EnvelopeLevel.DEPARTMENT).exists()


def test_f38_what_the_ministry_granted_and_not_yet_delegated_is_not_granted_twice(people, national_2021):
    """70 000 € granted to a file still waiting for its delegation: only 30 000 € remain to grant."""
    waiting = walk(
        ProjectFactory(requested_amount=Decimal("70000.00")), people, *TO_MINISTRY, "ministry_approve", granted="70000"
    )
    project = walk(ProjectFactory(), people, *TO_MINISTRY)
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="ministry_approve", user=people["ministry"], amount="40000")
    assert caught.value.messages == [
        "Le montant accordé (40\u202f000,00\u00a0€) dépasse les crédits nationaux 2021 encore disponibles sur la "
        "ligne 104-12 : 100\u202f000,00\u00a0€, dont 70\u202f000,00\u00a0€ déjà accordés à des dossiers en "
        "attente de délégation."
    ]
    assert apply_transition(
        project=project, name="ministry_approve", user=people["ministry"], amount="30000"
    ).state == (S.MINISTRY_APPROVED)
    assert waiting.state == S.MINISTRY_APPROVED


def test_f41_a_bpi_only_project_is_delegated_and_committed_on_action_15(people, national_2021):
    project = ProjectFactory(
        target_public=TargetPublic.BPI_ONLY,
        bpi_justification="Les BPI du territoire n'ont aucun accompagnement.",
        widening_perspective="Ouverture aux autres primo-arrivants en 2022.",
    )
    project = walk(project, people, *TO_FUNDED)
    assert project.commitment.envelope == isere_envelope_of(project, BudgetLineCode.REFUGEES)
    assert project.commitment.envelope.budget_line.code == "104-15"
    assert balance(national_2021[BudgetLineCode.REFUGEES].pk).available == euros(20000)
    assert balance(national_2021[BudgetLineCode.NEWCOMERS].pk).available == euros(100000)


def test_f38_delegated_through_the_region_when_the_envelopes_are_organised_so(people, national_2021):
    """Auvergne-Rhône-Alpes received 30 000 € of action 12 and passed 10 000 € to Isère: the file's
    40 000 € go national → région → Isère, each hop linked to the file; the région keeps what it had."""
    ministry = people["ministry"]
    national = national_2021[BudgetLineCode.NEWCOMERS]
    region = delegate(actor=ministry, source=national, region=isere().region, amount="30000").counterpart_of.envelope
    delegate(actor=ministry, source=region, department=isere(), amount="10000")
    region_before = balance(region.pk)

    project = walk(ProjectFactory(), people, *TO_DELEGATION)

    hops = LedgerEntry.objects.filter(kind=EntryKind.DELEGATION_OUT, funded_id=str(project.pk)).order_by("pk")
    assert [(h.envelope.level, h.counterpart_of.envelope.level, h.amount) for h in hops] == [
        (EnvelopeLevel.NATIONAL, EnvelopeLevel.REGION, euros(40000)),
        (EnvelopeLevel.REGION, EnvelopeLevel.DEPARTMENT, euros(40000)),
    ]
    assert balance(region.pk).available == region_before.available
    assert balance(isere_envelope_of(project).pk).received == euros(50000)
    assert balance(national.pk).available == euros(100000 - 30000 - 40000)


def test_f38_a_departement_fed_by_the_region_receives_through_it(people, national_2021):
    """Isère's envelope already receives its credits from the région: the file's delegation follows
    the same path (an envelope has one parent)."""
    ministry = people["ministry"]
    national = national_2021[BudgetLineCode.NEWCOMERS]
    region = delegate(actor=ministry, source=national, region=isere().region, amount="5000").counterpart_of.envelope
    isere_own = delegate(actor=ministry, source=region, department=isere(), amount="5000").counterpart_of.envelope

    project = walk(ProjectFactory(), people, *TO_FUNDED)

    assert project.commitment.envelope == isere_own
    assert balance(region.pk).available == euros(0)


def test_f38_only_the_ministry_delegates_and_only_the_authorising_officer_commits(people, national_2021):
    project = walk(ProjectFactory(), people, *TO_MINISTRY, "ministry_approve")
    for who in ("prefect_isere", "instructor_isere", "agent_lead", "diair", "admin"):
        with pytest.raises(TransitionError) as caught:
            apply_transition(project=project, name="delegate_credits", user=people[who])
        assert caught.value.code == "not_allowed"
    project = walk(project, people, "delegate_credits")
    for who in ("ministry", "instructor_isere", "prefect_rhone", "agent_lead", "diair", "admin"):
        with pytest.raises(TransitionError) as caught:
            apply_transition(project=project, name="commit", user=people[who])
        assert caught.value.code == "not_allowed", who
    assert apply_transition(project=project, name="commit", user=people["prefect_region"]).state == S.FUNDED


def test_f38_an_instructeur_with_the_prefects_signing_delegation_commits_and_closes(people, national_2021):
    """The préfet delegates his signature to an agent of the préfecture: he commits and pays like him."""
    project = walk(ProjectFactory(), people, *TO_DELEGATION)
    instructor = people["instructor_isere"]
    set_signing_delegation(actor=people["prefect_isere"], membership=instructor.memberships.get(), granted=True)
    instructor = type(instructor).objects.get(pk=instructor.pk)  # memberships are cached per instance

    project = apply_transition(project=project, name="commit", user=instructor)
    assert (project.state, project.commitment.created_by) == (S.FUNDED, instructor)
    accepted_final_report(project)
    assert apply_transition(project=project, name="close", user=instructor).state == S.CLOSED
    assert Event.objects.filter(verb="accounts.signing_delegation_granted", target_id=str(instructor.pk)).exists()


def test_only_the_prefect_of_the_departement_delegates_his_signature(people):
    membership = people["instructor_isere"].memberships.get()
    for who in ("prefect_rhone", "ministry", "instructor_isere", "agent_lead"):
        with pytest.raises(PermissionDenied) as caught:
            set_signing_delegation(actor=people[who], membership=membership, granted=True)
        assert "Seul le préfet du département" in str(caught.value)
    membership.refresh_from_db()
    assert membership.signing_delegation is False
    set_signing_delegation(actor=people["prefect_region"], membership=membership, granted=True)
    membership.refresh_from_db()
    assert membership.signing_delegation is True


def test_credits_delegated_for_a_file_are_held_for_it_until_committed(people, national_2021):
    """Once the Ministère delegated a file's 40 000 € to Isère, the préfet cannot spend them on
    anything else; the file's own commitment takes them."""
    project = walk(ProjectFactory(), people, *TO_DELEGATION)
    envelope = isere_envelope_of(project)
    other = ProjectFactory()
    with pytest.raises(FinanceError) as caught:
        commit(actor=people["prefect_isere"], envelope=envelope, amount="1", funded=other, label="Autre", rules={})
    assert caught.value.code == "beyond_available"
    assert (
        "dont 40\u202f000,00\u00a0€ délégués pour des dossiers dont l'engagement est attendu"
        in caught.value.messages[0]
    )
    assert walk(project, people, "commit").state == S.FUNDED


def test_a_commitment_is_cancelled_through_the_file_back_to_credits_delegated(people, national_2021):
    """An error in the commitment: the préfet cancels it from the file (motif required); the advance
    and the commitment are reversed, the credits are held for the file again, and it can be committed anew."""
    project = walk(ProjectFactory(), people, *TO_FUNDED)
    envelope = isere_envelope_of(project)
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="cancel_commitment", user=people["prefect_isere"], reason=" ")
    assert caught.value.code == "reason_required"

    project = apply_transition(
        project=project,
        name="cancel_commitment",
        user=people["prefect_isere"],
        reason="Arrêté pris sur la mauvaise ligne.",
    )
    assert (project.state, project.commitment) == (S.CREDITS_DELEGATED, None)
    assert (balance(envelope.pk).committed, balance(envelope.pk).paid) == (euros(0), euros(0))
    assert LedgerEntry.objects.filter(envelope=envelope, reverses__isnull=False).count() == 2
    project = walk(project, people, "commit")
    assert (project.state, commitment_totals([project.commitment_id])[project.commitment_id]) == (
        S.FUNDED,
        (euros(40000), euros(20000)),
    )


def test_the_ministry_takes_back_the_credits_of_a_file_not_committed(people, national_2021):
    project = walk(ProjectFactory(), people, *TO_DELEGATION)
    national = national_2021[BudgetLineCode.NEWCOMERS]
    project = apply_transition(
        project=project, name="cancel_delegation", user=people["ministry"], reason="Délégation sur le mauvais exercice."
    )
    assert project.state == S.MINISTRY_APPROVED
    assert balance(national.pk).available == euros(100000)
    assert balance(isere_envelope_of(project).pk).received == euros(0)


def test_the_ledger_refuses_to_reverse_what_belongs_to_a_file(people, national_2021):
    """A file is never "engagé" with no money behind it: its entries are cancelled through it only."""
    from finance.services import reverse

    project = walk(ProjectFactory(), people, *TO_FUNDED)
    for entry in LedgerEntry.objects.filter(funded_id=str(project.pk)) | LedgerEntry.objects.filter(
        commitment=project.commitment
    ):
        with pytest.raises(FinanceError) as caught:
            reverse(actor=people["ministry"], entry=entry, reason="Erreur")
        assert caught.value.code == "through_workflow"


def test_close_with_a_lower_final_amount_pays_what_was_spent_and_releases_the_rest(people, national_2021):
    """The balance is paid up to the final amount; the unspent 8 000 € go back to the envelope, as a
    release (its own entry), never called a cancellation."""
    project = walk(ProjectFactory(), people, *TO_FUNDED)
    envelope_id = project.commitment.envelope_id
    available_before = balance(envelope_id).available
    accepted_final_report(project)
    project = apply_transition(project=project, name="close", user=people["prefect_isere"], amount="32 000")
    assert commitment_totals([project.commitment_id])[project.commitment_id] == (euros(32000), euros(32000))
    assert balance(envelope_id).available == available_before + euros(8000)
    assert balance(envelope_id).released == euros(8000)
    release = LedgerEntry.objects.get(commitment=project.commitment, kind=EntryKind.RELEASE)
    assert (release.amount, release.reverses) == (euros(8000), None)
    assert project.reference in release.reason
    assert project.transitions.last().amount == euros(32000)


def test_close_below_what_was_paid_is_refused(people, national_2021):
    project = walk(ProjectFactory(), people, *TO_FUNDED)
    accepted_final_report(project)
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="close", user=people["prefect_isere"], amount="1000")
    assert caught.value.code == "finance_amount_below_paid"
    assert Project.objects.get(pk=project.pk).state == S.FUNDED


def test_f32_f38_granted_above_the_request_is_refused(people):
    """F32 (a variable amount, no minimum) and F38: the Ministère grants up to what was requested."""
    project = walk(ProjectFactory(), people, *TO_MINISTRY)
    before = trace()
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="ministry_approve", user=people["ministry"], amount="50000.01")
    assert caught.value.code == "amount_above_requested"
    assert "ne peut pas dépasser le montant demandé" in caught.value.messages[0]
    assert trace() == before
    assert Project.objects.get(pk=project.pk).state == S.PREFECT_APPROVED


def test_credits_delegated_elsewhere_since_the_approval_are_refused_at_delegation(people, national_2021):
    """Validated within the national credits, but the Ministère delegated them elsewhere since: the
    delegation is refused with the finance message, and nothing is written."""
    project = walk(
        ProjectFactory(requested_amount=Decimal("150000.00")), people, *TO_MINISTRY, "ministry_approve", granted="90000"
    )
    national = national_2021[BudgetLineCode.NEWCOMERS]
    delegate(actor=people["ministry"], source=national, department=make_rhone(), amount="20000")
    before = trace()
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="delegate_credits", user=people["ministry"])
    assert caught.value.code == "finance_beyond_available"
    assert caught.value.messages[0].startswith("Impossible de déléguer 90")
    assert trace() == before
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.state, fresh.commitment_id) == (S.MINISTRY_APPROVED, None)


def test_delegate_credits_without_national_credits_is_refused(people):
    project = ProjectFactory(ministry_approved=True)
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="delegate_credits", user=people["ministry"])
    assert caught.value.code == "finance_no_national_envelope"
    assert caught.value.messages == ["Aucun crédit 2021 n'est ouvert sur la ligne 104-12 : ouvrez d'abord les crédits."]


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


def test_f37_avis_and_prefect_decision_come_from_two_different_people(people):
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


def test_no_mail_and_no_letter_when_the_transition_is_rolled_back(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    project = ProjectFactory(ministry_approved=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        apply_transition(project=project, name="delegate_credits", user=people["ministry"])
    assert mailoutbox == []


def test_ministry_send_back_reopens_the_instruction_and_keeps_the_former_avis_in_the_log(people):
    project = walk(ProjectFactory(), people, *TO_MINISTRY)
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


def test_granted_amount_changes_are_kept_in_history(people, national_2021):
    project = walk(ProjectFactory(), people, *TO_MINISTRY, "ministry_approve")
    assert [h.granted_amount for h in project.history.order_by("history_date")][-1] == euros(40000)
