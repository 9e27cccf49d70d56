"""Reads a native file's text (YAML or JSON) into data, and remembers each value's line.

YAML is read through safe_yaml, the one loader for every YAML a person writes: no tags
that build objects, no aliases (an alias "bomb" stays small as text yet
expands into billions of values for every later step), nesting and size capped.
JSON goes through ``json`` rather than YAML, whose 1.1 parser corrupts
escaped surrogate pairs (``"\\ud83d\\ude00"``); YAML's node marks still give its lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from questionnaires.authoring.importers.errors import ImportFailed, Problems, Where, fail
from questionnaires.authoring.importers.safe_yaml import (
    MAX_DEPTH,
    YamlRefused,
    yaml_compose,
    yaml_load_with_nodes,
)
from questionnaires.authoring.importers.source import MAX_BYTES
from questionnaires.authoring.importers.validate import Locate

_LAST_SEGMENT = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")


def read_document(text: str, *, filename: str = "") -> tuple[Any, Locate]:
    """The data in ``text`` and a locator from native paths to lines of ``text``."""
    where: Where = {"file": filename} if filename else {}
    if text.lstrip()[:1] in ("{", "["):
        repeated: list[str] = []
        data = _load_json(text, where, repeated)
        lines, duplicates = _json_lines(text)
        if repeated and not duplicates:  # the line map was unavailable: report without lines
            duplicates = [(name, 0, f'duplicate key "{name}"') for name in repeated]
    else:
        data, root = _load_yaml(text, where)
        lines, duplicates = _line_map(root)
    _report_duplicates(duplicates, where)
    return data, _locator(lines, where)


def _load_yaml(text: str, where: Where) -> tuple[Any, yaml.Node | None]:
    """The data, and the node tree it was built from (for lines): one parse for both."""
    try:
        return yaml_load_with_nodes(text, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
    except YamlRefused as refused:
        raise _refused(refused, where) from None


def _refused(refused: YamlRefused, where: Where) -> ImportFailed:
    return fail(refused.message,
                where={**where, "line": refused.line} if refused.line is not None else where)


def _load_json(text: str, where: Where, repeated: list[str]) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) < len(items):  # which ones, and their lines, _json_lines finds
            names = [name for name, _ in items]
            repeated.extend(sorted({name for name in names if names.count(name) > 1}))
        return result

    def constant(name: str) -> None:
        raise ValueError(f"{name} is not a JSON number")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise fail(
            f"not valid JSON: {error.msg} (column {error.colno})",
            where={**where, "line": error.lineno},
        ) from None
    except ValueError as error:
        raise fail(f"not valid JSON: {error}", where=where) from None
    except RecursionError:
        raise fail(f"the document is nested more than {MAX_DEPTH} levels deep", where=where) from None


def _json_lines(text: str) -> tuple[dict[str, int], list[tuple[str, int, str]]]:
    """Lines for JSON, read through YAML's composer (JSON's flow syntax is YAML).

    Best effort for the lines only: the data itself came from ``json``.
    """
    try:
        return _line_map(yaml_compose(text, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH))
    except Exception:  # noqa: BLE001 - any failure only costs the line numbers
        return {}, []


def _line_map(root: yaml.Node | None) -> tuple[dict[str, int], list[tuple[str, int, str]]]:
    """Each native path's 1-based line, and every duplicated mapping key as (path, line, message)."""
    lines: dict[str, int] = {}
    duplicates: list[tuple[str, int, str]] = []
    if root is not None:
        for path, line, duplicate_of in _walk(root, ""):
            if duplicate_of is None:
                lines.setdefault(path, line)
            else:
                name = path.rpartition(".")[2]
                duplicates.append((path, line, f'duplicate key "{name}" (first written on line {duplicate_of})'))
    return lines, duplicates


def _walk(node: yaml.Node, path: str) -> Iterator[tuple[str, int, int | None]]:
    yield path, node.start_mark.line + 1, None
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            child = f"{path}.{name}" if path else name
            line = key_node.start_mark.line + 1
            if name in first_line:
                yield child, line, first_line[name]
                continue
            first_line[name] = line
            yield child, line, None
            yield from _walk(value_node, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, f"{path}[{index}]")


def _report_duplicates(duplicates: list[tuple[str, int, str]], where: Where) -> None:
    problems = Problems()
    for path, line, message in duplicates:
        problems.add(path, message, {**where, "line": line} if line else where)
    problems.raise_if_any()


def _locator(lines: dict[str, int], where: Where) -> Locate:
    def locate(field: str | None) -> Where:
        path = field or ""
        while path not in lines and path:
            path = _LAST_SEGMENT.sub("", path) if _LAST_SEGMENT.search(path) else ""
        line = lines.get(path)
        return {**where, "line": line} if line is not None else dict(where)

    return locate
