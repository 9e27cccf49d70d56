"""Helpers for the importer tests: the VSAQ fixtures read independently of the importer.

The fixture facts the tests compare against (how many sections, questions, conditions,
flags; which conds govern which item) are worked out here from the raw files with a
deliberately naive reader, so a bug in the importer cannot hide behind the same bug in
the test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.paths import VSAQ_DIR

BASE_FIXTURES = ("webapp.json", "test_template.json")


def raw_vsaq(name: str) -> dict[str, Any]:
    """A fixture's data: comment lines dropped, ``" + "`` joins removed, by plain regex."""
    text = (VSAQ_DIR / name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    joined = re.sub(r'"\s*\+\s*"', "", "\n".join(lines))
    return json.loads(joined)


def merged_test_template() -> dict[str, Any]:
    """test_template.json with its extension inserted after the "network" block, by hand."""
    base = raw_vsaq("test_template.json")
    extension = raw_vsaq("test_template_extension.json")["extensions"][0]
    inserted = {k: v for k, v in extension.items() if k != "insertAfter"}
    root_items = base["questionnaire"][0]["items"]
    position = next(i for i, item in enumerate(root_items) if item.get("id") == "network")
    root_items.insert(position + 1, inserted)
    return base


@dataclass
class ExpectedQuestion:
    item: dict[str, Any]
    conds: list[str]  # outermost first, the item's own cond last


@dataclass
class Expected:
    sections: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    questions: list[ExpectedQuestion] = field(default_factory=list)
    conditions: int = 0
    flags: int = 0


def expected_from(data: dict[str, Any]) -> Expected:
    """What the importer must produce, counted from the raw VSAQ data."""
    expected = Expected()
    _count_conditions_and_flags(data["questionnaire"], expected)
    _descend(data["questionnaire"][0], [], expected)
    return expected


def _count_conditions_and_flags(items: list[dict[str, Any]], expected: Expected) -> None:
    for item in items:
        if item.get("cond"):
            expected.conditions += 1
        if item["type"] == "tip" and item.get("warn") == "yes" and item.get("severity"):
            expected.flags += 1
        if item["type"] == "block":
            _count_conditions_and_flags(item["items"], expected)


def _descend(block: dict[str, Any], conds: list[str], expected: Expected) -> None:
    conds = conds + ([block["cond"]] if block.get("cond") else [])
    direct = [item for item in block["items"] if item["type"] not in ("block", "spacer")]
    if direct:
        expected.sections.append((block, conds))
        _flatten(block["items"], [], expected)
        return
    for child in block["items"]:
        if child["type"] == "block":
            _descend(child, conds, expected)


def _flatten(items: list[dict[str, Any]], conds: list[str], expected: Expected) -> None:
    for item in items:
        if item["type"] == "block":
            _flatten(item["items"], conds + ([item["cond"]] if item.get("cond") else []), expected)
        elif item["type"] != "spacer":
            own = [item["cond"]] if item.get("cond") else []
            expected.questions.append(ExpectedQuestion(item, conds + own))


def all_questions(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [question for section in spec["sections"] for question in section["questions"]]


def minimal_spec(**fields: Any) -> dict[str, Any]:
    """A small valid native template, its one question overridable via ``fields``."""
    question = {"key": "q1", "text": "Do you sell data?", "kind": "yes_no", **fields}
    return {
        "format": "diligence/v1",
        "key": "small",
        "name": "Small",
        "sections": [{"key": "s1", "title": "Section one", "questions": [question]}],
    }


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    """The helpers above, for test modules (conftest is not importable by name under
    --import-mode=importlib)."""
    return SimpleNamespace(
        raw_vsaq=raw_vsaq,
        merged_test_template=merged_test_template,
        expected_from=expected_from,
        all_questions=all_questions,
        minimal_spec=minimal_spec,
        vsaq_dir=VSAQ_DIR,
    )
