"""The national dashboards read summaries kept by the writes (`steering.summaries`): whatever is
written, in whatever order and transactions, the summaries equal the figures recomputed from every
file, and a dashboard read when nothing changed costs two queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from programme.models import Domain
from projects.enums import ProjectState
from projects.models import Project
from referential.models import scope_of
from steering import dashboards as d
from steering import summaries
from steering.models import SummaryChange
from tests.projects.factories import ProjectFactory
from tests.steering.test_dashboards_property import _make, commitments, projects, reports

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _normal(view: summaries.View) -> Any:
    """A view with its rows in a fixed order (the merge keeps the order rows came in)."""
    data = {k: sorted(map(repr, v)) if k not in ("planned", "reached") else v for k, v in view["data"].items()}
    return data, view["map"]


def _recomputed(department: Any = None) -> Any:
    """The figures recomputed from every file, ignoring the summaries."""
    grouped = summaries.collect(**summaries.everything(None))
    if department is not None:
        grouped = {k: v for k, v in grouped.items() if k == department.pk}
    return _normal(summaries.view(grouped, summaries.department_codes(grouped)))


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(first=projects, later=projects, report_specs=reports, money=commitments)
def test_the_national_summaries_equal_the_files_after_every_write(world, first, later, report_specs, money):
    try:
        with transaction.atomic():
            _make(world, first, [], [])
            # The Diair looks: the summaries are built from the files written so far.
            assert _normal(d.Scope(world["diair"]).view) == _recomputed()
            _make(world, later, report_specs, money)
            # A write after a savepoint rolled back leaves its département unchanged.
            try:
                with transaction.atomic():
                    ProjectFactory(lead_authority=world["authorities"]["69"], budget=False, funded=True)
                    raise _Rollback
            except _Rollback:
                pass
            assert _normal(d.Scope(world["diair"]).view) == _recomputed()
            for department in world["departments"].values():
                assert _normal(d.Scope(world["diair"], department).view) == _recomputed(department)
            raise _Rollback
    except _Rollback:
        pass


def test_a_departement_s_change_is_recorded_once_per_transaction_and_not_when_rolled_back(world):
    isere = world["authorities"]["38"]
    before = SummaryChange.objects.count()
    with transaction.atomic():
        for _ in range(3):
            ProjectFactory(lead_authority=isere, budget=False)
    assert SummaryChange.objects.count() == before + 1
    assert SummaryChange.objects.order_by("-pk").first().key == isere.department_id
    try:
        with transaction.atomic():
            ProjectFactory(lead_authority=world["authorities"]["69"], budget=False)
            raise _Rollback
    except _Rollback:
        pass
    assert SummaryChange.objects.count() == before + 1


def test_the_national_dashboard_reads_two_queries_when_nothing_changed(world, django_assert_num_queries):
    ProjectFactory(lead_authority=world["authorities"]["38"], budget=False, funded=True)
    summaries.refresh()
    scope_of(world["diair"])  # the reader's memberships, read once per request
    with django_assert_num_queries(2):  # no change waiting, the France row
        view = d.Scope(world["diair"]).view
    assert d.engaged_territories(d.Scope(world["diair"])) == 1
    assert view["map"] == {"38": [view["map"]["38"][0], 1, 0]}


def test_a_ptai_funded_in_isere_shows_at_the_diair_s_next_visit(world):
    diair = world["diair"]
    in_review = ProjectFactory(lead_authority=world["authorities"]["38"], budget=False, in_review=True)
    assert d.engaged_territories(d.Scope(diair)) == 0
    funded = ProjectFactory(lead_authority=world["authorities"]["38"], budget=False, funded=True)
    assert d.engaged_territories(d.Scope(diair)) == 1
    assert d.ptai_by_year_state(d.Scope(diair)) == {
        (in_review.campaign.year, ProjectState.IN_REVIEW): 1,
        (funded.campaign.year, ProjectState.FUNDED): 1,
    }
    funded.delete()
    assert d.engaged_territories(d.Scope(diair)) == 0


def test_a_domain_renamed_shows_under_its_new_name_on_the_national_figures(world):
    project = ProjectFactory(lead_authority=world["authorities"]["38"], budget=False)
    domain = Domain.objects.order_by("position").first()
    project.domains.add(domain)
    assert (domain.code, domain.label, 1) in d.ptai_by_domain(d.Scope(world["diair"]))
    domain.label = "Accès au logement (renommé)"
    domain.save()
    assert (domain.code, "Accès au logement (renommé)", 1) in d.ptai_by_domain(d.Scope(world["diair"]))


def test_a_rebuild_after_a_bulk_load_counts_what_bypassed_the_orm(world):
    ProjectFactory(lead_authority=world["authorities"]["38"], budget=False, funded=True)
    summaries.refresh()
    Project.objects.update(planned_bpi=7)  # like the benchmark's COPY: no signal
    summaries.rebuild()
    assert d.beneficiaries(d.Scope(world["diair"])).planned_bpi == 7


def test_the_dashboard_shows_the_latest_ten_evaluations_and_the_export_all(world):
    from datetime import date

    from django.urls import reverse

    from steering.models import Evaluation
    from tests.web.personas import PersonaClient

    for day in range(1, 13):
        project = ProjectFactory(lead_authority=world["authorities"]["38"], budget=False, closed=True)
        Evaluation.objects.create(
            target=project,
            title=f"Évaluation du {day:02d}/01",
            department=project.department,
            authority=project.lead_authority,
            evaluator="Cabinet",
            questions="Q",
            method="Entretiens",
            summary="Action efficace.",
            completed_on=date(2023, 1, day),
            created_by=world["diair"],
        )
    reader = PersonaClient(world["diair"])
    page = reader.get(reverse("web:steering_dashboard")).content.decode()
    assert "Les 10 plus récentes sur 12." in page
    assert "Évaluation du 12/01" in page and "Évaluation du 03/01" in page
    assert "Évaluation du 02/01" not in page
    body = b"".join(reader.get(reverse("web:steering_csv")).streaming_content).decode("utf-8-sig")
    assert body.count("Évaluations qualitatives") == 12


def test_the_scheduled_refresh_counts_the_writes_waiting(world):
    from steering.tasks import refresh_summaries

    ProjectFactory(lead_authority=world["authorities"]["38"], budget=False)
    summaries.refresh()
    ProjectFactory(lead_authority=world["authorities"]["69"], budget=False)
    assert refresh_summaries.call() == 1
    assert not SummaryChange.objects.exists()
    assert sum(n for n in d.ptai_by_year_state(d.Scope(world["diair"])).values()) == 2
