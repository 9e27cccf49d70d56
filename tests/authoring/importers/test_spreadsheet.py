"""Spreadsheets: export -> import gives the same questions; every error names row and column."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from questionnaires.authoring.importers import (
    ImportFailed,
    dump_spreadsheet,
    load_native,
    load_spreadsheet,
    load_vsaq,
)
from tests.support.paths import LIBRARY_DIR, VSAQ_DIR

LIBRARY = sorted(LIBRARY_DIR.glob("*.yaml"))
HEADER = "section,key,text,kind,options,required,weight,show_if"


def sheet(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def refused(data: bytes, filename: str = "vendor.csv") -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        load_spreadsheet(data, filename=filename)
    return caught.value


def rich_spec() -> dict[str, Any]:
    """Everything a sheet can express, including text that needs escaping or guarding."""
    return load_native(
        json.dumps(
            {
                "format": "diligence/v1",
                "key": "rich",
                "name": "Rich",
                "description": "All the features.",
                "tiers": {"low": 90, "medium": 70, "high": 30},
                "sections": [
                    {
                        "key": "ownership",
                        "title": "Ownership",
                        "description": "Who owns you.",
                        "weight": 2.5,
                        "show_if": None,
                        "questions": [
                            {
                                "key": "owners",
                                "text": "=SUM(A1:A9) is not a formula here",
                                "kind": "single_choice",
                                "help": "Line one;\nline two \\ with a backslash.",
                                "options": [
                                    {"key": "a", "label": "Ratio 1:2; roughly", "score": 0.25},
                                    {"key": "b", "label": "x=y", "score": 1},
                                ],
                                "refs": ["ISO27001:2022 A.5.19", "odd;ref"],
                                "flags": [
                                    {
                                        "when": 'owners == "a"',
                                        "severity": "high",
                                        "title": "Ratio",
                                        "recommendation": "Ask.",
                                    },
                                    {"severity": "info", "title": "Always shown"},
                                ],
                            },
                            {
                                "key": "staff",
                                "text": "How many staff?",
                                "kind": "number",
                                "min": 0,
                                "max": 100000,
                                "bands": [
                                    {"min": None, "max": 24, "score": 1.0},
                                    {"min": 24, "max": None, "score": 0.3},
                                ],
                                "evidence": "required",
                                "evidence_penalty": 0.75,
                            },
                        ],
                    },
                    {
                        "key": "security",
                        "title": "Security",
                        "show_if": "answered(staff)",
                        "questions": [
                            {
                                "key": "mfa",
                                "text": "MFA everywhere?",
                                "kind": "yes_no",
                                "allow_na": True,
                                "required": True,
                                "weight": 3,
                            },
                            {
                                "key": "tools",
                                "text": "Tools?",
                                "kind": "multi_choice",
                                "multi": "min",
                                "options": [{"key": "t1", "label": "-starts with a dash", "score": 0.5}],
                            },
                            {"key": "note", "text": "@mention-looking text", "kind": "info", "weight": 0},
                        ],
                    },
                ],
            }
        )
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_sheet_export_of_every_expressible_feature_reads_back_as_the_same_questions(fmt: str) -> None:
    spec = rich_spec()
    back = load_spreadsheet(dump_spreadsheet(spec, fmt=fmt), filename=f"rich.{fmt}")
    assert back["sections"] == spec["sections"]


def test_an_xlsx_export_also_carries_the_template_fields() -> None:
    spec = rich_spec()
    assert load_spreadsheet(dump_spreadsheet(spec, fmt="xlsx"), filename="anything.xlsx") == spec


def test_a_csv_import_takes_its_key_and_name_from_the_file_name() -> None:
    back = load_spreadsheet(dump_spreadsheet(rich_spec(), fmt="csv"), filename="Vendor_security-2024.csv")
    assert (back["key"], back["name"]) == ("vendor-security-2024", "Vendor security 2024")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("name", ["webapp.json", "test_template.json"])
def test_a_vsaq_import_survives_a_sheet_round_trip(name: str, fmt: str) -> None:
    spec = load_vsaq((VSAQ_DIR / name).read_bytes(), filename=name)
    back = load_spreadsheet(dump_spreadsheet(spec, fmt=fmt), filename=f"x.{fmt}")
    assert back["sections"] == spec["sections"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("path", LIBRARY, ids=lambda path: path.name)
def test_a_library_template_survives_a_sheet_round_trip(path: Path, fmt: str) -> None:
    spec = load_native(path.read_bytes())
    back = load_spreadsheet(dump_spreadsheet(spec, fmt=fmt), filename=f"x.{fmt}")
    assert back["sections"] == spec["sections"]


def test_csv_export_guards_cells_that_excel_would_run_as_formulas() -> None:
    rows = list(csv.reader(io.StringIO(dump_spreadsheet(rich_spec(), fmt="csv").decode("utf-8-sig"))))
    texts = [row[2] for row in rows[1:]]
    assert "'=SUM(A1:A9) is not a formula here" in texts
    assert "'@mention-looking text" in texts


def test_xlsx_export_stores_formula_looking_text_as_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(dump_spreadsheet(rich_spec(), fmt="xlsx")))
    cell = book["questions"]["C2"]
    assert (cell.value, cell.data_type) == ("=SUM(A1:A9) is not a formula here", "s")


def test_a_row_with_a_bad_kind_is_reported_with_its_row_and_column() -> None:
    data = sheet("Ownership,q1,Do you sell data?,yes_no,,yes,1,", "Ownership,q2,Who owns you?,yesno2,,no,1,")
    (problem,) = refused(data).errors
    assert (problem["row"], problem["column"]) == (3, "kind")
    assert problem["message"].startswith('unknown kind "yesno2"; expected one of yes_no')
    assert str(refused(data)).startswith('row 3, column "kind": unknown kind "yesno2"')


def test_every_cell_error_is_reported_with_its_row_and_column() -> None:
    data = sheet(
        "Ownership,q1,Pick one,single_choice,a=A,maybe,heavy,",
        "Ownership,q2,Pick again,single_choice,a=A:1; b=B:lots,no,1,",
    )
    located = {(p["row"], p["column"]): p["message"] for p in refused(data).errors}
    assert set(located) == {(2, "options"), (2, "required"), (2, "weight"), (3, "options")}
    assert located[(2, "options")] == 'option 1 ("a=A"): write key=Label:score'
    assert located[(2, "required")] == 'expected yes or no, got "maybe"'
    assert "the score after the last : must be a number" in located[(3, "options")]


def test_a_schema_problem_found_after_reading_points_at_its_row_and_column() -> None:
    data = sheet("Ownership,q1,First?,yes_no,,,,", "Ownership,q2,Choice?,single_choice,a=A:1.5,,,")
    (problem,) = refused(data).errors
    assert (problem["row"], problem["column"], problem["message"]) == (3, "options", "must be between 0 and 1, got 1.5")


def test_key_and_condition_problems_point_at_the_row_and_column_they_came_from() -> None:
    data = sheet(
        "Ownership,q1,First?,yes_no,,,,",
        "Ownership,q1,Same key?,yes_no,,,,",
        "Ownership,q3,Shown when?,yes_no,,,,q_missing",
    )
    located = {(p["row"], p["column"]) for p in refused(data).errors}
    assert located == {(3, "key"), (4, "show_if")}


def test_blank_rows_are_skipped_a_blank_section_continues_and_missing_keys_are_generated() -> None:
    data = sheet(
        "Ownership,,Do you sell data?,Yes No,,,,",
        ",,,,,,,",
        ",own_board,Board seats?,short text,,,,",
        "Security,,MFA?,yes_no,,,,",
    )
    spec = load_spreadsheet(data, filename="v.csv")
    assert [s["key"] for s in spec["sections"]] == ["ownership", "security"]
    assert [q["key"] for q in spec["sections"][0]["questions"]] == ["ownership_q1", "own_board"]
    assert spec["sections"][0]["questions"][0]["kind"] == "yes_no"
    assert spec["sections"][0]["questions"][1]["kind"] == "short_text"


def test_flag_only_rows_add_flags_to_the_question_above() -> None:
    header = HEADER + ",flag_when,flag_severity,flag_title"
    data = sheet(
        "Ownership,q1,Investors?,yes_no,,,,,q1/yes,high,Has investors",
        ",,,,,,,,q1/no,low,No investors",
        header=header,
    )
    flags = load_spreadsheet(data, filename="v.csv")["sections"][0]["questions"][0]["flags"]
    assert [(f["when"], f["severity"], f["title"]) for f in flags] == [
        ("q1/yes", "high", "Has investors"),
        ("q1/no", "low", "No investors"),
    ]


def test_a_flag_error_on_a_flag_only_row_names_that_row() -> None:
    header = HEADER + ",flag_when,flag_severity,flag_title"
    data = sheet("Ownership,q1,Investors?,yes_no,,,,,,high,Ok", ",,,,,,,,,severe,Bad", header=header)
    (problem,) = refused(data).errors
    assert (problem["row"], problem["column"]) == (3, "flag_severity")


def test_a_flag_only_row_before_any_question_is_refused() -> None:
    data = sheet(",,,,,,,,,high,Lost", header=HEADER + ",flag_when,flag_severity,flag_title")
    assert refused(data).errors[0]["row"] == 2


def test_rows_of_one_section_may_not_contradict_its_weight() -> None:
    data = sheet("Ownership,q1,A?,yes_no,,,,,2", "Ownership,q2,B?,yes_no,,,,,3", header=HEADER + ",section_weight")
    (problem,) = refused(data).errors
    assert (problem["row"], problem["column"]) == (3, "section_weight")
    assert "already has 2 here (row 2)" in problem["message"]


def test_an_unknown_or_missing_column_is_reported_on_the_header_row() -> None:
    problems = refused(sheet("x,y", header="section,text,colour")).errors
    assert {(p["row"], p["column"]) for p in problems} == {(1, "colour"), (1, "kind")}


def test_headers_are_case_and_space_insensitive_and_semicolon_csv_is_read() -> None:
    data = b"Section;Key;Text;KIND;Flag Title;Flag Severity\nOwnership;q1;Sold?;yes_no;Sold;high\n"
    question = load_spreadsheet(data, filename="excel-de.csv")["sections"][0]["questions"][0]
    assert question["flags"][0]["title"] == "Sold"


def test_a_sheet_with_only_headers_is_refused_as_empty() -> None:
    assert "holds no questions" in str(refused(sheet()))


def test_an_empty_or_non_utf8_csv_is_refused() -> None:
    assert str(refused(b"")) == "vendor.csv: the file is empty"
    assert "not UTF-8" in str(refused("section,text,kind\nCafé,Q,info\n".encode("latin-1")))


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused() -> None:
    assert "not a readable .xlsx file" in str(refused(b"PK\x03\x04 not really a zip", filename="v.xlsx"))


def test_the_template_sheet_fields_are_read_and_their_errors_located() -> None:
    book = openpyxl.Workbook()
    book.active.title = "questions"
    book.active.append(["section", "text", "kind"])
    book.active.append(["Ownership", "Sold?", "yes_no"])
    template = book.create_sheet("template")
    for row in (["field", "value"], ["name", "Acme review"], ["tiers.low", "high"], ["colour", "red"]):
        template.append(row)
    out = io.BytesIO()
    book.save(out)
    problems = refused(out.getvalue(), filename="acme.xlsx").errors
    assert {(p.get("sheet"), p["row"], p["column"]) for p in problems} == {
        ("template", 3, "value"),
        ("template", 4, "field"),
    }


def test_a_flag_only_row_extends_the_question_right_above_even_in_a_revisited_section() -> None:
    header = HEADER + ",flag_severity,flag_title"
    data = sheet(
        "Ownership,q1,First?,yes_no,,,,,,",
        "Security,q2,Second?,yes_no,,,,,,",
        "Ownership,q3,Third?,yes_no,,,,,,",
        ",,,,,,,,low,About the third",
        header=header,
    )
    spec = load_spreadsheet(data, filename="v.csv")
    ownership, security = spec["sections"]
    assert [q["key"] for q in ownership["questions"]] == ["q1", "q3"]
    assert ownership["questions"][1]["flags"][0]["title"] == "About the third"
    assert security["questions"][0]["flags"] == []
