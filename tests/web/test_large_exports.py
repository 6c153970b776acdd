"""Large exports run as a task (issue 11): above `EXPORT_TASK_THRESHOLD` rows the PTAI export is
written by a worker while its requester follows the progress (htmx polling, or reload); the file
holds the rows of his scope and filters, only he downloads it, and it is purged once expired.
Small exports stay streamed."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts.enums import ContractState
from jobs.models import Export, ExportStatus
from programme.enums import BudgetLineCode
from programme.models import Campaign
from projects.enums import ProjectState
from tests.contracts.conftest import make_contract
from tests.factories import metropole_de_lyon
from tests.projects.conftest import national_credits
from tests.projects.factories import ProjectFactory
from tests.web.html import parse, text_of
from tests.web.personas import PersonaClient
from web.tasks import purge_exports, run_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(settings: Any) -> dict[str, Any]:
    settings.EXPORT_TASK_THRESHOLD = 2
    return {
        "isere_submitted": [ProjectFactory(submitted=True) for _ in range(3)],
        "isere_draft": ProjectFactory(),
        "rhone": ProjectFactory(submitted=True, lead_authority=metropole_de_lyon()),
    }


def csv_of(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_a_small_export_is_still_streamed(instructor_isere: PersonaClient) -> None:
    ProjectFactory(submitted=True)
    response = instructor_isere.get(reverse("web:project_csv"))
    assert response.status_code == 200 and response.streaming
    assert not Export.objects.exists()


def test_a_large_export_runs_as_a_task_with_the_requesters_scope_and_filters(
    files: dict[str, Any], instructor_isere: PersonaClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = instructor_isere.get(reverse("web:project_csv"), {"etat": ProjectState.SUBMITTED})
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:export_detail", args=[export.pk])
    assert (export.status, export.rows_done, export.rows_total) == (ExportStatus.DONE, 3, 3)

    page = text_of(instructor_isere.get(response["Location"]).text)
    assert "Votre export est prêt : 3 lignes." in page and "Télécharger ptai.csv" in page
    download = instructor_isere.get(reverse("web:export_download", args=[export.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    content = csv_of(download)
    for project in files["isere_submitted"]:
        assert project.reference in content
    assert files["rhone"].department.code == "69" and files["rhone"].reference not in content  # out of his scope
    assert files["isere_draft"].title not in content  # out of his filter
    assert len(content.strip().splitlines()) == 4  # the header and three files


def test_the_progress_page_polls_until_the_file_is_written(
    files: dict[str, Any], instructor_isere: PersonaClient
) -> None:
    response = instructor_isere.get(reverse("web:project_xlsx"))  # its task waits for the commit
    export = Export.objects.get()
    page = instructor_isere.get(response["Location"]).text
    assert "Export en cours de préparation : lignes écrites 0 sur 4 (0 %)." in text_of(page)
    status = parse(page).by_id("export-status")
    assert status is not None and status.attrs["hx-trigger"] == "every 2s"
    assert instructor_isere.get(reverse("web:export_download", args=[export.pk])).status_code == 404

    run_export.call(export.pk)
    fragment = instructor_isere.get(response["Location"], headers={"HX-Request": "true"}).text
    assert "hx-get" not in fragment and "Votre export est prêt : 4 lignes." in text_of(fragment)
    download = instructor_isere.get(reverse("web:export_download", args=[export.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet is not None and sheet.max_row == 5
    assert run_export.call(export.pk) == "done"  # run again (retry, recovery): not written twice


@pytest.mark.parametrize("who", ["prefect_isere", "instructor_rhone", "diair", "admin"])
def test_only_its_requester_sees_and_downloads_an_export(
    request: pytest.FixtureRequest,
    files: dict[str, Any],
    instructor_isere: PersonaClient,
    django_capture_on_commit_callbacks: Any,
    who: str,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        instructor_isere.get(reverse("web:project_csv"))
    export = Export.objects.get()
    other: PersonaClient = request.getfixturevalue(who)
    assert other.get(reverse("web:export_detail", args=[export.pk])).status_code == 404
    assert other.get(reverse("web:export_download", args=[export.pk])).status_code == 404


def test_an_expired_export_is_refused_then_purged_with_its_file(
    files: dict[str, Any], instructor_isere: PersonaClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        instructor_isere.get(reverse("web:project_csv"))
    export = Export.objects.get()
    name = export.file.name
    assert default_storage.exists(name)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = text_of(instructor_isere.get(reverse("web:export_detail", args=[export.pk])).text)
    assert "Cet export n'est plus disponible" in page
    assert instructor_isere.get(reverse("web:export_download", args=[export.pk])).status_code == 404

    assert purge_exports.call() == 1
    assert not Export.objects.exists() and not default_storage.exists(name)


@pytest.mark.parametrize("url", ["web:contract_csv", "web:ledger_csv"])
def test_the_ctai_list_and_the_ledger_export_as_tasks_too(
    url: str, settings: Any, ministry: PersonaClient, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EXPORT_TASK_THRESHOLD = 1
    campaign = Campaign.objects.get(year=2021)
    for code, amount in ((BudgetLineCode.NEWCOMERS, "100000"), (BudgetLineCode.REFUGEES, "60000")):
        national_credits(campaign, code, amount, actor=ministry.user)  # two ledger entries
    make_contract(ContractState.SIGNED)
    make_contract(ContractState.CONTACT, authority=metropole_de_lyon())
    with django_capture_on_commit_callbacks(execute=True):
        response = ministry.get(reverse(url))
    export = Export.objects.get()
    assert response["Location"] == reverse("web:export_detail", args=[export.pk])
    assert (export.status, export.rows_done) == (ExportStatus.DONE, 2)
    lines = csv_of(ministry.get(reverse("web:export_download", args=[export.pk]))).strip().splitlines()
    assert len(lines) == 3
