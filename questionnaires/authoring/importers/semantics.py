"""Rules of the native format a JSON Schema cannot express.

Runs on a spec that passed the schema (so shapes are right) and before defaults are
filled (so "allow_na on a text question" means the file really said it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from questionnaires.authoring.importers.vocabulary import (
    CHOICE_KINDS,
    DEFAULT_TIERS,
    IDENTIFIER,
    KIND_FIELDS,
    SLUG,
    YES_NO_KEYS,
)

Found = tuple[str, str]  # (path, message)


def semantic_problems(spec: dict[str, Any]) -> list[Found]:
    """Every semantic problem in a schema-valid spec, as (path, message)."""
    found: list[Found] = []
    found += _non_finite_numbers(spec, "")
    if not SLUG.fullmatch(spec["key"]):
        found.append(("key", f'"{spec["key"]}" is not a valid template key'))
    found += _tier_order(spec.get("tiers", {}))
    found += _unique_keys(spec)
    for s, section in enumerate(spec["sections"]):
        for q, question in enumerate(section["questions"]):
            found += _question_problems(question, f"sections[{s}].questions[{q}]")
    return found


def _non_finite_numbers(value: object, path: str) -> Iterator[Found]:
    """NaN and infinity pass "type: number" but break scoring and JSON export."""
    if isinstance(value, float) and not math.isfinite(value):
        yield (path, f"must be a finite number, got {value}")
    elif isinstance(value, dict):
        for name, child in value.items():
            yield from _non_finite_numbers(child, f"{path}.{name}" if path else str(name))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _non_finite_numbers(child, f"{path}[{index}]")


def _tier_order(tiers: dict[str, float]) -> list[Found]:
    merged = {**DEFAULT_TIERS, **tiers}
    if merged["low"] >= merged["medium"] >= merged["high"]:
        return []
    return [
        (
            "tiers",
            "thresholds must not increase from low to medium to high risk "
            f"(low {merged['low']}, medium {merged['medium']}, high {merged['high']})",
        )
    ]


def _unique_keys(spec: dict[str, Any]) -> list[Found]:
    """Section and question keys share one namespace: a condition names either unambiguously."""
    seen: dict[str, str] = {}
    found: list[Found] = []
    for s, section in enumerate(spec["sections"]):
        entries = [(f"sections[{s}]", section["key"])]
        entries += [
            (f"sections[{s}].questions[{q}]", question["key"]) for q, question in enumerate(section["questions"])
        ]
        for holder, key in entries:
            if not IDENTIFIER.fullmatch(key):
                found.append((f"{holder}.key", f'"{key}" is not a valid key'))
            elif key in seen:
                found.append((f"{holder}.key", f'duplicate key "{key}": already used by {seen[key]}'))
            else:
                seen[key] = holder
    return found


def _question_problems(question: dict[str, Any], path: str) -> list[Found]:
    kind = question["kind"]
    found: list[Found] = [
        (f"{path}.{name}", f'"{name}" is only for {_kinds(allowed)} questions, not {kind}')
        for name, allowed in KIND_FIELDS.items()
        if name in question and kind not in allowed
    ]
    if kind in CHOICE_KINDS and "options" not in question:
        found.append((f"{path}.options", f"a {kind} question needs options"))
    if kind == "info" and question.get("required"):
        found.append((f"{path}.required", "an info question is never answered, so it cannot be required"))
    if "options" in question:
        found += _option_problems(question["options"], kind, f"{path}.options")
    if kind == "number":
        found += _number_problems(question, path)
    return found


def _option_problems(options: list[dict[str, Any]], kind: str, path: str) -> list[Found]:
    found: list[Found] = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        key = option["key"]
        if not IDENTIFIER.fullmatch(key):
            found.append((f"{path}[{index}].key", f'"{key}" is not a valid key'))
        elif key in seen:
            found.append((f"{path}[{index}].key", f'duplicate option key "{key}"'))
        seen.add(key)
    keys = sorted(option["key"] for option in options)
    if kind == "yes_no" and keys != sorted(YES_NO_KEYS):
        # Answers to yes_no are "yes"/"no" and conditions say key/yes, so the keys are fixed.
        found.append((path, f'yes_no options must be exactly "yes" and "no", got {", ".join(keys)}'))
    return found


def _number_problems(question: dict[str, Any], path: str) -> list[Found]:
    found: list[Found] = []
    low, high = question.get("min"), question.get("max")
    if low is not None and high is not None and low > high:
        found.append((f"{path}.min", f"min ({low}) is greater than max ({high})"))
    for index, band in enumerate(question.get("bands", [])):
        band_low, band_high = band.get("min"), band.get("max")
        if band_low is not None and band_high is not None and band_low >= band_high:
            found.append((f"{path}.bands[{index}]", f"min ({band_low}) must be below max ({band_high})"))
    return found


def _kinds(allowed: frozenset[str]) -> str:
    return " and ".join(sorted(allowed))
