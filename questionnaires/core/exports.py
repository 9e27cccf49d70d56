"""CSV and XLSX exports whose cells can never run as formulas.

A spreadsheet treats a cell starting with `=`, `+`, `-` or `@` as a formula (and tab or
carriage return lets one hide behind whitespace), so a vendor named `=HYPERLINK(...)` or an
answer typed by a vendor could act on the computer of whoever opens the export. Every text
cell that starts with one of those characters is written with a leading `'`, which makes it
plain text; numbers and dates stay typed values, which are inert.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a UTF-8 CSV as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(value: str) -> str:
    """`value`, made plain text if a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return inert(str(value))


class _Line:
    """A file-like object csv.writer writes one line into."""

    def __init__(self):
        self.value = ""

    def write(self, text: str) -> None:
        self.value = text


def csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The export as CSV text, one line at a time (for a streaming response)."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([inert(h) for h in headers])
    yield BOM + line.value
    for row in rows:
        writer.writerow([_text(cell) for cell in row])
        yield line.value


def _cell(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)  # xlsx has no zones
    if value is None or isinstance(value, (int, float, datetime.date)):
        return value
    # Characters XML cannot hold would make openpyxl refuse the whole workbook.
    return inert(ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value)))


def xlsx_bytes(headers: list[str], rows: Iterable[list], *, title: str) -> bytes:
    """The export as an .xlsx workbook of one sheet (written in constant memory per row)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_cell(h) for h in headers])
    for row in rows:
        sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
