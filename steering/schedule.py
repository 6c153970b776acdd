"""When each action owes its reports, and the reports made to exist (idempotent).

- A PTAI (one project, one action) funded or closed on the platform (not a historical one) owes an
  interim report halfway through its dates (when it lasts more than six months) and a final report
  three months after its end (`FINAL_DELAY_DAYS`); without dates, the final report is due on 31 March
  after its campaign year.
- An action accepted by the Diair in a committed or closed CTAI programming owes an interim report on
  31 July of the year and a final report on 31 March of the next year (the programming year's report).

`ensure_reports()` creates what is missing in a fixed number of queries per kind of file; the
daily job (`steering.reminders`) runs it first, so a file committed today owes its reports by
tomorrow's reminders; a file's report page runs it for that file.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from contracts.enums import ActionReview, ProgrammingState
from contracts.models import Action
from projects.enums import ProjectState
from projects.models import Project
from reporting.enums import Period, TargetKind
from reporting.services import expect_report

FINAL_DELAY_DAYS = 90
INTERIM_MIN_DAYS = 183
REPORTED_PROJECT_STATES = (ProjectState.FUNDED, ProjectState.CLOSED)
REPORTED_PROGRAMMING_STATES = (ProgrammingState.COMMITTED, ProgrammingState.CLOSED)


def project_due_dates(project: Project) -> dict[Period, date]:
    if project.start_date and project.end_date and project.end_date >= project.start_date:
        dates = {Period.FINAL: project.end_date + timedelta(days=FINAL_DELAY_DAYS)}
        length = (project.end_date - project.start_date).days
        if length > INTERIM_MIN_DAYS:
            dates[Period.INTERIM] = project.start_date + timedelta(days=length // 2)
        return dates
    return {Period.FINAL: date(project.campaign.year + 1, 3, 31)}


def action_due_dates(year: int) -> dict[Period, date]:
    return {Period.INTERIM: date(year, 7, 31), Period.FINAL: date(year + 1, 3, 31)}


def reported_projects() -> QuerySet[Project]:
    """The PTAI that owe reports: funded or closed on the platform (a historical PTAI, taken from a
    spreadsheet, owes none: its project ended before it came in)."""
    return Project.objects.filter(state__in=REPORTED_PROJECT_STATES, historical=False).select_related("campaign")


def reported_actions() -> QuerySet[Action]:
    return Action.objects.filter(
        programming__state__in=REPORTED_PROGRAMMING_STATES, review=ActionReview.ACCEPTED
    ).select_related("programming__campaign", "programming__contract")


def ensure_project_reports(project: Project) -> int:
    if project.historical:
        return 0
    created = 0
    for period, due in project_due_dates(project).items():
        _, new = expect_report(
            target=project,
            target_kind=TargetKind.PTAI,
            title=project.title or project.reference,
            campaign=project.campaign,
            department=project.department,
            authority=project.lead_authority,
            operator=None,  # a PTAI names its carrier by SIRET only: the collectivité reports
            period=period,
            due_on=due,
            budget=project.granted_amount or Decimal("0"),
        )
        created += new
    return created


def ensure_action_reports(action: Action) -> int:
    programming = action.programming
    contract = programming.contract
    created = 0
    for period, due in action_due_dates(programming.campaign.year).items():
        _, new = expect_report(
            target=action,
            target_kind=TargetKind.ACTION,
            title=action.title,
            campaign=programming.campaign,
            department=contract.department,
            authority=contract.authority,
            operator=action.operator,
            period=period,
            due_on=due,
            budget=action.state_amount,
        )
        created += new
    return created


def ensure_reports() -> int:
    """Create every report owed and missing; returns how many were created (0 on a second run)."""
    from django.contrib.contenttypes.models import ContentType

    from reporting.models import Report

    existing = set(Report.objects.values_list("target_type_id", "target_id", "period"))
    project_type = ContentType.objects.get_for_model(Project).pk
    action_type = ContentType.objects.get_for_model(Action).pk
    created = 0
    for project in reported_projects().select_related("department", "lead_authority"):
        if any((project_type, project.pk, p) not in existing for p in project_due_dates(project)):
            created += ensure_project_reports(project)
    for action in reported_actions().select_related("programming__contract__department", "operator"):
        if any((action_type, action.pk, p) not in existing for p in action_due_dates(action.programming.campaign.year)):
            created += ensure_action_reports(action)
    return created
