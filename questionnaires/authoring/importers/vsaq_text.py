"""Turns a VSAQ file's almost-JSON into JSON, then into data.

VSAQ files are JavaScript literals: they carry ``//`` comment lines and join long strings
with ``"..." + "..."``. A small tokenizer (strings kept whole, so ``http://`` inside a
string is never taken for a comment) drops whole-line comments and joins concatenations.
Line numbers survive both: a dropped comment leaves its line break, and the line breaks
inside a joined concatenation are written back right after the joined string, so JSON
errors point at the right line of the original file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from questionnaires.authoring.importers.errors import Where, fail

TokenKind = Literal["string", "space", "comment", "plus", "other"]
Token = tuple[TokenKind, str]
_SPACE = " \t\r\n"
_STOP = _SPACE + '"+/'


def parse_vsaq_json(text: str, *, where: Where) -> Any:
    """The data in a VSAQ file; ImportFailed (with the line) when it is not valid."""
    try:
        return json.loads(to_json(text, where=where))
    except json.JSONDecodeError as error:
        raise fail(
            f"not valid JSON, even after removing // comments and joining "
            f'"..." + "..." strings: {error.msg} (column {error.colno})',
            where={**where, "line": error.lineno},
        ) from None
    except RecursionError:
        raise fail("the file is nested too deeply", where=where) from None


def to_json(text: str, *, where: Where) -> str:
    """``text`` with whole-line ``//`` comments removed and string concatenations joined."""
    tokens = list(_tokens(text, where))
    out: list[str] = []
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        if kind == "string":
            joined, newlines, index = _join_from(tokens, index)
            out.append(joined + "\n" * newlines)
            continue
        if kind != "comment":
            out.append(value)
        index += 1
    return "".join(out)


def _join_from(tokens: list[Token], start: int) -> tuple[str, int, int]:
    """Joins the string at ``start`` with every ``+ "..."`` after it.

    Returns the joined string literal, how many line breaks the joins swallowed, and the
    index of the first token not consumed.
    """
    literal = tokens[start][1]
    newlines = 0
    index = start + 1
    while True:
        plus = _next_meaningful(tokens, index)
        if plus is None or tokens[plus][0] != "plus":
            return literal, newlines, index
        following = _next_meaningful(tokens, plus + 1)
        if following is None or tokens[following][0] != "string":
            return literal, newlines, index  # a stray "+": left for json to report
        newlines += sum(tokens[i][1].count("\n") for i in range(index, following))
        literal = literal[:-1] + tokens[following][1][1:]
        index = following + 1


def _next_meaningful(tokens: list[Token], index: int) -> int | None:
    while index < len(tokens) and tokens[index][0] in ("space", "comment"):
        index += 1
    return index if index < len(tokens) else None


def _tokens(text: str, where: Where) -> Iterator[Token]:
    index = 0
    at_line_start = True  # only whitespace since the last line break
    while index < len(text):
        char = text[index]
        if char == '"':
            end = _string_end(text, index, where)
            yield "string", text[index:end]
            at_line_start = False
        elif char in _SPACE:
            end = _run_end(text, index, lambda c: c in _SPACE)
            at_line_start = at_line_start or "\n" in text[index:end]
            yield "space", text[index:end]
        elif at_line_start and text.startswith("//", index):
            end = text.find("\n", index)
            end = len(text) if end == -1 else end
            yield "comment", text[index:end]
        elif char == "+":
            end = index + 1
            yield "plus", char
            at_line_start = False
        else:
            end = _run_end(text, index + 1, lambda c: c not in _STOP)
            yield "other", text[index:end]
            at_line_start = False
        index = end


def _run_end(text: str, index: int, keep) -> int:  # type: ignore[no-untyped-def]
    while index < len(text) and keep(text[index]):
        index += 1
    return index


def _string_end(text: str, start: int, where: Where) -> int:
    """The index just past the string literal opening at ``start``."""
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        if char == "\n":
            break
        index += 1
    line = text.count("\n", 0, start) + 1
    raise fail("a string is not closed before the end of its line", where={**where, "line": line})
