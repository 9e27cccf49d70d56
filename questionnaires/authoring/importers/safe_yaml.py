"""The one way Diligence reads YAML a person wrote: safely, and at a bounded cost.

Safe: no tags that build objects. Bounded: an alias "bomb" stays small as text (902 bytes)
yet expands into billions of values for every later step (13.5 s and 1.7 GB of one web
worker for a custom scenario), so aliases are refused outright, before the document is
built (an anchor alone repeats nothing, so it may stay); nesting is capped for the same
reason, and the text's size is capped by the caller, who knows what a real document of its
kind weighs. Without aliases a document has at most one node per few bytes of text, so
these three bound everything after parsing.

Every entry point (template imports, custom scenarios from the page and the API, the
library's scenario files) goes through here; errors are ``YamlRefused``, which each caller
turns into its own located error.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 32
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: 10x faster

_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class YamlRefused(ValueError):
    """Why a YAML text was not read, and where (1-based line and column, when known).
    ``problem`` is the parser's own words when the text is not YAML at all, else None."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 problem: str | None = None):
        super().__init__(message)
        self.message, self.line, self.column, self.problem = message, line, column, problem


def yaml_check(text: str, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> None:
    """Refuse ``text`` if it is over ``max_bytes``, uses aliases, nests deeper than
    ``max_depth`` or is not YAML; reads events only, so nothing is built."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise YamlRefused(f"the text is {size:,} bytes; the largest accepted is {max_bytes:,} bytes")
    depth = 0
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent):
                raise _at(event, f"aliases (*{event.anchor}) are not supported; "
                                 "write the value out in full")
            if isinstance(event, _OPENS):
                depth += 1
                if depth > max_depth:
                    raise _at(event, f"the document is nested more than {max_depth} levels deep")
            elif isinstance(event, _CLOSES):
                depth -= 1
    except yaml.YAMLError as error:
        raise _syntax(error) from None


def yaml_load(text: str, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """The data of a checked YAML (or JSON) text; ``YamlRefused`` saying why not."""
    return yaml_load_with_nodes(text, max_bytes=max_bytes, max_depth=max_depth)[0]


def yaml_load_with_nodes(text: str, *, max_bytes: int, max_depth: int = MAX_DEPTH
                         ) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree it was built from (for line numbers): one parse for both."""
    yaml_check(text, max_bytes=max_bytes, max_depth=max_depth)
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.YAMLError as error:
        raise _syntax(error) from None
    finally:
        loader.dispose()


def yaml_compose(text: str, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> yaml.Node | None:
    """The node tree of a checked text (lines of a JSON document, read as YAML)."""
    yaml_check(text, max_bytes=max_bytes, max_depth=max_depth)
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as error:
        raise _syntax(error) from None


def _at(event: yaml.Event, message: str) -> YamlRefused:
    return YamlRefused(message, line=event.start_mark.line + 1)


def _syntax(error: yaml.YAMLError) -> YamlRefused:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return YamlRefused(f"not valid YAML: {problem}", problem=problem)
    return YamlRefused(f"not valid YAML: {problem} (column {mark.column + 1})",
                       line=mark.line + 1, column=mark.column + 1, problem=problem)
