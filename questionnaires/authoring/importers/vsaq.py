"""Imports Google VSAQ questionnaires (github.com/google/vsaq) as native specs.

Mapping (see /work/shared/fixtures/vsaq/README.md for VSAQ's own semantics):
- The single root block names the template. A block that directly holds items (not
  only blocks) becomes a section; blocks nested inside a section are flattened into it,
  their ``cond`` ANDed into each of their items' ``show_if``. Blocks holding only blocks
  just descend; their ``cond`` is ANDed into the ``show_if`` of the sections below them.
- radiogroup -> single_choice, checkgroup -> multi_choice (option keys are VSAQ choice
  ids, unique in the file, so a ``cond`` naming a choice still works); check and yesno ->
  yes_no (``x`` and ``x/yes`` mean the same as in VSAQ); line -> short_text; box ->
  long_text; upload -> file; info -> info; spacer -> dropped.
- tip -> an info question shown when its ``cond`` holds, ``why`` as its help; a tip with
  ``warn: "yes"`` and a severity carries one flag raised whenever the tip is visible.
- A radiogroup or checkgroup without a caption gets "Select one." / "Select all that
  apply." as its text.
- VSAQ scores nothing: every option scores 1.0 and every question weighs 0, so a VSAQ
  template's score comes only from the flags its tips raise.
Ids are kept as written (VSAQ's ``namespace:`` prefix is not a valid key); items without
one get ``<section>_q<n>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from questionnaires.authoring.importers.deadline import check_deadline
from questionnaires.authoring.importers.errors import Where, fail
from questionnaires.authoring.importers.source import decode_text
from questionnaires.authoring.importers.validate import Locate, validate_spec
from questionnaires.authoring.importers.vocabulary import (
    FORMAT,
    identifier_from,
    slugify,
    unique_name,
)
from questionnaires.authoring.importers.vsaq_tree import Origin, VsaqTree, read_tree, walk

KINDS = {
    "info": "info",
    "tip": "info",
    "line": "short_text",
    "box": "long_text",
    "upload": "file",
    "check": "yes_no",
    "yesno": "yes_no",
    "radiogroup": "single_choice",
    "checkgroup": "multi_choice",
}
SEVERITIES = {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}
# VSAQ groups may leave their caption out (an info item above usually asks the question);
# a Diligence question always has text.
GROUP_CAPTIONS = {"radiogroup": "Select one.", "checkgroup": "Select all that apply."}
UNSCORED_OPTION = 1.0
UNSCORED_WEIGHT = 0


def load_vsaq(text: str | bytes, *, filename: str = "", extensions: list[str | bytes] | tuple = ()) -> dict[str, Any]:
    """A VSAQ questionnaire, with any extensions applied in order, as a native spec.

    Raises ImportFailed listing every problem with the item id and its path in the file.
    """
    base = decode_text(text, filename=filename)
    labelled = [
        (decode_text(ext, filename=f"extension {n}"), f"extension {n}") for n, ext in enumerate(extensions, start=1)
    ]
    tree = read_tree(base, filename=filename, extensions=labelled)
    spec, origins = _Builder(tree, filename).build()
    return validate_spec(spec, locate=_locator(origins))


@dataclass
class _Section:
    block: dict[str, Any]
    conds: list[str]
    entries: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)


class _Builder:
    """Builds the native spec and remembers which VSAQ item each native path came from."""

    def __init__(self, tree: VsaqTree, filename: str) -> None:
        self.tree = tree
        self.filename = filename
        self.taken = {item["id"] for item in walk(tree.root) if isinstance(item.get("id"), str)}
        self.taken |= {next(iter(choice)) for item in walk(tree.root) for choice in item.get("choices", [])}
        self.origins: dict[str, tuple[Origin, dict[str, Any]]] = {}

    def build(self) -> tuple[dict[str, Any], dict[str, tuple[Origin, dict[str, Any]]]]:
        root = self.tree.root
        name = _text(root) or PurePath(self.filename).stem or "VSAQ questionnaire"
        sections = [self._section(section, index) for index, section in enumerate(_sections(root, []))]
        if not sections:
            raise fail("the questionnaire holds no questions", where={"file": self.filename} if self.filename else {})
        spec = {
            "format": FORMAT,
            "key": slugify(PurePath(self.filename).stem or name, fallback="vsaq"),
            "name": name,
            "sections": sections,
        }
        return spec, self.origins

    def _section(self, section: _Section, index: int) -> dict[str, Any]:
        block = section.block
        title = _text(block) or f"Section {index + 1}"
        key = block.get("id") or unique_name(identifier_from(title, fallback="section"), self.taken)
        self.origins[f"sections[{index}]"] = (self.tree.origin(block), block)
        questions = []
        for number, (item, conds) in enumerate(section.entries, start=1):
            check_deadline({"item": str(item["id"])} if item.get("id") else None)
            self.origins[f"sections[{index}].questions[{number - 1}]"] = (self.tree.origin(item), item)
            questions.append(self._question(item, conds, f"{key}_q{number}"))
        return {"key": key, "title": title, "show_if": conjoin(section.conds), "questions": questions}

    def _question(self, item: dict[str, Any], conds: list[str], fallback_key: str) -> dict[str, Any]:
        kind = KINDS[item["type"]]
        question: dict[str, Any] = {
            "key": item.get("id") or unique_name(fallback_key, self.taken),
            "text": item.get("text") or GROUP_CAPTIONS.get(item["type"], ""),
            "kind": kind,
            "weight": UNSCORED_WEIGHT,
            "show_if": conjoin(conds + _own_cond(item)),
        }
        # VSAQ's line and box take a "required" flag; info never can be required.
        if kind != "info" and item.get("required") is True:
            question["required"] = True
        question.update(_kind_specific(item))
        return question


def _sections(block: dict[str, Any], conds: list[str]) -> list[_Section]:
    """The sections in ``block``, in document order, each with the conds above it."""
    conds = conds + _own_cond(block)
    children = [item for item in block["items"] if item.get("type") != "spacer"]
    if any(item.get("type") != "block" for item in children):
        section = _Section(block, conds)
        _flatten(children, [], section)
        return [section]
    found: list[_Section] = []
    for child in children:
        found += _sections(child, conds)
    return found


def _flatten(items: list[dict[str, Any]], conds: list[str], section: _Section) -> None:
    for item in items:
        if item.get("type") == "spacer":
            continue
        if item.get("type") == "block":
            _flatten(item["items"], conds + _own_cond(item), section)
        else:
            section.entries.append((item, conds))


def _own_cond(item: dict[str, Any]) -> list[str]:
    cond = item.get("cond")
    return [cond.strip()] if isinstance(cond, str) and cond.strip() else []


def conjoin(conds: list[str]) -> str | None:
    """One condition true when all of ``conds`` are; parenthesised because ``&&`` and ``||``
    evaluate left to right with equal precedence."""
    if not conds:
        return None
    if len(conds) == 1:
        return conds[0]
    return " && ".join(f"({cond})" for cond in conds)


def _kind_specific(item: dict[str, Any]) -> dict[str, Any]:
    kind = item["type"]
    if kind in ("radiogroup", "checkgroup"):
        return {"options": [_option(key, label) for choice in item["choices"] for key, label in choice.items()]}
    if kind == "check":
        return {"options": [_option("yes", "Yes"), _option("no", "No")]}
    if kind == "yesno":
        return {"options": [_option("yes", item.get("yes") or "Yes"), _option("no", item.get("no") or "No")]}
    if kind == "tip":
        return _tip(item)
    return {}


def _option(key: str, label: str) -> dict[str, Any]:
    return {"key": key, "label": label, "score": UNSCORED_OPTION}


def _tip(item: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if isinstance(item.get("why"), str):
        fields["help"] = item["why"]
    if item.get("warn") == "yes" and item.get("severity") in SEVERITIES:
        text = item.get("text", "")
        fields["flags"] = [
            {
                "severity": SEVERITIES[item["severity"]],
                "title": item.get("name") or text,
                "recommendation": text,
            }
        ]
    return fields


def _text(item: dict[str, Any]) -> str:
    text = item.get("text")
    return text.strip() if isinstance(text, str) else ""


_NATIVE_PATH = re.compile(r"^(sections\[\d+\](?:\.questions\[\d+\])?)(.*)$")
_VSAQ_NAMES = (("show_if", "cond"), ("key", "id"), ("options", "choices"))


def _locator(origins: dict[str, tuple[Origin, dict[str, Any]]]) -> Locate:
    """Native paths -> the VSAQ item and path they were built from."""

    def locate(path: str | None) -> Where:
        match = _NATIVE_PATH.match(path or "")
        if not match or match.group(1) not in origins:
            return {}
        origin, item = origins[match.group(1)]
        rest = match.group(2)
        for native, vsaq in _VSAQ_NAMES:
            if rest.startswith(f".{native}"):
                rest = f".{vsaq}{rest[len(native) + 1 :]}"
                break
        return {**origin.where(item), "field": origin.path + rest}

    return locate
