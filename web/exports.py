"""Streamed exports of a list: CSV for French spreadsheets, XLSX. Memory stays flat whatever the size.

CSV: semicolon separator, UTF-8 with a byte-order mark (French Excel then reads the accents
right), amounts written with a decimal comma and no thousands separator ("1234,50"), which French
Excel and LibreOffice read as numbers; dates as "jj/mm/aaaa hh:mm" (Europe/Paris).
XLSX: a write-only openpyxl workbook (rows are written as they come, never held in memory) saved to
an anonymous temporary file, then streamed; amounts are numbers, dates are dates.

The rows come from a generator the caller builds over `queryset.iterator(chunk_size=…)`.

Large lists: `exported(request, builder, fmt)` streams a list of up to `EXPORT_TASK_THRESHOLD` rows;
above, it records an `jobs.models.Export` and enqueues `web.tasks.run_export`, which writes the file
to the storage while the requester watches its progress (htmx polling, or reload) on
`/exports/<id>/`; only he downloads it, until `EXPORT_KEEP_HOURS` have passed (then
`web.tasks.purge_exports` deletes it). The builder (`Listing` from a user and the list's filters)
is the same code for both, so the rows are those of the user's scope and filters either way.

Formula neutralisation (this module is the one place exports are written): a text cell that a
spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
return, e.g. a title `=HYPERLINK("http://…")` typed by a user) is written as text: in CSV with a
leading apostrophe (the OWASP recommendation, which spreadsheets read as "this is text"); in XLSX
as a string cell, never a formula cell. Numbers and dates are not text: a negative amount stays a
number.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from itertools import batched
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.module_loading import import_string

Cell = str | int | Decimal | datetime | date | None
BOM = "\ufeff"


class _Echo:
    """A pseudo-buffer: `csv.writer` writes a row into it, we hand the text on."""

    def write(self, value: str) -> str:
        return value


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula (or a DDE call)?"""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """The text as a spreadsheet shows it, never evaluated: formula-like text gets a leading apostrophe."""
    return "'" + text if is_formula_like(text) else text


def csv_cell(value: Cell) -> str:
    return _CsvCells(timezone.get_current_timezone()).cell(value)


class _CsvCells:
    """`csv_cell` for a whole export: the time zone read once, one formatting function per type of
    value (a dictionary look-up instead of a chain of isinstance per cell: 224 000 ledger rows are
    2.5 million cells)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.by_type: dict[type, Callable[[Any], str]] = {
            type(None): lambda value: "",
            str: neutralise,
            int: str,
            Decimal: lambda value: f"{value:.2f}".replace(".", ","),
            datetime: self.moment,
            date: lambda value: value.strftime("%d/%m/%Y"),
        }

    def moment(self, value: datetime) -> str:
        if value.utcoffset() is not None:  # aware: as the reader's clock shows it (Europe/Paris)
            value = value.astimezone(self.zone)
        return value.strftime("%d/%m/%Y %H:%M")

    def cell(self, value: Cell) -> str:
        write = self.by_type.get(type(value))
        if write is not None:
            return write(value)
        # Subclasses (a bool is an int, a lazy or safe string is a str): the generic order.
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        if isinstance(value, datetime):
            return self.moment(value)
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, int):
            return str(value)
        return neutralise(str(value))

    def row(self, row: Sequence[Cell]) -> list[str]:
        by_type, cell = self.by_type, self.cell
        return [write(value) if (write := by_type.get(type(value))) else cell(value) for value in row]


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    cells = _CsvCells(timezone.get_current_timezone())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(cells.row(row))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

        # A control character pasted in a text has no place in the file's XML (openpyxl refuses it).
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if is_formula_like(value):
            from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

            # openpyxl turns any text starting with "=" into a formula cell: force a string cell.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value


def write_xlsx(output: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]  # imported on use: only exports need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(output)


WRITE_LINES = 1000  # lines encoded and written at once to a file (one write per line costs more)


def write_csv(output: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    for lines in batched(_csv_lines(header, rows), WRITE_LINES, strict=False):
        output.write("".join(lines).encode())


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str = "Export"
) -> FileResponse:
    # An anonymous temporary file: removed by the system once the response has closed it.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(output, header, rows, title=title)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


@dataclass
class Listing:
    """What an export writes: built from a user and the list's filters by the list's own code."""

    name: str  # file name without its extension
    title: str  # the sheet's title, the list's name on the progress page
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    count: int


Builder = Callable[[Any, QueryDict], Listing]


def request_for(user: Any, query: QueryDict) -> HttpRequest:
    """A request carrying only the user and the list's filters: what a builder's list code reads."""
    request = HttpRequest()
    request.user, request.GET = user, query
    return request


def exported(request: HttpRequest, builder: str, fmt: str) -> HttpResponse:
    """The list streamed when it is small; above `EXPORT_TASK_THRESHOLD` rows, a task and its page."""
    from jobs.models import Export

    build: Builder = import_string(builder)
    listing = build(request.user, request.GET)
    if listing.count <= int(settings.EXPORT_TASK_THRESHOLD):
        if fmt == "csv":
            return csv_response(f"{listing.name}.csv", listing.header, listing.rows)
        return xlsx_response(f"{listing.name}.xlsx", listing.header, listing.rows, title=listing.title)
    export = Export.objects.create(
        requester=request.user,
        builder=builder,
        query=request.GET.urlencode()[:2000],
        format=fmt,
        label=listing.title,
        rows_total=listing.count,
        filename=f"{listing.name}.{fmt}",
        expires_at=timezone.now() + timedelta(hours=int(settings.EXPORT_KEEP_HOURS)),
    )
    from web.tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(export.pk))
    return redirect("web:export_detail", export.pk)
