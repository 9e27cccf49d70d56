"""Reads VSAQ files into one checked tree of items: base questionnaire plus extensions.

Everything about VSAQ that is not "what does this become in Diligence" lives here: the
root rules, applying extensions the way VSAQ's ``setMultipleTemplates`` does, and the
checks that need the whole tree (ids unique across items and choices, every ``cond``
parses and names an item or choice that exists). Problems are reported against the
file the person wrote: the item id and its path there, never a path in the merged tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from questionnaires.authoring.importers.errors import Problems, Where, fail
from questionnaires.authoring.importers.vocabulary import IDENTIFIER, MAX_KEY_LENGTH
from questionnaires.authoring.importers.vsaq_text import parse_vsaq_json
from questionnaires.conditions import ConditionError, parse

QUESTION_TYPES = frozenset({"info", "tip", "line", "box", "check", "yesno", "radiogroup", "checkgroup", "upload"})
ITEM_TYPES = QUESTION_TYPES | {"block", "spacer"}
GROUP_TYPES = frozenset({"radiogroup", "checkgroup"})
VSAQ_SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Origin:
    """Where an item was written: its path in its own file, and the file when several."""

    path: str
    file: str | None = None
    source: int = 0  # 0 for the base file, n for the n-th extension

    def where(self, item: dict[str, Any]) -> Where:
        where: Where = {}
        if isinstance(item.get("id"), str):
            where["item"] = item["id"]
        if self.file:
            where["file"] = self.file
        return where


@dataclass
class VsaqTree:
    """The merged, checked questionnaire: its root block and where each item came from."""

    root: dict[str, Any]
    origins: dict[int, Origin] = field(default_factory=dict)

    def origin(self, item: dict[str, Any]) -> Origin:
        return self.origins[id(item)]


def read_tree(text: str, *, filename: str, extensions: list[tuple[str, str]]) -> VsaqTree:
    """The base file with every extension applied, checked; ImportFailed otherwise.

    ``extensions`` holds (text, label) pairs, applied in order.
    """
    several = bool(extensions)
    base_label = filename or "base questionnaire"
    base = _read_base(text, filename, base_label if several else None)
    tree = VsaqTree(root=base["questionnaire"][0])
    _record_origins(base["questionnaire"], "questionnaire", base_label if several else None, tree)
    for source, (ext_text, label) in enumerate(extensions, start=1):
        _apply_extension(base, ext_text, label, source, tree)
    problems = Problems()
    ids = _check_items(tree, problems)
    _check_conditions(tree, ids, problems)
    problems.raise_if_any()
    return tree


def _read_base(text: str, filename: str, label: str | None) -> dict[str, Any]:
    shown = label or filename
    where: Where = {"file": shown} if shown else {}
    data = parse_vsaq_json(text, where=where)
    if not isinstance(data, dict):
        raise fail('a VSAQ file holds an object with a "questionnaire" list', where=where)
    if "questionnaire" not in data and "extensions" in data:
        raise fail(
            'this is a VSAQ extension (it has "extensions", no "questionnaire"); '
            "import it together with the questionnaire it extends",
            where=where,
        )
    roots = data.get("questionnaire")
    if not isinstance(roots, list) or len(roots) != 1 or not _is_block(roots[0]):
        raise fail(
            '"questionnaire" must be a list holding exactly one block (VSAQ\'s root block)',
            field="questionnaire",
            where=where,
        )
    return data


def _is_block(item: object) -> bool:
    return isinstance(item, dict) and item.get("type") == "block" and isinstance(item.get("items"), list)


def _record_origins(items: list[Any], path: str, file: str | None, tree: VsaqTree, source: int = 0) -> None:
    for index, item in enumerate(items):
        if isinstance(item, dict):
            tree.origins[id(item)] = Origin(f"{path}[{index}]", file, source)
            if isinstance(item.get("items"), list):
                _record_origins(item["items"], f"{path}[{index}].items", file, tree, source)


def _apply_extension(base: dict[str, Any], text: str, label: str, source: int, tree: VsaqTree) -> None:
    """Inserts an extension's items before or after their targets, as VSAQ does."""
    where: Where = {"file": label}
    data = parse_vsaq_json(text, where=where)
    if not isinstance(data, dict) or not isinstance(data.get("extensions"), list):
        raise fail('a VSAQ extension holds an object with an "extensions" list', where=where)
    if data.get("version") != base.get("version"):
        raise fail(
            f"the extension is version {data.get('version')}, the questionnaire it extends "
            f"is version {base.get('version')}; VSAQ requires them to match",
            field="version",
            where=where,
        )
    problems = Problems()
    for index, extension in enumerate(data["extensions"]):
        path = f"extensions[{index}]"
        inserted = _insertable(extension, path, where, problems)
        if inserted is None:
            continue
        item, target, after = inserted
        tree.origins[id(item)] = Origin(path, label, source)
        if isinstance(item.get("items"), list):
            _record_origins(item["items"], f"{path}.items", label, tree, source)
        key = "insertAfter" if after else "insertBefore"
        if not _insert(base["questionnaire"], item, target, after=after):
            problems.add(f"{path}.{key}", f'no block or item has the id "{target}"', where)
        elif len(base["questionnaire"]) != 1:
            problems.add(f"{path}.{key}", "cannot insert next to the root block: everything lives inside it", where)
            base["questionnaire"][:] = [root for root in base["questionnaire"] if root is not item]
    problems.raise_if_any()


def _insertable(
    extension: object, path: str, where: Where, problems: Problems
) -> tuple[dict[str, Any], str, bool] | None:
    """(item without insertBefore/insertAfter, target id, insert after?) or None if invalid."""
    if not isinstance(extension, dict):
        problems.add(path, "an extension must be an item (an object)", where)
        return None
    targets = {key: extension[key] for key in ("insertBefore", "insertAfter") if key in extension}
    if len(targets) != 1 or not all(isinstance(t, str) and t for t in targets.values()):
        problems.add(path, "an extension needs exactly one of insertBefore or insertAfter, naming an id", where)
        return None
    ((key, target),) = targets.items()
    item = {name: value for name, value in extension.items() if name not in targets}
    return item, target, key == "insertAfter"


def _insert(items: list[Any], new: dict[str, Any], target: str, *, after: bool) -> bool:
    """Inserts ``new`` next to the first item with id ``target`` (depth first)."""
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == target:
            items.insert(index + 1 if after else index, new)
            return True
        nested = item.get("items") if isinstance(item, dict) else None
        if isinstance(nested, list) and _insert(nested, new, target, after=after):
            return True
    return False


@dataclass(frozen=True)
class IdEntry:
    """What an id names: ``block``, ``spacer``, ``choice`` or a question type."""

    what: str
    origin: Origin


def _check_items(tree: VsaqTree, problems: Problems) -> dict[str, IdEntry]:
    ids: dict[str, IdEntry] = {}
    # Base items first, then each extension's: a clash is blamed on the newcomer.
    for item in sorted(walk(tree.root), key=lambda item: tree.origin(item).source):
        _check_item(item, tree.origin(item), ids, problems)
    return ids


def walk(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``item`` and every item inside it, in document order (only well-formed blocks descended)."""
    yield item
    if item.get("type") == "block" and isinstance(item.get("items"), list):
        for child in item["items"]:
            if isinstance(child, dict):
                yield from walk(child)


def _check_item(item: dict[str, Any], origin: Origin, ids: dict[str, IdEntry], problems: Problems) -> None:
    where = origin.where(item)
    kind = item.get("type")
    if kind not in ITEM_TYPES:
        hint = "; a lone radio belongs in a radiogroup" if kind == "radio" else ""
        problems.add(
            f"{origin.path}.type",
            f"unknown item type {_quote(kind)}; expected one of {', '.join(sorted(ITEM_TYPES))}{hint}",
            where,
        )
        return
    if kind == "block":
        _check_block(item, origin, problems, where)
    if "id" in item:
        _register(item["id"], kind, origin, f"{origin.path}.id", ids, problems, where)
    if "cond" in item and not isinstance(item["cond"], str):
        problems.add(f"{origin.path}.cond", "cond must be a string", where)
    if kind in GROUP_TYPES:
        _check_choices(item, origin, ids, problems, where)
    warns = kind == "tip" and item.get("warn") == "yes" and "severity" in item
    if warns and item["severity"] not in VSAQ_SEVERITIES:
        problems.add(
            f"{origin.path}.severity",
            f"unknown severity {_quote(item['severity'])}; expected one of {', '.join(VSAQ_SEVERITIES)}",
            where,
        )


def _check_block(item: dict[str, Any], origin: Origin, problems: Problems, where: Where) -> None:
    if not isinstance(item.get("items"), list):
        problems.add(f"{origin.path}.items", 'a block needs an "items" list', where)
    elif any(not isinstance(child, dict) for child in item["items"]):
        problems.add(f"{origin.path}.items", 'every entry of "items" must be an item (an object)', where)


def _check_choices(
    item: dict[str, Any], origin: Origin, ids: dict[str, IdEntry], problems: Problems, where: Where
) -> None:
    if "choicesConds" in item:
        # Diligence options have no conditions of their own; showing a choice VSAQ hides
        # would change the questionnaire, so refuse rather than import something else.
        problems.add(f"{origin.path}.choicesConds", "conditions on single choices are not supported", where)
    choices = item.get("choices")
    if not isinstance(choices, list) or not choices:
        problems.add(f"{origin.path}.choices", 'needs a non-empty "choices" list', where)
        return
    for index, choice in enumerate(choices):
        path = f"{origin.path}.choices[{index}]"
        if not (isinstance(choice, dict) and len(choice) == 1 and isinstance(next(iter(choice.values())), str)):
            problems.add(path, 'each choice must be {"choice_id": "Choice text"}', where)
            continue
        _register(next(iter(choice)), "choice", origin, path, ids, problems, where)


def _register(
    ident: object, what: str, origin: Origin, path: str, ids: dict[str, IdEntry], problems: Problems, where: Where
) -> None:
    if not isinstance(ident, str) or not IDENTIFIER.fullmatch(ident) or len(ident) > MAX_KEY_LENGTH:
        problems.add(
            path,
            f"id {_quote(ident)} cannot be used as a key: use letters, digits and _ "
            f"(at most {MAX_KEY_LENGTH}), not starting with a digit",
            where,
        )
        return
    if ident in ids:
        first = ids[ident].origin
        in_file = f" of {first.file}" if first.file else ""
        problems.add(path, f'duplicate id "{ident}": already used at {first.path}{in_file}', where)
        return
    ids[ident] = IdEntry(what, origin)


def _check_conditions(tree: VsaqTree, ids: dict[str, IdEntry], problems: Problems) -> None:
    for item in walk(tree.root):
        cond = item.get("cond")
        if isinstance(cond, str) and cond.strip():
            origin = tree.origin(item)
            for message in cond_problems(cond, ids):
                problems.add(f"{origin.path}.cond", message, origin.where(item))


def cond_problems(cond: str, ids: dict[str, IdEntry]) -> list[str]:
    """What is wrong with one VSAQ ``cond``, each message starting with its column."""
    try:
        names = parse(cond).names
    except ConditionError as error:
        return [error.located_message]
    found = []
    for name in sorted(names, key=lambda n: _column(n, cond) or 0):
        entry = ids.get(name)
        if entry is not None and entry.what in QUESTION_TYPES | {"choice"}:
            continue
        what = f"names a {entry.what}, which conditions cannot test" if entry else "no item or choice has this id"
        column = _column(name, cond)
        prefix = f"column {column}: " if column else ""
        found.append(f'{prefix}unknown key "{name}" ({what})')
    return found


def _column(name: str, cond: str) -> int | None:
    match = re.search(rf"(?<![\w.\-]){re.escape(name)}(?![\w.\-])", cond)
    return match.start() + 1 if match else None


def _quote(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
