"""The constants of the scoring rules and the two decisions built on them.

Kept apart from the engine so that a reviewer can read every number that moves a score
in one screen, and so that ``ENGINE_VERSION`` sits beside the things that force a bump.
"""

from __future__ import annotations

from collections.abc import Mapping

ENGINE_VERSION = "1"
"""Bump whenever the same input would give a different result (rules, rounding, text)."""

TIERS = ("low", "medium", "high", "critical")
"""Risk tiers from best to worst; "at least high" means this index or later."""

DEFAULT_TIER_THRESHOLDS: Mapping[str, float] = {"low": 80.0, "medium": 60.0, "high": 40.0}
"""Overall >= low -> low risk, >= medium -> medium, >= high -> high, else critical."""

DEFAULT_FLAG_PENALTIES: Mapping[str, float] = {
    "info": 0.0,
    "low": 2.0,
    "medium": 5.0,
    "high": 10.0,
    "critical": 20.0,
}
"""Points taken off the overall per raised flag, by severity."""

FLAG_TIER_FLOOR: Mapping[str, str] = {"critical": "critical", "high": "high"}
"""A raised flag of this severity forces the tier to at least this one."""

DEFAULT_EVIDENCE_PENALTY = 0.5
"""Share of a question's score lost when its required evidence is missing."""

NEUTRALITY_PENALTIES: Mapping[str, float] = {
    "neutral": 0.0,
    "at_risk": 10.0,
    "discrepancy": 15.0,
    "conflicted": 25.0,
}
"""Points taken off the overall for the vendor's neutrality status.

"discrepancy" (what the vendor declared disagrees with the ownership records) costs more
than "at_risk" because an unexplained difference is itself a finding, but less than a
proven conflict.
"""

NEUTRALITY_TIER_FLOOR: Mapping[str, str] = {"conflicted": "high"}
"""A neutrality status that forces the tier to at least this one."""

BASE_WITHOUT_SCORES = 100.0
"""The base when nothing is scored (e.g. an imported VSAQ questionnaire of tips only):
the vendor starts clean and only raised flags and neutrality take points off."""

UNSCORED_KINDS = frozenset({"short_text", "long_text", "date", "info", "file"})
"""Kinds that never carry a score; file answers still count as evidence."""


def merged_thresholds(spec: Mapping[str, object]) -> dict[str, float]:
    """The template's ``tiers`` over the defaults, so a template may set only some."""
    given = spec.get("tiers") or {}
    assert isinstance(given, Mapping), "tiers is a mapping; the importer validates it"
    return {name: float(given.get(name, default)) for name, default in DEFAULT_TIER_THRESHOLDS.items()}


def merged_flag_penalties(spec: Mapping[str, object]) -> dict[str, float]:
    """The template's ``flag_penalties`` over the defaults."""
    given = spec.get("flag_penalties") or {}
    assert isinstance(given, Mapping), "flag_penalties is a mapping; the importer validates it"
    return {name: float(given.get(name, default)) for name, default in DEFAULT_FLAG_PENALTIES.items()}


def tier_for(overall: float, thresholds: Mapping[str, float]) -> str:
    """The tier an overall score falls in, before any flag or neutrality forces it."""
    for tier in ("low", "medium", "high"):
        if overall >= thresholds[tier]:
            return tier
    return "critical"


def worse_tier(current: str, floor: str) -> str:
    """The riskier of two tiers."""
    return current if TIERS.index(current) >= TIERS.index(floor) else floor
