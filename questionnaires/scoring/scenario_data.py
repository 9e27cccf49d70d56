"""Reading stress-test scenarios: validation with located errors, defaults, the library.

A scenario is data (``questionnaires/library/scenarios/*.yaml``, shape in
``scenario.schema.json``) so that a compliance analyst can add one without code. Errors
name the field that is wrong, as ``changes.add_stakes[0].percent``, the way template
import errors do.
"""

from __future__ import annotations

import copy
import json
import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from questionnaires.authoring.importers.safe_yaml import YamlRefused, yaml_load

SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")
# A library scenario is a few hundred bytes; the bound is the custom scenarios' own.
FILE_MAX_BYTES = 64 * 1024
LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library" / "scenarios"

PLACEHOLDERS: Mapping[str, str] = {
    "delta": "the change of the overall score, with its sign (-12.5)",
    "overall": "the overall score under the scenario",
    "baseline": "the overall score without the scenario",
    "tier": "the risk tier under the scenario",
    "baseline_tier": "the risk tier without the scenario",
    "broken_count": "how many questions the scenario broke",
    "neutrality": "the neutrality status under the scenario, or 'not assessed'",
}
"""What a scenario's ``explain`` sentences may name in braces, and what each holds."""

STAKE_DEFAULTS: Mapping[str, Any] = {
    "holder_parent": None,
    "competitor": False,
    "board_seats": 0,
    "observer_seats": 0,
    "information_rights": False,
}


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``errors`` is ``[{"field", "message"}]``.

    ``source`` names the file it came from, when it came from one.
    """

    def __init__(self, errors: list[dict[str, str | None]], *, source: str | None = None) -> None:
        if not errors:
            raise ValueError("ScenarioError needs at least one problem")
        self.errors = errors
        self.source = source
        lines = [
            f"{error['field']}: {error['message']}" if error["field"] else str(error["message"]) for error in errors
        ]
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + line for line in lines))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keyword-only arguments defeat exception pickling, and Celery pickles errors.
        return (_rebuild_error, (self.errors, self.source))


def _rebuild_error(errors: list[dict[str, str | None]], source: str | None) -> ScenarioError:
    return ScenarioError(errors, source=source)


def load_scenario(data: object) -> dict[str, Any]:
    """Validate plain scenario data and return a copy with every default filled in.

    Raises ScenarioError listing every problem with its field path. The result always
    has all four ``changes`` keys, and every added stake has all of its fields
    (``voting_percent`` defaults to ``percent``).
    """
    errors = _schema_errors(data)
    if not errors:
        errors = _placeholder_errors(data["explain"])  # type: ignore[index]
    if errors:
        raise ScenarioError(errors)
    return _with_defaults(data)  # type: ignore[arg-type]


def load_scenario_file(path: Path) -> dict[str, Any]:
    """Load one scenario from a YAML (or JSON) file; its key must match the file name."""
    try:
        data = yaml_load(path.read_text(encoding="utf-8"), max_bytes=FILE_MAX_BYTES)
    except YamlRefused as error:
        line = f" (line {error.line})" if error.line is not None else ""
        raise ScenarioError([{"field": None, "message": f"{error.message}{line}"}],
                            source=path.name) from error
    try:
        scenario = load_scenario(data)
    except ScenarioError as error:
        raise ScenarioError(error.errors, source=path.name) from error
    if scenario["key"] != path.stem:
        message = f"key '{scenario['key']}' does not match the file name '{path.name}'"
        raise ScenarioError([{"field": "key", "message": message}], source=path.name)
    return scenario


def load_library_scenarios(directory: Path = LIBRARY_DIR) -> list[dict[str, Any]]:
    """Every scenario of the built-in library, ordered by key (a fresh copy each call)."""
    return copy.deepcopy(list(_library(directory)))


@lru_cache(maxsize=4)
def _library(directory: Path) -> tuple[dict[str, Any], ...]:
    # Every scoring job asks for the library; the files ship with the code, so read and
    # validate them once per process instead of once per job (about 6 ms).
    return tuple(load_scenario_file(path) for path in sorted(directory.glob("*.yaml")))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _schema_errors(data: object) -> list[dict[str, str | None]]:
    found: list[dict[str, str | None]] = []
    for error in _validator().iter_errors(data):
        found.extend(_located(error))
    return sorted(found, key=lambda error: (error["field"] or "", error["message"] or ""))


def _located(error: ValidationError) -> list[dict[str, str | None]]:
    """One schema error as located problems, reworded where jsonschema's text is vague."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return [
            {"field": _field([*path, name]), "message": f"unknown field; expected one of {', '.join(allowed)}"}
            for name in sorted(set(error.instance) - set(allowed))
        ]
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [{"field": _field([*path, name]), "message": "required field missing"} for name in missing]
    if error.validator == "oneOf" and "description" in error.schema:
        return [
            {
                "field": _field(path),
                "message": f"{error.instance!r} is not valid: expected {error.schema['description']}",
            }
        ]
    if error.validator == "enum":
        choices = ", ".join(str(value) for value in error.validator_value)
        return [{"field": _field(path), "message": f"unknown value {error.instance!r}; expected one of {choices}"}]
    return [{"field": _field(path), "message": error.message}]


def _field(path: list[str | int]) -> str | None:
    """``["changes", "add_stakes", 0, "percent"]`` -> ``changes.add_stakes[0].percent``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def _placeholder_errors(sentences: list[str]) -> list[dict[str, str | None]]:
    """Braces in ``explain`` must name a known placeholder, with no format or conversion."""
    errors: list[dict[str, str | None]] = []
    for index, sentence in enumerate(sentences):
        field = f"explain[{index}]"
        try:
            parts = list(string.Formatter().parse(sentence))
        except ValueError as error:
            errors.append({"field": field, "message": f"bad braces: {error}; write {{{{ and }}}} for literal ones"})
            continue
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in PLACEHOLDERS:
                expected = ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)
                errors.append(
                    {"field": field, "message": f"unknown placeholder {{{name}}}; expected one of {expected}"}
                )
            elif spec or conversion:
                errors.append({"field": field, "message": f"placeholder {{{name}}} takes no format or conversion"})
    return errors


def _with_defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    scenario = copy.deepcopy(dict(data))
    changes = scenario["changes"]
    changes.setdefault("override_answers", {})
    changes.setdefault("void_evidence", [])
    changes.setdefault("fail_controls", [])
    changes["add_stakes"] = [
        {**STAKE_DEFAULTS, "voting_percent": stake["percent"], **stake} for stake in changes.get("add_stakes", [])
    ]
    return scenario
