"""Spreadsheet files <-> tables of cells: .xlsx through openpyxl, .csv through ``csv``.

Nothing here knows what a column means. It bounds what a file may cost to read (an
.xlsx is a zip: its unpacked size is checked before openpyxl inflates it), and it guards
CSV exports against formula injection: a cell starting with ``= + - @`` would run as a
formula when a reviewer opens the export in Excel, so it is written with a leading ``'``
(which Excel hides) and read back without it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from questionnaires.authoring.importers.errors import fail
from questionnaires.authoring.importers.sheet_cells import Cell
from questionnaires.authoring.importers.source import check_size, decode_text

MAX_ROWS = 10_000  # far above any questionnaire; bounds the work of a hostile file
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
QUESTIONS_SHEET = "questions"
TEMPLATE_SHEET = "template"
_FORMULA_START = tuple("=+-@\t\r")

Row = tuple[int, list[Cell]]  # (1-based row number, cells)


@dataclass
class Workbook:
    """The questions table and, for .xlsx, the optional template table."""

    questions: list[Row]
    template: list[Row] = field(default_factory=list)


def read_xlsx(data: bytes, *, filename: str) -> Workbook:
    check_size(data, filename=filename)
    where = {"file": filename} if filename else {}
    _check_zip(data, where)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise fail(f"not a readable .xlsx file ({error})", where=where) from None
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in book.worksheets}
        questions = sheets.get(QUESTIONS_SHEET) or book.worksheets[0]
        template = sheets.get(TEMPLATE_SHEET)
        return Workbook(
            questions=_sheet_rows(questions, where),
            template=_sheet_rows(template, where) if template is not None and template is not questions else [],
        )
    finally:
        book.close()


def _check_zip(data: bytes, where: dict) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise fail("not a readable .xlsx file (it is not a zip archive)", where=where) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise fail(
            f"the workbook unpacks to {unpacked // 1024 // 1024} MB; the most accepted is "
            f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB",
            where=where,
        )


def _sheet_rows(sheet, where: dict) -> list[Row]:  # type: ignore[no-untyped-def]
    rows: list[Row] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        _check_bounds(number, len(values), where)
        rows.append((number, list(values)))
    return rows


def read_csv(data: bytes, *, filename: str) -> Workbook:
    text = decode_text(data, filename=filename)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    where = {"file": filename} if filename else {}
    rows: list[Row] = []
    try:
        for number, values in enumerate(reader, start=1):
            _check_bounds(number, len(values), where)
            rows.append((number, [_unguard(value) for value in values]))
    except csv.Error as error:
        raise fail(f"not valid CSV: {error}", where={**where, "row": reader.line_num}) from None
    return Workbook(questions=rows)


def _delimiter(text: str) -> str:
    """Excel writes ``;`` in locales whose decimal mark is a comma; the header tells."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=lambda mark: (header.count(mark), mark == ","))


def _check_bounds(row: int, width: int, where: dict) -> None:
    if row > MAX_ROWS:
        raise fail(f"the sheet has more than {MAX_ROWS} rows", where=where)
    if width > MAX_COLUMNS:
        raise fail(f"the sheet has more than {MAX_COLUMNS} columns", where={**where, "row": row})


def write_xlsx(questions: list[list[Cell]], template: list[list[Cell]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = QUESTIONS_SHEET
    _fill(sheet, questions)
    _fill(book.create_sheet(TEMPLATE_SHEET), template)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet, rows: list[list[Cell]]) -> None:  # type: ignore[no-untyped-def]
    for row_number, values in enumerate(rows, start=1):
        for column_number, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                raise fail(
                    f"row {row_number} holds control characters an .xlsx file cannot store; "
                    "export as CSV, YAML or JSON instead"
                )
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a live formula


def write_csv(rows: list[list[Cell]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for values in rows:
        writer.writerow(["" if value is None else _guard(str(value)) for value in values])
    # The byte-order mark makes Excel read the file as UTF-8 instead of the local code page.
    return out.getvalue().encode("utf-8-sig")


def _guard(text: str) -> str:
    return "'" + text if text.lstrip("'").startswith(_FORMULA_START) else text


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START) else text
