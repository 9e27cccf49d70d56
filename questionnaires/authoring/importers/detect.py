"""Tells which importer an uploaded file needs, and runs it.

The content decides where it can (an .xlsx is a zip, a VSAQ file has a "questionnaire"
list or // comments, a native file says ``format: diligence/v1``); the file name breaks
ties, because buyers rename files freely but rarely change what is inside.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any, Final

from questionnaires.authoring.importers.errors import fail
from questionnaires.authoring.importers.native import load_native
from questionnaires.authoring.importers.source import decode_text
from questionnaires.authoring.importers.spreadsheet import OLD_EXCEL, XLSX_MAGIC, load_spreadsheet
from questionnaires.authoring.importers.vsaq import load_vsaq

FORMATS: Final = ("native", "vsaq", "xlsx", "csv")
_VSAQ = re.compile(r'^\s*//|"(questionnaire|extensions)"\s*:', re.MULTILINE)
_NATIVE = re.compile(r'^\s*[{,]?\s*"?format"?\s*:\s*"?diligence/', re.MULTILINE)
_CSV_HEADER = re.compile(r"\bkind\b", re.IGNORECASE)
_BY_SUFFIX: Final = {".yaml": "native", ".yml": "native", ".csv": "csv", ".xlsx": "xlsx"}


def detect_format(data: bytes, filename: str) -> str:
    """``native``, ``vsaq``, ``xlsx`` or ``csv``; ImportFailed when it cannot tell."""
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise fail(OLD_EXCEL, where={"file": filename})
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    text = decode_text(data, filename=filename)
    if _NATIVE.search(text):
        return "native"
    if _VSAQ.search(text):
        return "vsaq"
    if suffix == ".json":
        return "native"  # its checks will say what a native file is missing
    first_line = text.lstrip().split("\n", 1)[0]
    if _CSV_HEADER.search(first_line) and ("," in first_line or ";" in first_line):
        return "csv"
    raise fail(
        "cannot tell what kind of questionnaire this is; upload a Diligence YAML/JSON file "
        "(format: diligence/v1), a VSAQ .json file, or an .xlsx/.csv sheet",
        where={"file": filename} if filename else {},
    )


def load_any(data: bytes, *, filename: str, format: str | None = None) -> dict[str, Any]:
    """The native spec in ``data``, read by the importer ``format`` names (detected if None)."""
    chosen = format or detect_format(data, filename)
    if chosen == "native":
        return load_native(data, filename=filename)
    if chosen == "vsaq":
        return load_vsaq(data, filename=filename)
    if chosen in ("xlsx", "csv"):
        return load_spreadsheet(data, filename=filename)
    raise fail(f'unknown format "{chosen}"; expected one of {", ".join(FORMATS)}')
