"""Reading a spreadsheet (CSV with `,` or `;`, UTF-8 with or without BOM, or XLSX) into rows.

Headers are French, in any order, matched folded (accents, case, spaces: « Montant annuel État » is
`montant_annuel_etat`); extra columns are ignored. A file that cannot be read raises `FileError`
with a French message, before anything is looked up.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.text import search_key

MAX_ROWS = 5000


class FileError(Exception):
    """The whole file is refused (format, encoding, headers); the message is French."""


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[dict[str, Any]]  # by folded header; values are str, or int/float/date from XLSX


def header_key(text: Any) -> str:
    return search_key(str(text or "")).replace(" ", "_")


def read_sheet(content: bytes, file_name: str, *, required: tuple[str, ...]) -> Sheet:
    """The rows of `content` (an XLSX if it is a zip, else CSV), checked for the `required` columns."""
    table = _xlsx(content) if content[:2] == b"PK" or file_name.lower().endswith(".xlsx") else _csv(content)
    table = [row for row in table if any(_blank(cell) is False for cell in row)]
    if not table:
        raise FileError("Le fichier est vide : la première ligne doit porter les noms des colonnes.")
    headers = [header_key(cell) for cell in table[0]]
    missing = [name for name in required if name not in headers]
    if missing:
        raise FileError(
            f"Colonne{'s' if len(missing) > 1 else ''} manquante{'s' if len(missing) > 1 else ''} : "
            f"{', '.join(missing)}. La première ligne doit porter les noms des colonnes (par exemple "
            f"{', '.join(required)})."
        )
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise FileError(f"Le fichier a {len(body)} lignes : au plus {MAX_ROWS} par import.")
    rows = []
    for cells in body:
        row: dict[str, Any] = {}
        for index, name in enumerate(headers):
            if name and name not in row:  # the first column of a name wins
                row[name] = cells[index] if index < len(cells) else ""
        rows.append(row)
    return Sheet(headers=headers, rows=rows)


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 » (ou en XLSX) et recommencez."
        ) from error
    if "\x00" in text:
        raise FileError("Ce fichier n'est pas un CSV lisible : envoyez un CSV (UTF-8) ou un classeur XLSX.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise FileError(f"Le CSV est mal formé ({error}) : vérifiez les guillemets.") from error


def _xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileError("Ce classeur XLSX ne s'ouvre pas : enregistrez-le à nouveau en XLSX ou en CSV.") from error
    try:
        sheet = workbook.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append([_cell(value) for value in row])
            if len(table) > MAX_ROWS + 1:
                break
        return table
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date | int | float) or value is None:
        return value
    return str(value)
