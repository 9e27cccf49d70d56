"""Builds a native spec from spreadsheet rows, remembering each field's row and column.

Rows are read in order. A question row names its section (a blank ``section`` continues
the one above); a row with no key, text or kind but flag cells adds another flag to the
question above; blank rows are skipped. Cell grammar errors are reported straight away
with their row and column; everything the native checks find later is mapped back to
the row and column it came from by the locator built here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from questionnaires.authoring.importers.deadline import check_deadline
from questionnaires.authoring.importers.errors import Problems, Where
from questionnaires.authoring.importers.sheet_cells import Cell, CellError, is_blank
from questionnaires.authoring.importers.sheet_columns import (
    FLAG_COLUMNS,
    QUESTION_COLUMNS,
    REQUIRED_COLUMNS,
    SECTION_COLUMNS,
    read_field,
)
from questionnaires.authoring.importers.sheet_io import Row
from questionnaires.authoring.importers.validate import Locate
from questionnaires.authoring.importers.vocabulary import identifier_from, unique_name

KNOWN_COLUMNS = {**SECTION_COLUMNS, **QUESTION_COLUMNS, **FLAG_COLUMNS}
_QUESTION_IDENTITY = ("key", "text", "kind")


@dataclass
class _Origin:
    """The rows a native section or question came from."""

    row: int
    flag_rows: list[int] = field(default_factory=list)
    generated_key: bool = False


@dataclass
class SheetReader:
    """Reads question rows into sections; ``problems`` holds every cell error found."""

    problems: Problems = field(default_factory=Problems)
    sections: list[dict[str, Any]] = field(default_factory=list)
    origins: dict[str, _Origin] = field(default_factory=dict)
    _columns: dict[int, str] = field(default_factory=dict)
    _pending_keys: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)
    _last_question: tuple[str, dict[str, Any]] | None = None  # (path, question) a flag row extends

    def read(self, rows: list[Row]) -> list[dict[str, Any]]:
        """The sections the rows describe (keys still missing are generated at the end)."""
        if not rows or not self._read_header(rows[0]):
            return []
        for number, cells in rows[1:]:
            check_deadline({"row": number})
            values = self._values(number, cells)
            if values:
                self._read_row(number, values)
        self._generate_keys()
        return self.sections

    def locator(self) -> Locate:
        return _locator(self.origins)

    # -- header and cells ------------------------------------------------------------------
    def _read_header(self, header: Row) -> bool:
        number, cells = header
        for index, cell in enumerate(cells):
            if is_blank(cell):
                continue
            name = re.sub(r"[\s-]+", "_", str(cell).strip().lower())
            if name not in KNOWN_COLUMNS:
                known = ", ".join(KNOWN_COLUMNS)
                self._add(number, str(cell).strip(), f"unknown column; the columns are: {known}")
            elif name in self._columns.values():
                self._add(number, name, "this column appears twice")
            else:
                self._columns[index] = name
        for name in REQUIRED_COLUMNS:
            if name not in self._columns.values():
                self._add(number, name, "this column is missing from the first row (the headers)")
        return not self.problems

    def _values(self, number: int, cells: list[Cell]) -> dict[str, Cell]:
        values: dict[str, Cell] = {}
        for index, cell in enumerate(cells):
            if is_blank(cell):
                continue
            if index not in self._columns:
                self._add(number, f"#{index + 1}", "this cell has a value but its column has no header")
            else:
                values[self._columns[index]] = cell
        return values

    def _parse(self, number: int, values: dict[str, Cell], columns: dict[str, str]) -> dict[str, Any]:
        parsed: dict[str, Any] = {}
        for column, name in columns.items():
            if column in values:
                try:
                    parsed[name] = read_field(name, values[column])
                except CellError as error:
                    self._add(number, column, str(error))
        return parsed

    # -- rows --------------------------------------------------------------------------------
    def _read_row(self, number: int, values: dict[str, Cell]) -> None:
        is_question = any(column in values for column in _QUESTION_IDENTITY)
        if not is_question and any(column in values for column in FLAG_COLUMNS):
            self._read_flag_row(number, values)
            return
        section_index = self._section_for(number, values)
        if section_index is None:
            return
        section = self.sections[section_index]
        question = self._parse(number, values, QUESTION_COLUMNS)
        flag = self._parse(number, values, FLAG_COLUMNS)
        question["flags"] = [flag] if flag else []
        path = f"sections[{section_index}].questions[{len(section['questions'])}]"
        self.origins[path] = _Origin(number, [number] if flag else [], "key" not in question)
        if "key" not in question:
            self._pending_keys.append((question, section["key"], len(section["questions"]) + 1))
        section["questions"].append(question)
        self._last_question = (path, question)

    def _read_flag_row(self, number: int, values: dict[str, Cell]) -> None:
        extra = [column for column in values if column not in FLAG_COLUMNS and column != "section"]
        if extra:
            self._add(
                number,
                extra[0],
                "a row with no key, text or kind only adds a flag; fill key, text and kind for a new question",
            )
            return
        if self._last_question is None:
            self._add(number, "flag_title", "a flag-only row must follow the question it belongs to")
            return
        path, question = self._last_question
        question["flags"].append(self._parse(number, values, FLAG_COLUMNS))
        self.origins[path].flag_rows.append(number)

    def _section_for(self, number: int, values: dict[str, Cell]) -> int | None:
        """The index of the row's section, created on first sight; None when it has none."""
        given = self._parse(number, values, SECTION_COLUMNS)
        current = self.sections[-1] if self.sections else None
        if "title" not in given:
            if current is None:
                self._add(number, "section", "the first question needs a section")
                return None
            given["title"] = current["title"]
            given.setdefault("key", current["key"])
        key = given.get("key") or self._key_for_title(given["title"])
        for index, section in enumerate(self.sections):
            if section["key"] == key:
                self._merge_section(number, section, given)
                return index
        return self._new_section(number, given, key)

    def _key_for_title(self, title: str) -> str:
        """The key of the section already titled so, else a new key made from the title."""
        for section in self.sections:
            if section["title"] == title:
                return section["key"]
        taken = {section["key"] for section in self.sections}
        return unique_name(identifier_from(title, fallback="section"), taken)

    def _new_section(self, number: int, given: dict[str, Any], key: str) -> int:
        section = {**given, "key": key, "questions": []}
        self.sections.append(section)
        self.origins[f"sections[{len(self.sections) - 1}]"] = _Origin(number, generated_key="key" not in given)
        return len(self.sections) - 1

    def _merge_section(self, number: int, section: dict[str, Any], given: dict[str, Any]) -> None:
        """Later rows may repeat a section's cells or fill blanks, never contradict them."""
        for name, value in given.items():
            if name not in section:
                section[name] = value
            elif section[name] != value:
                column = next(c for c, n in SECTION_COLUMNS.items() if n == name)
                first = self.origins[f"sections[{self.sections.index(section)}]"].row
                self._add(
                    number,
                    column,
                    f'section "{section["key"]}" already has {_show(section[name])} here (row {first})',
                )

    def _generate_keys(self) -> None:
        """``<section>_q<n>`` for questions without a key, clear of every key written."""
        taken = {s["key"] for s in self.sections}
        taken |= {q["key"] for s in self.sections for q in s["questions"] if isinstance(q.get("key"), str)}
        for question, section_key, position in self._pending_keys:
            question["key"] = unique_name(f"{section_key}_q{position}", taken)

    def _add(self, row: int, column: str, message: str) -> None:
        self.problems.add(None, message, {"row": row, "column": column})


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


_PATH = re.compile(r"^sections\[(\d+)\](?:\.questions\[(\d+)\])?(?:\.([a-z_]+))?(?:\[(\d+)\])?(?:\.([a-z_]+))?")
_SECTION_FIELD_COLUMNS = {name: column for column, name in SECTION_COLUMNS.items()}
_QUESTION_FIELD_COLUMNS = {name: column for column, name in QUESTION_COLUMNS.items()}
_FLAG_FIELD_COLUMNS = {name: column for column, name in FLAG_COLUMNS.items()}


def _locator(origins: dict[str, _Origin]) -> Locate:
    def locate(path: str | None) -> Where:
        match = _PATH.match(path or "")
        if not match:
            return {}
        section, question, name, index, subfield = match.groups()
        holder = f"sections[{section}]" + (f".questions[{question}]" if question is not None else "")
        origin = origins.get(holder)
        if origin is None:
            return {}
        if question is None:
            column = _SECTION_FIELD_COLUMNS.get(name or "", "section")
            if name == "key" and origin.generated_key:
                column = "section"
            return {"row": origin.row, "column": column}
        if name == "flags" and index is not None and int(index) < len(origin.flag_rows):
            return {
                "row": origin.flag_rows[int(index)],
                "column": _FLAG_FIELD_COLUMNS.get(subfield or "", "flag_title"),
            }
        column = _QUESTION_FIELD_COLUMNS.get(name or "", "key")
        if name == "key" and origin.generated_key:
            column = "text"
        return {"row": origin.row, "column": column}

    return locate
