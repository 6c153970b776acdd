"""The benchmark's measures of the exports (bench.run): an export above EXPORT_TASK_THRESHOLD is
recognised as a task (its user's road is the export page, then the download), its query count is
taken, and nothing is left in the queue for a worker to run later; an XLSX's rows are counted."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from bench.run import _count_export, _xlsx_rows
from jobs.models import Export
from programme.enums import BudgetLineCode
from programme.models import Campaign
from tests.projects.conftest import national_credits
from tests.web.conftest import ministry  # noqa: F401  (the fixture)
from tests.web.personas import PersonaClient
from web.exports import write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_entries(ministry: PersonaClient) -> None:  # noqa: F811
    campaign = Campaign.objects.get(year=2021)
    for code, amount in ((BudgetLineCode.NEWCOMERS, "100000"), (BudgetLineCode.REFUGEES, "60000")):
        national_credits(campaign, code, amount, actor=ministry.user)


def test_an_export_written_by_a_task_is_counted_and_leaves_nothing_to_run(
    settings: Any,
    ministry: PersonaClient,  # noqa: F811
    two_entries: None,
) -> None:
    settings.EXPORT_TASK_THRESHOLD = 1
    path = reverse("web:ledger_csv")
    counted = _count_export(ministry, path)
    assert counted["task"] is True and counted["queries"] > 0 and counted["path"] == path
    assert not Export.objects.exists()  # the bench's own request, not a user's: removed


def test_a_streamed_export_is_counted_as_before(ministry: PersonaClient, two_entries: None) -> None:  # noqa: F811
    counted = _count_export(ministry, reverse("web:ledger_csv"))
    assert "task" not in counted and "error" not in counted and counted["queries"] > 0


def test_the_rows_of_an_xlsx_download_are_counted_with_its_header() -> None:
    output = io.BytesIO()
    write_xlsx(output, ["N°"], ([n] for n in range(1234)), title="Écritures")
    assert _xlsx_rows(output.getvalue()) == 1235
