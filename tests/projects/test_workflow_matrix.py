"""Every transition, for every role, in its own scope and another one (F30, F33, F34, F36, F37, F38, F45):
F38 — the Ministère validates and delegates the credits, the département's authorising officer
(its préfet, or the préfet of its région) commits, settles or cancels them.

For each transition, a file of Grenoble-Alpes-Métropole (Isère) with the commune of Voiron as
partner (F45) is put in the transition's source state; each persona either finds the transition
among `available_transitions()` and can apply it, or does not find it and applying it raises
a French `TransitionError` that leaves the file as it was (no log row, no audit event).
"""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import Event
from projects.enums import Opinion, ProjectState
from projects.errors import TransitionError
from projects.models import Project, ProjectTransition
from projects.services import apply_transition, available_transitions
from tests.factories import metropole_de_lyon, rhone
from tests.projects.conftest import PERSONAS, make_persona
from tests.projects.factories import ProjectFactory
from tests.projects.test_journey_and_money import STEPS, walk
from tests.reporting.factories import accepted_final_report

pytestmark = pytest.mark.django_db

APPLICANTS = {"agent_lead", "agent_partner"}
INSTRUCTOR = {"instructor_isere"}
PREFECTS = {"prefect_isere", "prefect_region"}
MINISTRY = {"ministry"}
# The authorising officer of Isère: its préfet or the préfet of its région (an instructeur only with
# the préfet's signing delegation: tests/projects/test_journey_and_money.py).
OFFICERS = PREFECTS

# transition: (the factory trait of its source state, who may apply it, the state it leads to)
TABLE: dict[str, tuple[str | None, set[str], str]] = {
    "submit": (None, APPLICANTS, ProjectState.SUBMITTED),
    "start_review": ("submitted", INSTRUCTOR, ProjectState.IN_REVIEW),
    "request_correction": ("in_review", INSTRUCTOR, ProjectState.CORRECTION_REQUESTED),
    "resubmit": ("correction_requested", APPLICANTS, ProjectState.IN_REVIEW),
    "give_opinion": ("in_review", INSTRUCTOR, ProjectState.REVIEWED),
    "prefect_approve": ("reviewed", PREFECTS, ProjectState.PREFECT_APPROVED),
    "prefect_refuse": ("reviewed", PREFECTS, ProjectState.PREFECT_REFUSED),
    "ministry_approve": ("prefect_approved", MINISTRY, ProjectState.MINISTRY_APPROVED),
    "ministry_refuse": ("prefect_approved", MINISTRY, ProjectState.MINISTRY_REFUSED),
    "ministry_send_back": ("prefect_approved", MINISTRY, ProjectState.IN_REVIEW),
    "delegate_credits": ("walk:ministry_approve", MINISTRY, ProjectState.CREDITS_DELEGATED),
    "cancel_delegation": ("walk:delegate_credits", MINISTRY, ProjectState.MINISTRY_APPROVED),
    "commit": ("walk:delegate_credits", OFFICERS, ProjectState.FUNDED),
    "cancel_commitment": ("walk:commit", OFFICERS, ProjectState.CREDITS_DELEGATED),
    "close": ("walk:commit", OFFICERS, ProjectState.CLOSED),
    "dismiss": ("in_review", INSTRUCTOR | PREFECTS, ProjectState.DISMISSED),
    "withdraw": ("in_review", APPLICANTS, ProjectState.WITHDRAWN),
}
ARGS: dict[str, dict[str, Any]] = {
    "give_opinion": {"opinion": Opinion.FAVORABLE, "reason": "Avis favorable : projet utile.", "amount": "40000"},
    "ministry_approve": {"amount": "40000"},
}


def project_in(trait: str | None, voiron: Any, request: pytest.FixtureRequest | None = None) -> Project:
    """A file in the source state: a factory trait, or "walk:<last step>" for the states that hold
    money (walked through the real services from national credits, by the people whose job it is)."""
    if trait is None or not trait.startswith("walk:"):
        project = ProjectFactory(**({trait: True} if trait else {}))
        project.partners.add(voiron)
        return project
    assert request is not None
    people = request.getfixturevalue("people")
    request.getfixturevalue("national_2021")
    project = ProjectFactory()
    project.partners.add(voiron)
    steps = list(STEPS)
    project = walk(project, people, *steps[: steps.index(trait.removeprefix("walk:")) + 1])
    if trait == "walk:commit":
        accepted_final_report(project)  # the balance (close) waits for it
    return project


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(TABLE))
def test_transition_by_role_and_scope(name: str, persona: str, voiron: Any, request: pytest.FixtureRequest) -> None:
    trait, allowed, target = TABLE[name]
    project = project_in(trait, voiron, request)
    user = make_persona(persona)
    if name == "ministry_approve" and persona in allowed:
        request.getfixturevalue("national_2021")  # the grant is checked against the national envelope
    names = {t.name for t in available_transitions(project, user)}
    kwargs = {"reason": "Motif détaillé pour le dossier.", **ARGS.get(name, {})}

    if persona in allowed:
        assert name in names
        after = apply_transition(project=project, name=name, user=user, **kwargs)
        assert after.state == target
        log = ProjectTransition.objects.filter(project=project).last()
        assert (log.transition, log.source, log.target, log.actor) == (name, project.state, target, user)
        assert Event.objects.filter(verb=f"projects.{name}", target_id=str(project.pk)).count() == 1
    else:
        assert name not in names
        logged = ProjectTransition.objects.filter(project=project).count()
        events = Event.objects.filter(verb__startswith="projects.", target_id=str(project.pk)).count()
        with pytest.raises(TransitionError) as caught:
            apply_transition(project=project, name=name, user=user, **kwargs)
        assert caught.value.code == "not_allowed"
        assert "Vous ne pouvez pas" in caught.value.messages[0]
        assert Project.objects.get(pk=project.pk).state == project.state
        assert ProjectTransition.objects.filter(project=project).count() == logged
        assert Event.objects.filter(verb__startswith="projects.", target_id=str(project.pk)).count() == events


@pytest.mark.parametrize(
    ("persona", "may"), [("instructor_rhone", True), ("instructor_isere", False), ("agent_other", False)]
)
def test_a_rhone_file_is_instructed_in_rhone(persona: str, may: bool) -> None:
    """Own scope / other scope seen from the other side: a file of the Métropole de Lyon."""
    project = ProjectFactory(submitted=True, lead_authority=metropole_de_lyon())
    assert project.department == rhone()
    user = make_persona(persona)
    assert ("start_review" in {t.name for t in available_transitions(project, user)}) is may


def test_each_state_offers_only_its_transitions(voiron: Any) -> None:
    """The applicant of a closed, refused or withdrawn file has nothing left to do; the Ministère
    nothing on a draft (transitions have explicit sources, never "*")."""
    agent, ministry = make_persona("agent_lead"), make_persona("ministry")
    for trait in ("closed", "prefect_refused", "ministry_refused", "dismissed", "withdrawn"):
        project = project_in(trait, voiron)
        assert available_transitions(project, agent) == []
        assert available_transitions(project, ministry) == []
    assert available_transitions(project_in(None, voiron), ministry) == []
    for transition in Project().get_all_state_transitions():
        assert transition.source not in ("*", "+")


def test_available_transitions_describe_their_form(voiron: Any) -> None:
    """What the pages and the API need to build a button: label, target, what to type."""
    project = project_in("in_review", voiron)
    found = {t.name: t for t in available_transitions(project, make_persona("instructor_isere"))}
    assert list(found) == ["request_correction", "give_opinion", "dismiss"]
    assert found["give_opinion"].label == "Rendre l'avis d'instruction"
    assert found["give_opinion"].target == "reviewed"
    assert found["give_opinion"].form.opinion is True
    assert found["dismiss"].form.reason == "required"
