"""The spreadsheet's columns: what each holds, how it is read and written.

One row per question; the section columns say which section the row belongs to, the
flag columns hold the question's first flag (further flags go on flag-only rows below
it). docs/spreadsheet-format.md is the reference for people writing sheets by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from questionnaires.authoring.importers.sheet_cells import (
    Cell,
    join_entries,
    read_bands,
    read_bool,
    read_number,
    read_options,
    read_text,
    read_word,
    split_entries,
    write_bands,
    write_options,
)

# column -> the field it fills, per level
SECTION_COLUMNS: Final = {
    "section": "title",
    "section_key": "key",
    "section_description": "description",
    "section_weight": "weight",
    "section_show_if": "show_if",
}
QUESTION_COLUMNS: Final = {
    "key": "key",
    "text": "text",
    "kind": "kind",
    "options": "options",
    "required": "required",
    "weight": "weight",
    "show_if": "show_if",
    "help": "help",
    "evidence": "evidence",
    "evidence_penalty": "evidence_penalty",
    "allow_na": "allow_na",
    "multi": "multi",
    "bands": "bands",
    "min": "min",
    "max": "max",
    "refs": "refs",
}
FLAG_COLUMNS: Final = {
    "flag_when": "when",
    "flag_severity": "severity",
    "flag_title": "title",
    "flag_recommendation": "recommendation",
}
# The order an export writes: the columns people use most first.
COLUMN_ORDER: Final = (
    "section",
    "key",
    "text",
    "kind",
    "options",
    "required",
    "weight",
    "show_if",
    "help",
    "evidence",
    "refs",
    "flag_when",
    "flag_severity",
    "flag_title",
    "flag_recommendation",
    "section_weight",
    "section_key",
    "section_description",
    "section_show_if",
    "evidence_penalty",
    "allow_na",
    "multi",
    "bands",
    "min",
    "max",
)
REQUIRED_COLUMNS: Final = ("section", "text", "kind")

# Template sheet (.xlsx only): one row per field, "field" and "value" columns.
TEMPLATE_FIELDS: Final = (
    "key",
    "name",
    "description",
    "tiers.low",
    "tiers.medium",
    "tiers.high",
    "flag_penalties.info",
    "flag_penalties.low",
    "flag_penalties.medium",
    "flag_penalties.high",
    "flag_penalties.critical",
)


def _stripped(value: Cell) -> str:
    return read_text(value).strip()


_NUMBER_FIELDS = {"weight", "evidence_penalty", "min", "max"}
_BOOL_FIELDS = {"required", "allow_na"}
_WORD_FIELDS = {"kind", "evidence", "multi", "severity"}
_CODE_FIELDS = {"key", "show_if", "when"}  # keys and conditions: surrounding spaces dropped

READERS: Final[dict[str, Callable[[Cell], Any]]] = {
    **{name: read_number for name in _NUMBER_FIELDS},
    **{name: read_bool for name in _BOOL_FIELDS},
    **{name: read_word for name in _WORD_FIELDS},
    **{name: _stripped for name in _CODE_FIELDS},
    "options": read_options,
    "bands": read_bands,
    "refs": split_entries,
}


def read_field(name: str, value: Cell) -> Any:
    """A field's value from its cell; free text (text, help, titles) is kept as written."""
    return READERS.get(name, read_text)(value)


def write_field(name: str, value: Any) -> Cell:
    """A field's cell (numbers stay numbers; the CSV writer turns them into text)."""
    if value is None:
        return None
    if name in _BOOL_FIELDS:
        return "yes" if value else "no"
    if name == "options":
        return write_options(value)
    if name == "bands":
        return write_bands(value) if value else None
    if name == "refs":
        return join_entries(value) if value else None
    return value
