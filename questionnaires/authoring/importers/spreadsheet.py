"""Import and export of questionnaires as spreadsheets (.xlsx and .csv).

The shape is documented for people in docs/spreadsheet-format.md. An export reads back
as the same questions; an .xlsx export also carries the template's own fields (key, name,
risk tiers, flag penalties) on a second sheet, which a .csv cannot hold: a CSV import
takes its key and name from the file name and the default tiers and penalties.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, Literal

from questionnaires.authoring.importers.errors import Problems, Where, fail
from questionnaires.authoring.importers.sheet_cells import (
    Cell,
    CellError,
    is_blank,
    read_number,
    read_text,
)
from questionnaires.authoring.importers.sheet_columns import (
    COLUMN_ORDER,
    TEMPLATE_FIELDS,
    write_field,
)
from questionnaires.authoring.importers.sheet_io import (
    TEMPLATE_SHEET,
    Workbook,
    read_csv,
    read_xlsx,
    write_csv,
    write_xlsx,
)
from questionnaires.authoring.importers.sheet_read import SheetReader
from questionnaires.authoring.importers.validate import Locate, validate_spec
from questionnaires.authoring.importers.vocabulary import FORMAT, default_yes_no_options, slugify

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL = "old .xls workbooks are not supported; save it as .xlsx or .csv"


def sheet_format(data: bytes) -> Literal["xlsx", "csv"]:
    """``xlsx`` for a zip (whatever the file is called), else ``csv``."""
    return "xlsx" if data.startswith(XLSX_MAGIC) else "csv"


def load_spreadsheet(data: bytes, *, filename: str) -> dict[str, Any]:
    """A questionnaire from an .xlsx or .csv sheet, validated, in canonical form.

    Raises ImportFailed listing every problem with its row and column.
    """
    if filename.lower().endswith(".xls"):
        raise fail(OLD_EXCEL, where={"file": filename})
    book = read_xlsx(data, filename=filename) if sheet_format(data) == "xlsx" else read_csv(data, filename=filename)
    reader = SheetReader()
    sections = reader.read(book.questions)
    template, template_rows = _template(book, filename, reader.problems)
    reader.problems.raise_if_any()
    if not sections:
        raise fail("the sheet holds no questions: add one row per question below the headers", where={"file": filename})
    spec = {**template, "sections": sections}
    return validate_spec(spec, locate=_locator(reader.locator(), template_rows))


def _template(book: Workbook, filename: str, problems: Problems) -> tuple[dict[str, Any], dict[str, int]]:
    """The template's own fields, and the template-sheet row each came from."""
    stem = PurePath(filename).stem
    template: dict[str, Any] = {
        "format": FORMAT,
        "key": slugify(stem, fallback="spreadsheet"),
        "name": _humanise(stem) or "Imported questionnaire",
    }
    rows: dict[str, int] = {}
    for number, cells in book.template[1:]:
        if all(is_blank(cell) for cell in cells):
            continue
        name = read_text(cells[0]).strip().lower() if cells and not is_blank(cells[0]) else ""
        value = cells[1] if len(cells) > 1 else None
        if name not in TEMPLATE_FIELDS:
            where: Where = {"sheet": TEMPLATE_SHEET, "row": number, "column": "field"}
            problems.add(None, f'unknown field "{name}"; the fields are: {", ".join(TEMPLATE_FIELDS)}', where)
            continue
        try:
            _set(template, name, value)
        except CellError as error:
            problems.add(name, str(error), {"sheet": TEMPLATE_SHEET, "row": number, "column": "value"})
        rows[name] = number
    return template, rows


def _humanise(stem: str) -> str:
    """``vendor_security-2024`` -> ``Vendor security 2024``."""
    words = " ".join(stem.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:]


def _set(template: dict[str, Any], name: str, value: Cell) -> None:
    """Sets one template-sheet field; a blank value leaves the default."""
    if is_blank(value):
        return
    group, dot, field = name.partition(".")
    if dot:
        template.setdefault(group, {})[field] = read_number(value)
    else:
        template[name] = read_text(value).strip() if name == "key" else read_text(value)


def _locator(questions: Locate, template_rows: dict[str, int]) -> Locate:
    def locate(path: str | None) -> Where:
        if path and path.startswith("sections["):
            return questions(path)
        group = (path or "").split(".")[0]
        for name, row in template_rows.items():
            if path == name or group == name.split(".")[0]:
                return {"sheet": TEMPLATE_SHEET, "row": row, "column": "value"}
        return {}

    return locate


def dump_spreadsheet(spec: dict[str, Any], *, fmt: Literal["xlsx", "csv"]) -> bytes:
    """The spec as a sheet ``load_spreadsheet`` reads back as the same questions."""
    canonical = validate_spec(spec)
    rows = [list(COLUMN_ORDER)] + [
        [cells.get(column) for column in COLUMN_ORDER] for cells in _question_rows(canonical)
    ]
    if fmt == "xlsx":
        return write_xlsx(rows, _template_rows(canonical))
    if fmt == "csv":
        return write_csv(rows)
    raise ValueError(f'unknown spreadsheet format "{fmt}"; expected "xlsx" or "csv"')


def _question_rows(spec: dict[str, Any]) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for section in spec["sections"]:
        for position, question in enumerate(section["questions"]):
            row = {"section": section["title"], "section_key": section["key"]}
            if position == 0:  # later rows of the section inherit these
                row |= {
                    "section_description": section["description"] or None,
                    "section_weight": section["weight"],
                    "section_show_if": section["show_if"],
                }
            row |= _question_cells(question)
            flags = question["flags"]
            row |= _flag_cells(flags[0]) if flags else {}
            rows.append(row)
            rows.extend(_flag_cells(flag) for flag in flags[1:])
    return rows


def _question_cells(question: dict[str, Any]) -> dict[str, Cell]:
    cells = {name: write_field(name, value) for name, value in question.items() if name not in ("flags",)}
    if question["kind"] == "yes_no" and question["options"] == default_yes_no_options():
        cells["options"] = None  # the default is what a blank cell means
    cells["help"] = question["help"] or None
    return cells


def _flag_cells(flag: dict[str, Any]) -> dict[str, Cell]:
    return {
        "flag_when": flag["when"],
        "flag_severity": flag["severity"],
        "flag_title": flag["title"],
        "flag_recommendation": flag["recommendation"] or None,
    }


def _template_rows(spec: dict[str, Any]) -> list[list[Cell]]:
    rows: list[list[Cell]] = [["field", "value"]]
    for name in TEMPLATE_FIELDS:
        group, dot, field = name.partition(".")
        rows.append([name, spec[group][field] if dot else (spec[name] or None)])
    return rows
