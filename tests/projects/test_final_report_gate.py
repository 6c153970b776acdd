"""The balance of a PTAI (`close`) waits for its final report, handed in by the collectivité and
accepted by the State agent (F38: the credits the préfet commits are paid in full on the report)."""

from __future__ import annotations

import pytest

from finance.models import LedgerEntry
from projects.enums import ProjectState
from projects.errors import TransitionError
from projects.models import Project
from projects.services import apply_transition
from reporting.enums import Period, ReportState
from reporting.models import Report
from reporting.services import apply_transition as report_transition
from reporting.services import save_report
from steering.schedule import ensure_project_reports
from tests.projects.factories import ProjectFactory
from tests.projects.test_journey_and_money import TO_FUNDED, walk

pytestmark = pytest.mark.django_db

COUNTS = {"bpi_reached": "30", "newcomers_reached": "45", "women": "40", "men": "35"}


def test_f38_a_ptai_cannot_be_closed_without_an_accepted_final_report(people, national_2021):
    project = walk(ProjectFactory(), people, *TO_FUNDED)
    entries = LedgerEntry.objects.count()
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="close", user=people["prefect_isere"])
    assert caught.value.code == "final_report_missing"
    assert "bilan final accepté" in caught.value.messages[0]
    assert Project.objects.get(pk=project.pk).state == ProjectState.FUNDED
    assert LedgerEntry.objects.count() == entries  # no balance paid

    # The collectivité enters and hands in the final report; still not enough until it is accepted.
    ensure_project_reports(project)
    final = Report.objects.for_target(project).get(period=Period.FINAL)
    final = save_report(
        report=final, user=people["agent_lead"], values=COUNTS, narrative="Ateliers menés.", spent_amount=None
    )
    final = report_transition(report=final, name="submit", user=people["agent_lead"])
    with pytest.raises(TransitionError):
        apply_transition(project=project, name="close", user=people["prefect_isere"])

    report_transition(report=final, name="accept", user=people["instructor_isere"])
    closed = apply_transition(project=Project.objects.get(pk=project.pk), name="close", user=people["prefect_isere"])
    assert closed.state == ProjectState.CLOSED
    assert Report.objects.get(pk=final.pk).state == ReportState.ACCEPTED
