"""The XLSX files of the exports (web.exports.write_xlsx, openpyxl's write-only workbook): what a
spreadsheet reads back is what was listed — numbers as numbers, dates and times as dates (in
Europe/Paris), text as text (never a formula)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from web.exports import write_xlsx


def read_back(header: list[str], rows: list[list[object]], title: str = "Écritures") -> list[list[object]]:
    output = io.BytesIO()
    write_xlsx(output, header, rows, title=title)  # type: ignore[arg-type]
    workbook = load_workbook(io.BytesIO(output.getvalue()))
    sheet = workbook.active
    assert sheet is not None and sheet.title == title[:31]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_numbers_dates_and_texts_read_back_as_they_were_listed() -> None:
    moment = datetime(2026, 7, 14, 8, 30, tzinfo=UTC)  # 10:30 in Paris (summer time)
    rows = [[1, "Grenoble", Decimal("1234.50"), Decimal("-50000.00"), date(2026, 1, 31), moment, None, 2.5]]
    header, line = read_back(["N°", "Ville", "Montant", "Annulation", "Jour", "Saisie", "Vide", "Taux"], rows)
    assert header == ["N°", "Ville", "Montant", "Annulation", "Jour", "Saisie", "Vide", "Taux"]
    assert line == [1, "Grenoble", 1234.5, -50000, datetime(2026, 1, 31), datetime(2026, 7, 14, 10, 30), None, 2.5]


def test_a_formula_or_markup_typed_by_a_user_stays_text() -> None:
    texts = ['=HYPERLINK("http://attaquant.example")', "<b>gras</b> & co", "  espaces  ", ""]
    output = io.BytesIO()
    write_xlsx(output, ["Titre"], [[text] for text in texts], title="PTAI")
    sheet = load_workbook(io.BytesIO(output.getvalue())).active
    assert sheet is not None
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == [*texts[:3], None]
    assert {cell.data_type for cell in cells[:3]} == {"s"}  # strings, never "f" (formula)


def test_a_control_character_pasted_in_a_text_does_not_break_the_file() -> None:
    assert read_back(["Motif"], [["ligne\x0bcassée\x01\tet tabulation"]]) == [["Motif"], ["lignecassée\tet tabulation"]]


def test_a_long_sheet_title_is_cut_to_what_a_spreadsheet_accepts() -> None:
    title = "Écritures du registre national des crédits"
    assert read_back(["A"], [[1]], title=title) == [["A"], [1]]


def test_the_file_is_written_as_rows_come_in_a_compressed_archive() -> None:
    output = io.BytesIO()
    write_xlsx(output, ["N°"], ([n] for n in range(20_000)), title="Grand")
    archive = zipfile.ZipFile(io.BytesIO(output.getvalue()))
    sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.compress_type == zipfile.ZIP_DEFLATED
    assert archive.read("xl/worksheets/sheet1.xml").count(b"<row") == 20_001
