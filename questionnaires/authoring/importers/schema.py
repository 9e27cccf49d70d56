"""Validates a questionnaire against native.schema.json and words each error for a person.

jsonschema's own messages (``'yesno2' is not one of [...]``) name neither the field nor
what to do; each validator here gets a sentence that does, keyed on the schema keyword.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).with_name("native.schema.json")

# What each identifier pattern in the schema means, for the error message.
PATTERN_HELP = {
    "^[a-z0-9][a-z0-9-]*$": "use lowercase letters, digits and -, starting with a letter or digit",
    "^[A-Za-z_][A-Za-z0-9_]*$": "use letters, digits and _, not starting with a digit",
}
TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


@cache
def native_schema() -> dict[str, Any]:
    """The native JSON Schema, read once."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(native_schema())
    # Resolving a $ref costs more than the check it leads to (a third of the time on a
    # large file); the schema has no recursive $ref, so inline them all once.
    return Draft202012Validator(_inline_refs(native_schema(), native_schema()["$defs"]))


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline_refs(value, defs) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(value, defs) for value in node]
    return node


def path_text(path: Iterable[str | int]) -> str:
    """``["sections", 2, "kind"]`` -> ``sections[2].kind``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def schema_problems(spec: object) -> list[tuple[str | None, str]]:
    """Every schema violation in ``spec`` as (path, message), in document order.

    A missing or unknown field is reported on its own path, once per field: jsonschema
    raises one ``required`` error per missing field but one ``additionalProperties``
    error for all unknown ones, and neither says which field it means.
    """
    found: list[tuple[list[str | int], str]] = []
    seen: set[tuple[str, tuple]] = set()
    for error in _validator().iter_errors(spec):
        path = list(error.absolute_path)
        if error.validator in ("required", "additionalProperties"):
            if (str(error.validator), tuple(path)) in seen:
                continue
            seen.add((str(error.validator), tuple(path)))
            describe_fields = _missing if error.validator == "required" else _unknown
            found += [(path + [name], message) for name, message in describe_fields(error)]
        else:
            describer = _DESCRIBERS.get(str(error.validator))
            found.append((path, describer(error) if describer else error.message))
    found.sort(key=lambda entry: _sort_key(entry[0]))
    return [(path_text(path) or None, message) for path, message in found]


def _sort_key(path: Sequence[str | int]) -> tuple:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def _missing(error: ValidationError) -> list[tuple[str, str]]:
    return [(name, f'"{name}" is required') for name in error.validator_value if name not in error.instance]


def _unknown(error: ValidationError) -> list[tuple[str, str]]:
    allowed = sorted(error.schema.get("properties", {}))
    found = []
    for name in error.instance:
        if name in allowed:
            continue
        hint = difflib.get_close_matches(str(name), allowed, n=1)
        suggestion = f'; did you mean "{hint[0]}"?' if hint else f"; allowed: {', '.join(allowed)}"
        found.append((str(name), f'unknown field "{name}"{suggestion}'))
    return found


def _enum(error: ValidationError) -> str:
    field = next((p for p in reversed(error.absolute_path) if isinstance(p, str)), "value")
    expected = ", ".join(str(option) for option in error.validator_value)
    return f"unknown {field} {_show(error.instance)}; expected one of {expected}"


def _const(error: ValidationError) -> str:
    return f"expected {_show(error.validator_value)}, got {_show(error.instance)}"


def _type(error: ValidationError) -> str:
    wanted = error.validator_value
    names = [TYPE_NAMES.get(t, t) for t in (wanted if isinstance(wanted, list) else [wanted])]
    message = f"expected {' or '.join(names)}, got {_show(error.instance)}"
    if isinstance(error.instance, bool) and "string" in wanted:
        # YAML 1.1 reads bare yes/no/on/off as booleans; the fix is quoting.
        message += ' (in YAML, quote yes/no/on/off: "no")'
    return message


def _pattern(error: ValidationError) -> str:
    if error.validator_value == "\\S":
        return "must not be empty"
    help_text = PATTERN_HELP.get(error.validator_value, f"it must match {error.validator_value}")
    return f"{_show(error.instance)} is not a valid key: {help_text}"


def _range(error: ValidationError) -> str:
    low, high = error.schema.get("minimum"), error.schema.get("maximum")
    if low is not None and high is not None:
        return f"must be between {low} and {high}, got {_show(error.instance)}"
    if low is not None:
        return f"must be {low} or more, got {_show(error.instance)}"
    return f"must be {high} or less, got {_show(error.instance)}"


def _min_items(error: ValidationError) -> str:
    return f"needs at least {error.validator_value} entry; the list is empty"


def _max_length(error: ValidationError) -> str:
    return f"is {len(error.instance)} characters long; the most allowed is {error.validator_value}"


def _unique(error: ValidationError) -> str:
    return "lists the same entry twice"


_DESCRIBERS: dict[str, Callable[[ValidationError], str]] = {
    "enum": _enum,
    "const": _const,
    "type": _type,
    "pattern": _pattern,
    "minimum": _range,
    "maximum": _range,
    "minItems": _min_items,
    "maxLength": _max_length,
    "uniqueItems": _unique,
}


def _show(value: object) -> str:
    """A value quoted the way the file wrote it: strings in double quotes, long ones cut."""
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else repr(value)
