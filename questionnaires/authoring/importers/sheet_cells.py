"""The small grammars of spreadsheet cells, read and written (docs/spreadsheet-format.md).

Reading turns a cell (str, number, bool or None from openpyxl; str from CSV) into native
data or raises CellError with a message that says what to write instead. Writing is the
exact inverse for every value the native format allows, which is what makes export ->
import give the same questions.

List cells (options, bands, refs) hold entries separated by ``;`` or line breaks; inside
an entry ``\\;`` is a literal semicolon, ``\\n`` a line break and ``\\\\`` a backslash.
"""

from __future__ import annotations

import math
import re
from typing import Any

Cell = str | int | float | bool | None

TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})
_INTEGER = re.compile(r"[-+]?\d+")


class CellError(ValueError):
    """A cell that does not follow its column's grammar; the message says what to write."""


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_text(value: Cell) -> str:
    """A text cell; numbers a spreadsheet typed for us are turned back into their text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_word(value: Cell) -> str:
    """A keyword cell (kind, evidence, severity, multi): case and spacing are forgiven."""
    return re.sub(r"[\s-]+", "_", read_text(value).strip().lower())


def read_bool(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    word = read_text(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"expected yes or no, got {_quote(value)}")


def read_number(value: Cell) -> int | float:
    if isinstance(value, bool):
        raise CellError(f"expected a number, got {_quote(value)}")
    if isinstance(value, (int, float)):
        number: int | float = value
    else:
        text = str(value).strip()
        try:
            number = int(text) if _INTEGER.fullmatch(text) else float(text)
        except ValueError:
            raise CellError(f"expected a number, got {_quote(value)}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise CellError(f"expected a finite number, got {_quote(value)}")
    return number


def write_number(number: int | float) -> str:
    """The shortest text that reads back as the same number (and the same int/float type)."""
    return repr(number)


def split_entries(value: Cell) -> list[str]:
    """The entries of a list cell, escapes resolved, blank entries dropped."""
    text = read_text(value)
    entries: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "\\")
            current.append("\n" if escaped == "n" else escaped)
        elif char in ";\n":
            entries.append("".join(current))
            current = []
        else:
            current.append(char)
    entries.append("".join(current))
    return [entry.strip() for entry in entries if entry.strip()]


def join_entries(entries: list[str]) -> str:
    return "; ".join(_escape(entry) for entry in entries)


def _escape(entry: str) -> str:
    return entry.replace("\\", "\\\\").replace(";", "\\;").replace("\n", "\\n")


def read_options(value: Cell) -> list[dict[str, Any]]:
    """``yes=Yes:1; no=No:0`` -> options. The score follows the last ``:``."""
    options = []
    for number, entry in enumerate(split_entries(value), start=1):
        key, equals, rest = entry.partition("=")
        label, colon, score = rest.rpartition(":")
        if not equals or not colon or not key.strip():
            raise CellError(f"option {number} ({_quote(entry)}): write key=Label:score")
        try:
            parsed = read_number(score)
        except CellError:
            raise CellError(f"option {number} ({_quote(entry)}): the score after the last : must be a number") from None
        options.append({"key": key.strip(), "label": label.strip(), "score": parsed})
    if not options:
        raise CellError("no options; write key=Label:score; key2=Label 2:score")
    return options


def write_options(options: list[dict[str, Any]]) -> str:
    return join_entries([f"{option['key']}={option['label']}:{write_number(option['score'])}" for option in options])


def read_bands(value: Cell) -> list[dict[str, Any]]:
    """``0..24:1.0; 24..:0.3`` -> bands; an empty side of ``..`` is an open end."""
    bands = []
    for number, entry in enumerate(split_entries(value), start=1):
        span, colon, score = entry.rpartition(":")
        low, dots, high = span.partition("..")
        if not colon or not dots:
            raise CellError(f"band {number} ({_quote(entry)}): write min..max:score, e.g. 0..24:1.0")
        try:
            band = {"min": _bound(low), "max": _bound(high), "score": read_number(score)}
        except CellError as error:
            raise CellError(f"band {number} ({_quote(entry)}): {error}") from None
        bands.append(band)
    return bands


def write_bands(bands: list[dict[str, Any]]) -> str:
    return join_entries(
        [f"{_write_bound(band['min'])}..{_write_bound(band['max'])}:{write_number(band['score'])}" for band in bands]
    )


def _bound(text: str) -> int | float | None:
    return None if not text.strip() else read_number(text)


def _write_bound(bound: int | float | None) -> str:
    return "" if bound is None else write_number(bound)


def _quote(value: Cell) -> str:
    text = read_text(value)
    return '"' + (text if len(text) <= 60 else text[:57] + "...") + '"'
