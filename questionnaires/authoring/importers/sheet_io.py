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
import re
import zipfile
import zlib
from dataclasses import dataclass, field

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from questionnaires.authoring.importers.deadline import check_deadline
from questionnaires.authoring.importers.errors import fail
from questionnaires.authoring.importers.sheet_cells import Cell
from questionnaires.authoring.importers.source import check_size, decode_text

MAX_ROWS = 10_000  # far above any questionnaire; bounds the work of a hostile file
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# A questionnaire is two sheets; a 2,000-question one has about 20,000 filled cells and as
# many distinct strings. openpyxl reads every shared string when it opens a workbook, so
# they are counted first, by streaming the part: 2.7 million of them (113 KB zipped) took
# 30 s to open.
MAX_SHEETS = 20
MAX_CELLS = 200_000
MAX_SHARED_STRINGS = 100_000
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_STREAM_CHUNK = 1024 * 1024
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
        cells = _CellCount()
        return Workbook(
            questions=_sheet_rows(questions, where, cells),
            template=(_sheet_rows(template, {**where, "sheet": TEMPLATE_SHEET}, cells)
                      if template is not None and template is not questions else []),
        )
    finally:
        book.close()


def _check_zip(data: bytes, where: dict) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise fail(
                    f"the workbook unpacks to {unpacked // 1024 // 1024} MB; the most accepted is "
                    f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB",
                    where=where,
                )
            sheets = sum(1 for info in infos if _WORKSHEET.match(info.filename))
            if sheets > MAX_SHEETS:
                raise fail(f"the workbook has {sheets} sheets; the most accepted is {MAX_SHEETS}",
                           where=where)
            for info in infos:
                if info.filename.lower().endswith("sharedstrings.xml"):
                    _check_shared_strings(archive, info, where)
    except zipfile.BadZipFile:
        raise fail("not a readable .xlsx file (it is not a zip archive)", where=where) from None
    except (zipfile.LargeZipFile, EOFError, OSError, zlib.error) as error:
        raise fail(f"not a readable .xlsx file ({error})", where=where) from None


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: dict) -> None:
    """Count the <si> elements of the shared strings part as it inflates, a chunk at a time;
    what follows a chunk's last "<" waits for the next chunk, so no tag is cut in two."""
    count, pending = 0, b""
    with archive.open(info) as part:
        while chunk := part.read(_STREAM_CHUNK):
            window = pending + chunk
            cut = max(window.rfind(b"<"), 0)
            count += len(_SHARED_STRING.findall(window, 0, cut))
            pending = window[cut:]
            if count > MAX_SHARED_STRINGS:
                raise fail(f"the workbook holds more than {MAX_SHARED_STRINGS:,} shared strings; "
                           "a questionnaire needs far fewer", where=where)
            check_deadline(where)


class _CellCount:
    """Filled cells read so far, over every sheet of the workbook."""

    def __init__(self) -> None:
        self.filled = 0


def _sheet_rows(sheet, where: dict, cells: _CellCount) -> list[Row]:  # type: ignore[no-untyped-def]
    """The sheet's rows; ``where`` names the sheet unless it is the questions sheet."""
    rows: list[Row] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        _check_bounds(number, len(values), where)
        check_deadline({**where, "row": number})
        cells.filled += sum(1 for value in values if value is not None)
        if cells.filled > MAX_CELLS:
            raise fail(f"the workbook has more than {MAX_CELLS:,} filled cells",
                       where={**where, "row": number})
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
            check_deadline({**where, "row": number})
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
