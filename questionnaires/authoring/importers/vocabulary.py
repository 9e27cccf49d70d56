"""The native format's vocabulary and defaults, shared by every importer and exporter.

docs/native-format.md is the prose; native.schema.json the shapes; this module the values
code needs (kinds, which fields belong to which kind, what an omitted field means).
"""

from __future__ import annotations

import re
from typing import Any, Final

from questionnaires.conditions.structure import KINDS as CONDITION_KINDS

FORMAT: Final = "diligence/v1"

# One list of kinds for the whole format: the condition language owns it.
KINDS: Final = CONDITION_KINDS
SEVERITIES: Final = ("info", "low", "medium", "high", "critical")
EVIDENCE: Final = ("none", "optional", "required")
MULTI: Final = ("mean", "min", "max", "sum")

CHOICE_KINDS: Final = frozenset({"single_choice", "multi_choice"})

# Fields that only make sense for some kinds; anywhere else they are a mistake.
KIND_FIELDS: Final[dict[str, frozenset[str]]] = {
    "allow_na": frozenset({"yes_no"}),
    "options": frozenset({"yes_no", "single_choice", "multi_choice"}),
    "multi": frozenset({"multi_choice"}),
    "bands": frozenset({"number"}),
    "min": frozenset({"number"}),
    "max": frozenset({"number"}),
}

DEFAULT_TIERS: Final = {"low": 80, "medium": 60, "high": 40}
DEFAULT_FLAG_PENALTIES: Final = {"info": 0, "low": 2, "medium": 5, "high": 10, "critical": 20}
DEFAULT_WEIGHT: Final = 1
DEFAULT_EVIDENCE_PENALTY: Final = 0.5
DEFAULT_MULTI: Final = "mean"
YES_NO_KEYS: Final = ("yes", "no")


def default_yes_no_options() -> list[dict[str, Any]]:
    """A fresh copy of the options a yes_no question has when it lists none."""
    return [
        {"key": "yes", "label": "Yes", "score": 1.0},
        {"key": "no", "label": "No", "score": 0.0},
    ]


SLUG: Final = re.compile(r"[a-z0-9][a-z0-9-]*")
IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_KEY_LENGTH: Final = 100


def slugify(text: str, *, fallback: str) -> str:
    """A template key from free text: ``"Vendor Security (2024)"`` -> ``vendor-security-2024``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def identifier_from(text: str, *, fallback: str) -> str:
    """An identifier from free text (HTML tags dropped): ``"Data section"`` -> ``data_section``."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"<[^>]*>", " ", text).lower())
    ident = ""
    for word in words:  # whole words up to 40 characters: keys stay readable
        candidate = f"{ident}_{word}" if ident else word[:40]
        if len(candidate) > 40:
            break
        ident = candidate
    if not ident:
        return fallback
    return ident if IDENTIFIER.fullmatch(ident) else f"{fallback}_{ident}"


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is free; the result is added to taken."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name
