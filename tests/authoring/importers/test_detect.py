"""Uploads are routed to the right importer by content first, file name second."""

from __future__ import annotations

import pytest

from questionnaires.authoring.importers import (
    ImportFailed,
    detect_format,
    dump_native,
    dump_spreadsheet,
    load_any,
    load_vsaq,
)
from tests.support.paths import VSAQ_DIR


@pytest.fixture(scope="module")
def spec() -> dict:
    return load_vsaq((VSAQ_DIR / "test_template.json").read_bytes(), filename="test_template.json")


def test_vsaq_files_are_recognised_whatever_their_name() -> None:
    data = (VSAQ_DIR / "webapp.json").read_bytes()
    assert detect_format(data, "webapp.json") == "vsaq"
    assert detect_format(data, "upload") == "vsaq"
    assert detect_format((VSAQ_DIR / "test_template.json").read_bytes(), "t.json") == "vsaq"


def test_native_exports_are_recognised_as_native(spec: dict) -> None:
    assert detect_format(dump_native(spec).encode(), "export") == "native"
    assert detect_format(dump_native(spec, fmt="json").encode(), "export.json") == "native"
    assert detect_format(b"format: diligence/v1\n", "x.yaml") == "native"


def test_sheets_are_recognised_by_content_or_name(spec: dict) -> None:
    assert detect_format(dump_spreadsheet(spec, fmt="xlsx"), "renamed.bin") == "xlsx"
    assert detect_format(dump_spreadsheet(spec, fmt="csv"), "export") == "csv"
    assert detect_format(b"anything", "sheet.csv") == "csv"


def test_an_unrecognisable_file_is_refused_with_what_is_accepted() -> None:
    with pytest.raises(ImportFailed, match="cannot tell what kind of questionnaire"):
        detect_format(b"just some notes\n", "notes.txt")


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx", "csv"])
def test_load_any_reads_every_export_back(spec: dict, fmt: str) -> None:
    data = dump_native(spec, fmt=fmt).encode() if fmt in ("yaml", "json") else dump_spreadsheet(spec, fmt=fmt)
    assert load_any(data, filename=f"export.{fmt}")["sections"] == spec["sections"]


def test_load_any_reads_a_vsaq_file_and_honours_an_explicit_format() -> None:
    data = (VSAQ_DIR / "webapp.json").read_bytes()
    assert load_any(data, filename="webapp.json")["name"] == "Web Application Security Questionnaire"
    plain_json = (VSAQ_DIR / "test_template.json").read_bytes()
    with pytest.raises(ImportFailed, match='unknown field "questionnaire"'):
        load_any(plain_json, filename="test_template.json", format="native")
    with pytest.raises(ImportFailed, match='unknown format "pdf"'):
        load_any(data, filename="webapp.json", format="pdf")


def test_an_old_binary_excel_file_is_refused_with_advice() -> None:
    with pytest.raises(ImportFailed, match=r"old \.xls workbooks are not supported"):
        load_any(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 binary", filename="questionnaire.xls")
