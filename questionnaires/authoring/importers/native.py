"""Import and export of the native format (docs/native-format.md), YAML or JSON."""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml

from questionnaires.authoring.importers.documents import read_document
from questionnaires.authoring.importers.source import decode_text
from questionnaires.authoring.importers.validate import validate_spec


def load_native(text: str | bytes, *, filename: str = "") -> dict[str, Any]:
    """A native YAML or JSON questionnaire, validated and in canonical form.

    Raises ImportFailed listing every problem with its path and, where known, its line.
    """
    data, locate = read_document(decode_text(text, filename=filename), filename=filename)
    return validate_spec(data, locate=locate)


def dump_native(spec: dict[str, Any], *, fmt: Literal["yaml", "json"] = "yaml") -> str:
    """The canonical text of ``spec``; ``load_native(dump_native(s)) == s`` for loaded specs.

    The spec is validated first (ImportFailed if it is not valid), so an export can
    always be imported again.
    """
    canonical = validate_spec(spec)
    if fmt == "json":
        return json.dumps(canonical, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(
            canonical,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )
    raise ValueError(f'unknown export format "{fmt}"; expected "yaml" or "json"')


class _Dumper(yaml.SafeDumper):
    """Readable, alias-free YAML.

    The importer refuses aliases, so the exporter must never write one (PyYAML would for
    a list object shared between two questions); multi-line text is written as a block.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


# YAML reads these as line breaks, yet PyYAML writes them raw in plain, single-quoted and
# block scalars, so they would come back as "\n" or a space; double quotes escape them.
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if any(mark in text for mark in _UNICODE_BREAKS):
        style: str | None = '"'
    else:
        style = "|" if "\n" in text else None  # PyYAML falls back to quotes when | cannot hold it
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
