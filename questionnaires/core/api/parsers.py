"""The JSON parser every API view uses (DEFAULT_PARSER_CLASSES and the views that name
their parsers).

Python's json module recurses once per level of nesting: a body nested a few thousand
levels deep raises RecursionError, a 500 on every JSON endpoint, unauthenticated ones
included. No request of this API nests more than a handful of levels, so the nesting is
counted before parsing and a body deeper than MAX_JSON_DEPTH is a 400.

The parsed body is then refused if any string in it (key or value) holds what the
database cannot store or the renderer cannot encode: a NUL character (PostgreSQL text and
jsonb refuse it) or an unpaired UTF-16 surrogate such as "\\ud800" (valid JSON, but no
UTF-8 for it exists). One check here covers every field of every endpoint.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# Deeper than any body of this API (a template spec nests about 6 levels) by a wide margin.
MAX_JSON_DEPTH = 64

# A JSON string, written so the regex engine loops instead of backtracking.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in `text` nest more than `limit` levels (brackets
    inside strings do not count)."""
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _unstorable(text: str) -> str:
    found = _UNSTORABLE.search(text)
    if found is None:
        return ""
    return ("a NUL character" if found.group() == "\x00"
            else "an unpaired UTF-16 surrogate (not valid Unicode)")


def unstorable_text(data) -> tuple[str, str] | None:
    """(where, what) of the first string in parsed JSON that cannot be stored, or None.
    Iterative, though the depth is bounded anyway."""
    pending = [("", data)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            if problem := _unstorable(value):
                return where, problem
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                if problem := _unstorable(str(key)):
                    return where, f"a key holding {problem}"
                pending.append((path, item))
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing deep nesting, NUL characters and lone surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}") from None
        if json_too_deep(text):
            raise ParseError(f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels "
                             "deep")
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        if found := unstorable_text(data):
            where, problem = found
            message = f"text may not contain {problem}"
            raise ValidationError({where: [message]} if where else [message])
        return data
