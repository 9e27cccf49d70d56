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
import re
from collections.abc import Iterator
from typing import Any, Literal

from questionnaires.authoring.importers.deadline import check_deadline, deadline_passed
from questionnaires.authoring.importers.errors import Where, fail

TokenKind = Literal["string", "space", "comment", "plus", "other"]
Token = tuple[TokenKind, str]
# A string closes on its line (a backslash escapes any character); "other" is one character
# and what follows it up to a space, quote, plus or slash, as JSON's punctuation and words.
_TOKEN = re.compile(r"""
    (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<space>[ \t\r\n]+)
  | (?P<plus>\+)
  | (?P<other>.[^ \t\r\n"+/]*)
""", re.VERBOSE | re.DOTALL)

_DEADLINE_EVERY = 4096  # tokens between two looks at the clock


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
    # The parts are joined once at the end: adding each to the literal so far copied it
    # every time, quadratic in a file of many joins (a 5 MB one took 89 s).
    parts = [tokens[start][1][:-1]]
    newlines = 0
    index = start + 1
    while True:
        plus = _next_meaningful(tokens, index)
        if plus is None or tokens[plus][0] != "plus":
            break
        following = _next_meaningful(tokens, plus + 1)
        if following is None or tokens[following][0] != "string":
            break  # a stray "+": left for json to report
        newlines += sum(tokens[i][1].count("\n") for i in range(index, following))
        parts.append(tokens[following][1][1:-1])
        index = following + 1
    return "".join(parts) + '"', newlines, index


def _next_meaningful(tokens: list[Token], index: int) -> int | None:
    while index < len(tokens) and tokens[index][0] in ("space", "comment"):
        index += 1
    return index if index < len(tokens) else None


def _tokens(text: str, where: Where) -> Iterator[Token]:
    # One compiled pattern per token: a character-by-character loop in Python took
    # seconds on a 5 MB file.
    index, count = 0, 0
    at_line_start = True  # only whitespace since the last line break
    while index < len(text):
        count += 1
        if count % _DEADLINE_EVERY == 0 and deadline_passed():
            check_deadline({**where, "line": text.count("\n", 0, index) + 1})
        if at_line_start and text.startswith("//", index):
            end = text.find("\n", index)
            end = len(text) if end == -1 else end
            yield "comment", text[index:end]
            index = end
            continue
        match = _TOKEN.match(text, index)
        assert match is not None  # "other" takes any character
        kind, value = match.lastgroup, match.group()
        if kind == "other" and value.startswith('"'):
            _unclosed(text, index, where)
        at_line_start = kind == "space" and (at_line_start or "\n" in value)
        yield kind, value  # type: ignore[misc]
        index = match.end()


def _unclosed(text: str, start: int, where: Where) -> None:
    line = text.count("\n", 0, start) + 1
    raise fail("a string is not closed before the end of its line", where={**where, "line": line})
