"""Answer values: validation per question kind, and the canonical digest of a set of answers."""

from __future__ import annotations

import hashlib
import json
import math

from django.core.exceptions import ValidationError

from questionnaires.authoring.models import Question
from questionnaires.core.dates import parse_day
from questionnaires.core.errors import DomainError

TEXT_LIMITS = {"short_text": 500, "long_text": 20_000}
COMMENT_LIMIT = 10_000


def _fail(key: str, message: str):
    raise DomainError(message, field="value")


def validate_value(question: Question, value):
    """The value in its stored form, or DomainError saying what is wrong with it.

    None (or an empty string or list) clears the answer."""
    if value is None or value == "" or value == []:
        return None
    kind, key = question.kind, question.key
    if kind == "info":
        _fail(key, "this item is information only and takes no answer")
    if kind == "yes_no":
        allowed = ["yes", "no"] + (["na"] if question.allow_na else [])
        if value not in allowed:
            _fail(key, f"expected one of {', '.join(allowed)}; got {value!r}")
        return value
    if kind == "single_choice":
        keys = [o["key"] for o in question.options]
        if not isinstance(value, str) or value not in keys:
            _fail(key, f"expected one option key of {', '.join(keys)}; got {value!r}")
        return value
    if kind == "multi_choice":
        keys = [o["key"] for o in question.options]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            _fail(key, "expected a list of option keys")
        unknown = [v for v in value if v not in keys]
        if unknown:
            _fail(key, f"unknown option {unknown[0]!r}; expected keys of {', '.join(keys)}")
        return sorted(set(value), key=keys.index)
    if kind in TEXT_LIMITS:
        if not isinstance(value, str):
            _fail(key, "expected text")
        if "\x00" in value:  # PostgreSQL cannot store NUL in text
            _fail(key, "text may not contain NUL characters")
        if len(value) > TEXT_LIMITS[kind]:
            _fail(key, f"at most {TEXT_LIMITS[kind]} characters; got {len(value)}")
        return value
    if kind == "number":
        return _number(question, value)
    if kind == "date":
        if not isinstance(value, str):
            _fail(key, "expected a date as YYYY-MM-DD")
        try:
            return parse_day(value).isoformat()
        except ValidationError as error:
            _fail(key, error.messages[0])
    if kind == "file":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            _fail(key, "expected a list of evidence ids")
        return value
    _fail(key, f"unknown question kind {kind!r}")


def _number(question: Question, value) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        _fail(question.key, "expected a number")
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            _fail(question.key, f"{value!r} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        _fail(question.key, "expected a finite number")
    if question.min_value is not None and value < question.min_value:
        _fail(question.key, f"must be at least {question.min_value:g}; got {value:g}")
    if question.max_value is not None and value > question.max_value:
        _fail(question.key, f"must be at most {question.max_value:g}; got {value:g}")
    return value


def answers_digest(effective: dict[str, object], comments: dict[str, str] | None = None,
                   evidence: dict[str, list[str]] | None = None) -> str:
    """SHA-256 of the canonical visible answers (with comments and evidence hashes): the
    identity of what was submitted, which scores and reports cite."""
    payload = {
        "answers": effective,
        "comments": {k: v for k, v in (comments or {}).items() if k in effective and v},
        "evidence": {k: sorted(v) for k, v in (evidence or {}).items() if v},
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
