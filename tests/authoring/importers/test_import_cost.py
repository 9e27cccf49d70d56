"""What a hostile import file may cost is bounded: shared strings, sheets and cells of an
.xlsx are counted before or while they are read, VSAQ string joins take linear time, and a
deadline over the whole import stops what the bounds let through, saying where.

Every hostile file is built here and is small on disk: before, a 113 KB .xlsx of 2.7
million shared strings took 30 s to open, and a 5 MB VSAQ file of joins 89 s."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from questionnaires.authoring.importers import ImportFailed, load_spreadsheet, load_vsaq, sheet_io
from questionnaires.authoring.importers.deadline import import_deadline
from questionnaires.authoring.importers.vsaq_text import to_json

HEADER = ["section", "key", "text", "kind"]


def workbook(rows: int = 3, *, sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "questions"
    sheet.append(HEADER)
    for number in range(1, rows + 1):
        sheet.append(["Security", f"q{number}", f"Question {number}?", "yes_no"])
    for extra in range(1, sheets):
        book.create_sheet(f"extra{extra}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_shared_strings(data: bytes, count: int) -> bytes:
    """The workbook with its shared strings part replaced by ``count`` empty strings."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                target.writestr(info, source.read(info))
        target.writestr("xl/sharedStrings.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org'
            f'/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">'
            + "<si><t/></si>" * count + "</sst>"))
    return out.getvalue()


def refused(data: bytes, filename: str = "hostile.xlsx") -> dict:
    with pytest.raises(ImportFailed) as caught:
        load_spreadsheet(data, filename=filename)
    (problem,) = caught.value.errors
    return problem


# --- .xlsx ------------------------------------------------------------------------------------
def test_a_workbook_of_too_many_shared_strings_is_refused_before_openpyxl_reads_them():
    data = with_shared_strings(workbook(), sheet_io.MAX_SHARED_STRINGS + 1)
    assert len(data) < 64 * 1024  # small on disk, 1.3 MB of strings unpacked
    started = time.perf_counter()
    problem = refused(data)
    assert problem["message"] == ("the workbook holds more than 100,000 shared strings; "
                                  "a questionnaire needs far fewer")
    assert problem["file"] == "hostile.xlsx"
    assert time.perf_counter() - started < 2


def test_a_workbook_of_as_many_shared_strings_as_allowed_still_imports():
    data = with_shared_strings(workbook(), 10)
    spec = load_spreadsheet(data, filename="fine.xlsx")
    assert [q["key"] for q in spec["sections"][0]["questions"]] == ["q1", "q2", "q3"]


def test_a_workbook_of_too_many_sheets_is_refused():
    problem = refused(workbook(sheets=sheet_io.MAX_SHEETS + 1))
    assert problem["message"] == f"the workbook has {sheet_io.MAX_SHEETS + 1} sheets; the most accepted is 20"


def test_a_workbook_of_too_many_filled_cells_is_refused_at_the_row_that_crosses_the_bound(
        monkeypatch):
    monkeypatch.setattr(sheet_io, "MAX_CELLS", 4 * 5)  # the header and four rows of four
    problem = refused(workbook(rows=10))
    assert problem["message"] == "the workbook has more than 20 filled cells"
    assert problem["row"] == 6 and problem["file"] == "hostile.xlsx"


# --- VSAQ -------------------------------------------------------------------------------------
def vsaq_of_joins(joins: int, width: int = 2) -> str:
    text = " + ".join(['"' + "a" * width + '"'] * joins)
    return ('{"questionnaire": [{"type": "block", "text": "Block", "items": [\n'
            f'  {{"type": "info", "id": "i1", "text": {text}}}\n]}}]}}')


def test_joining_vsaq_strings_takes_linear_time():
    """Eight times the joins cost about eight times the time (about thirty when each join
    copied the string so far: 16 GB copied for the larger, 4 MB file); the floor is the
    smaller file, measured here."""
    def cost(joins: int) -> float:
        text = vsaq_of_joins(joins, width=500)
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            to_json(text, where={})
            best = min(best, time.perf_counter() - started)
        return best

    small, large = cost(1_000), cost(8_000)
    assert large < 16 * small, (small, large)


def test_joined_vsaq_strings_read_as_one():
    spec = load_vsaq(vsaq_of_joins(3).encode(), filename="joined.json")
    assert spec["sections"][0]["questions"][0]["text"] == "aaaaaa"


# --- The deadline -----------------------------------------------------------------------------
def test_a_spreadsheet_import_past_its_deadline_is_refused_naming_the_row():
    with import_deadline(0), pytest.raises(ImportFailed) as caught:
        load_spreadsheet(workbook(), filename="slow.xlsx")
    (problem,) = caught.value.errors
    assert problem["message"].startswith("reading the file took more than 0 s, the most an "
                                         "import may take; it stopped here")
    assert problem["row"] == 1 and problem["file"] == "slow.xlsx"


def test_a_vsaq_import_past_its_deadline_is_refused_naming_the_line():
    text = vsaq_of_joins(5_000)
    with import_deadline(0), pytest.raises(ImportFailed) as caught:
        load_vsaq(text.encode(), filename="slow.json")
    (problem,) = caught.value.errors
    assert "took more than 0 s" in problem["message"]
    assert problem["line"] == 2


def test_within_its_deadline_an_import_is_unaffected():
    with import_deadline(60):
        spec = load_spreadsheet(workbook(), filename="fine.xlsx")
    assert len(spec["sections"][0]["questions"]) == 3


@pytest.mark.django_db
def test_the_import_api_answers_400_naming_where_an_import_ran_out_of_time(api, settings):
    settings.IMPORT_DEADLINE_SECONDS = 0
    upload = io.BytesIO(workbook())
    upload.name = "slow.xlsx"
    response = api.post("/api/v1/templates/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "took more than 0 s" in error["message"] and error["row"] == 1
