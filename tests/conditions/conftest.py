"""Builders for native-format templates, shared by the condition tests.

These tests are pure Python (run with ``-p no:django``), so nothing here touches Django.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.paths import VSAQ_DIR

# shared/ sits beside the clone (in CI too), never inside it.
VSAQ_FIXTURES = VSAQ_DIR


def question(key: str, kind: str = "yes_no", **fields: Any) -> dict[str, Any]:
    """A native question; choice kinds get options ``a``, ``b``, ``c`` unless given."""
    spec: dict[str, Any] = {"key": key, "text": f"Question {key}?", "kind": kind, **fields}
    if kind in ("single_choice", "multi_choice") and "options" not in spec:
        spec["options"] = options("a", "b", "c")
    return spec


def options(*keys: str) -> list[dict[str, Any]]:
    return [{"key": key, "label": key.title(), "score": 1.0} for key in keys]


def section(key: str, *questions: dict[str, Any], show_if: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"key": key, "title": f"Section {key}", "questions": list(questions)}
    if show_if is not None:
        spec["show_if"] = show_if
    return spec


def template(*sections: dict[str, Any]) -> dict[str, Any]:
    return {"format": "diligence/v1", "key": "test", "name": "Test", "sections": list(sections)}


@pytest.fixture(scope="session")
def build() -> SimpleNamespace:
    """``build.question``, ``build.options``, ``build.section`` and ``build.template``."""
    return SimpleNamespace(question=question, options=options, section=section, template=template)
