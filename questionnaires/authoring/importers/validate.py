"""The three checks every importer's result goes through, in order, with located errors.

1. native.schema.json (shapes, enums, ranges); 2. semantics.py (rules across fields);
3. the condition language's ``compile_template`` (syntax, unknown names, cycles).
A schema failure stops there: the later steps assume the shapes are right. Steps 2 and
3 run together so a file with a duplicate key and a broken condition reports both, and
a field step 2 already blamed is not blamed again by step 3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from questionnaires.authoring.importers.errors import Problems, Where, fail
from questionnaires.authoring.importers.normalise import normalise
from questionnaires.authoring.importers.schema import schema_problems
from questionnaires.authoring.importers.semantics import semantic_problems
from questionnaires.conditions import TemplateError, compile_template

Locate = Callable[[str | None], Where]


def nowhere(field: str | None) -> Where:
    """A locator for specs that come from no file (export, tests)."""
    return {}


def validate_spec(raw: object, *, locate: Locate = nowhere) -> dict[str, Any]:
    """The canonical form of ``raw``, or ImportFailed listing every problem, each located.

    ``locate`` turns a native path (``sections[0].questions[2].kind``) into where the
    person will find it in their file: a line, a VSAQ item, a sheet row and column.
    """
    if not isinstance(raw, dict):
        raise fail("the file must hold a mapping (key: value pairs) at the top", where=locate(None))
    problems = Problems()
    for path, message in schema_problems(raw):
        problems.add(path, message, locate(path))
    problems.raise_if_any()
    for path, message in semantic_problems(raw):
        problems.add(path, message, locate(path))
    # Conditions are checked on the canonical form, as they will run; a spec with semantic
    # problems may not normalise (a single_choice without options), so it is checked raw.
    spec = raw if problems else normalise(raw)
    reported = {problem["field"] for problem in problems.items}
    for path, message in condition_problems(spec):
        if path not in reported:  # the condition compiler also notices duplicate keys
            problems.add(path, message, locate(path))
    problems.raise_if_any()
    return spec


def condition_problems(spec: dict[str, Any]) -> list[tuple[str | None, str]]:
    """What the condition language finds wrong with the template's show_if and when."""
    try:
        compile_template(spec)
    except TemplateError as error:
        return [(problem["field"], problem["message"]) for problem in error.errors]
    return []
