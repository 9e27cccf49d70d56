"""The canonical form of a valid questionnaire: every default filled, keys in one order.

Two spellings of the same template (one leaning on defaults, one writing them out)
normalise to equal dicts, and export writes the canonical form, so export -> import is the
identity. Consumers (scoring, portal, API) read every field without a default of their own.
Fields that belong to other kinds are absent rather than filled (a text question has no
``options`` key), so the canonical form never says something the template did not mean.
"""

from __future__ import annotations

from typing import Any

from questionnaires.authoring.importers.vocabulary import (
    DEFAULT_EVIDENCE_PENALTY,
    DEFAULT_FLAG_PENALTIES,
    DEFAULT_MULTI,
    DEFAULT_TIERS,
    DEFAULT_WEIGHT,
    FORMAT,
    default_yes_no_options,
)


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    """A new, canonical copy of a valid spec (the input is left untouched)."""
    return {
        "format": FORMAT,
        "key": spec["key"],
        "name": _line(spec["name"]),
        "description": _prose(spec.get("description", "")),
        "tiers": {**DEFAULT_TIERS, **spec.get("tiers", {})},
        "flag_penalties": {**DEFAULT_FLAG_PENALTIES, **spec.get("flag_penalties", {})},
        "sections": [_section(section) for section in spec["sections"]],
    }


def _section(section: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": section["key"],
        "title": _line(section["title"]),
        "description": _prose(section.get("description", "")),
        "weight": section.get("weight", DEFAULT_WEIGHT),
        "show_if": section.get("show_if"),
        "questions": [_question(question) for question in section["questions"]],
    }


def _question(question: dict[str, Any]) -> dict[str, Any]:
    kind = question["kind"]
    result: dict[str, Any] = {
        "key": question["key"],
        "text": _breaks(question["text"]),
        "help": _prose(question.get("help", "")),
        "kind": kind,
        "required": question.get("required", False),
        "weight": question.get("weight", DEFAULT_WEIGHT),
    }
    result.update(_kind_fields(question, kind))
    result.update(
        {
            "evidence": question.get("evidence", "none"),
            "evidence_penalty": question.get("evidence_penalty", DEFAULT_EVIDENCE_PENALTY),
            "show_if": question.get("show_if"),
            "flags": [_flag(flag) for flag in question.get("flags", [])],
            # Reference codes: surrounding spaces and repeats carry no meaning.
            "refs": list(dict.fromkeys(ref.strip() for ref in question.get("refs", []))),
        }
    )
    return result


def _kind_fields(question: dict[str, Any], kind: str) -> dict[str, Any]:
    """The fields only this kind has, defaults filled."""
    if kind == "yes_no":
        options = question.get("options") or default_yes_no_options()
        return {"allow_na": question.get("allow_na", False), "options": _options(options)}
    if kind == "single_choice":
        return {"options": _options(question["options"])}
    if kind == "multi_choice":
        return {"options": _options(question["options"]), "multi": question.get("multi", DEFAULT_MULTI)}
    if kind == "number":
        return {
            "bands": [_band(band) for band in question.get("bands", [])],
            "min": question.get("min"),
            "max": question.get("max"),
        }
    return {}


def _options(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"key": option["key"], "label": _line(option["label"]), "score": option["score"]} for option in options]


def _band(band: dict[str, Any]) -> dict[str, Any]:
    return {"min": band.get("min"), "max": band.get("max"), "score": band["score"]}


def _flag(flag: dict[str, Any]) -> dict[str, Any]:
    return {
        "when": flag.get("when"),
        "severity": flag["severity"],
        "title": _line(flag["title"]),
        "recommendation": _prose(flag.get("recommendation", "")),
    }


def _breaks(text: str) -> str:
    """Line breaks as ``\n``: YAML and .xlsx turn ``\r\n`` and ``\r`` into it anyway."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line(text: str) -> str:
    """A title or label: surrounding whitespace is layout, not content."""
    return _breaks(text).strip()


def _prose(text: str) -> str:
    """Optional prose: only-whitespace means none (a sheet cell cannot tell them apart)."""
    return _breaks(text) if text.strip() else ""
