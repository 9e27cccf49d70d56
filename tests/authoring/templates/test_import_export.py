"""Importing questionnaire files (API and command), exporting them, and round trips."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings

from questionnaires.authoring.importers import load_native
from questionnaires.authoring.models import Template
from questionnaires.authoring.services.templates import template_spec
from tests.support.templates import (
    TEST_TEMPLATE,
    VSAQ_CASES,
    WEBAPP,
    minimal_spec,
    template_rows,
    upload,
)

pytestmark = pytest.mark.django_db

BROKEN_COND = TEST_TEMPLATE.read_text().replace('"cond": "data_warning/yes"',
                                                '"cond": "no_such_item/yes"')


def _import(api, path: Path, extensions=(), **extra):
    data = {"file": upload(path), **extra}
    if extensions:
        data["extensions"] = [upload(extension) for extension in extensions]
    return api.post("/api/v1/templates/import/", data, format="multipart")


def _reimport(api, content: bytes, name: str, fmt: str | None = None):
    data = {"file": SimpleUploadedFile(name, content)}
    if fmt:
        data["format"] = fmt
    return api.post("/api/v1/templates/import/", data, format="multipart")


def _run_import(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_questionnaire", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- VSAQ through the API and the command ----------------------------------------------------
@pytest.mark.parametrize(("path", "extensions", "sections", "questions"), VSAQ_CASES)
def test_every_vsaq_fixture_imports_through_the_api_with_the_right_counts(
        api, buyer, path, extensions, sections, questions):
    response = _import(api, path, extensions)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"id", "name", "version", "question_count", "section_count"} <= set(body)
    assert (body["section_count"], body["question_count"]) == (sections, questions)
    template = Template.objects.get(id=body["id"])
    assert template.organization == buyer.organization
    assert (template.source_format, template.status) == ("vsaq", "published")
    assert (template.sections.count(), template.questions.count()) == (sections, questions)


@pytest.mark.parametrize(("path", "extensions", "sections", "questions"), VSAQ_CASES)
def test_every_vsaq_fixture_imports_through_the_command_with_the_right_counts(
        path, extensions, sections, questions):
    flags = [item for extension in extensions for item in ("--extension", extension)]
    out, _ = _run_import(path, *flags)
    template_id = re.search(r"id ([0-9a-f-]{36})", out).group(1)
    assert f"{sections} sections, {questions} questions" in out
    assert "shared library" in out
    template = Template.objects.get(id=template_id)
    assert template.organization is None and template.status == "published"
    assert (template.sections.count(), template.questions.count()) == (sections, questions)


def test_the_command_imports_into_a_named_organisation(buyer):
    out, _ = _run_import(TEST_TEMPLATE, "--organization", "Acme Labs", "--format", "vsaq")
    template = Template.objects.get(id=re.search(r"id ([0-9a-f-]{36})", out).group(1))
    assert template.organization == buyer.organization
    assert "organisation Acme Labs" in out


def test_the_command_refuses_an_unknown_organisation_and_a_missing_file(db):
    with pytest.raises(CommandError, match="no organisation is named"):
        _run_import(TEST_TEMPLATE, "--organization", "Nobody Inc")
    with pytest.raises(CommandError, match="no such file"):
        _run_import("/nonexistent/questionnaire.json")
    assert template_rows() == (0, 0, 0)


# --- Refusals ------------------------------------------------------------------------------------
def test_a_vsaq_cond_naming_a_missing_item_is_refused_with_the_item_and_leaves_nothing(api):
    before = template_rows()
    response = _reimport(api, BROKEN_COND.encode(), "test_template.json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["item"] == "data_tip"
    assert 'item "data_tip"' in error["field"] and error["field"].endswith("cond")
    assert 'unknown key "no_such_item"' in error["message"]
    assert template_rows() == before


def test_the_command_exits_non_zero_listing_each_problem_after_the_file_path(
        tmp_path, db, capsys, monkeypatch):
    from django.db import connections

    from questionnaires.management.commands.import_questionnaire import Command

    # run_from_argv (what manage.py calls) closes every connection when it ends, which
    # would close the test's own transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    broken = tmp_path / "webapp-broken.json"
    broken.write_text(BROKEN_COND)
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_questionnaire", str(broken)])
    assert exited.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == (f'{broken}: item "data_tip" (questionnaire[0].items[1].items[1]): '
                        'cond: column 1: unknown key "no_such_item" (no item or choice has '
                        'this id)')
    assert "nothing was imported" in lines[-1]
    assert template_rows() == (0, 0, 0)


def test_the_command_names_the_extension_file_a_problem_is_in(tmp_path, db):
    extension = tmp_path / "mine.json"
    extension.write_text(json.dumps({"version": 1, "extensions": [
        {"type": "block", "insertAfter": "nowhere", "items": [
            {"type": "line", "id": "x", "text": "A question"}]}]}))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questionnaire", str(TEST_TEMPLATE), "--extension", str(extension),
                     stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(f"{extension}: extensions[0].insertAfter: ")
    assert template_rows() == (0, 0, 0)


def test_a_file_over_the_import_limit_is_refused_with_413_and_stores_nothing(api):
    with override_settings(IMPORT_MAX_BYTES=10_000):
        response = _import(api, WEBAPP)  # 116 kB
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    assert template_rows() == (0, 0, 0)


def test_the_command_refuses_a_file_over_the_import_limit(db):
    with override_settings(IMPORT_MAX_BYTES=10_000), pytest.raises(CommandError, match="bytes"):
        _run_import(WEBAPP)


def test_a_native_error_is_located_by_path_and_line(api):
    text = ("format: diligence/v1\nkey: broken\nname: Broken\nsections:\n"
            "  - key: s\n    title: S\n    questions:\n"
            "      - {key: q, text: Hello, kind: yesno2}\n")
    response = _reimport(api, text.encode(), "broken.yaml")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "sections[0].questions[0].kind" and error["line"] == 8
    assert "yesno2" in error["message"]


def test_a_spreadsheet_error_is_located_by_row_and_column(api):
    sheet = b"section,key,text,kind\nBasics,q1,Hello?,yesno2\n"
    response = _reimport(api, sheet, "mine.csv")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "kind")
    assert error["field"] == 'row 2, column "kind"'
    assert error["path"] == "sections[0].questions[0].kind"


def test_a_file_read_as_the_wrong_format_is_refused_not_a_500(api):
    response = _import(api, TEST_TEMPLATE, format="csv")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_an_unknown_format_and_a_missing_file_are_400s(api):
    bad_format = _import(api, TEST_TEMPLATE, format="pdf")
    assert bad_format.status_code == 400
    assert bad_format.json()["errors"][0]["field"] == "format"
    missing = api.post("/api/v1/templates/import/", {}, format="multipart")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "file"


def test_extensions_are_refused_for_a_file_that_is_not_vsaq(api):
    native = json.dumps(minimal_spec()).encode()
    response = api.post("/api/v1/templates/import/", {
        "file": SimpleUploadedFile("mini.json", native),
        "extensions": [upload(TEST_TEMPLATE)]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "extensions"
    assert template_rows() == (0, 0, 0)


def test_a_failure_while_storing_rolls_back_every_row(api, monkeypatch):
    import questionnaires.authoring.services.templates as templates

    def explode(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(templates, "audit_record", explode)
    with pytest.raises(RuntimeError):
        _import(api, WEBAPP)
    assert template_rows() == (0, 0, 0)


# --- Export and round trips ----------------------------------------------------------------------
def test_export_is_an_attachment_named_after_the_key_and_version(api, own_template):
    response = api.get(f"/api/v1/templates/{own_template.id}/export/?format=native")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="mini-v1.yaml"'
    assert load_native(response.content) == template_spec(own_template)


def test_export_refuses_an_unknown_format_with_a_located_400(api, own_template):
    response = api.get(f"/api/v1/templates/{own_template.id}/export/?format=pdf")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"


def test_a_vsaq_import_exported_natively_reimports_as_an_identical_template(api):
    first = Template.objects.get(id=_import(api, WEBAPP).json()["id"])
    exported = api.get(f"/api/v1/templates/{first.id}/export/?format=native")
    again = _reimport(api, exported.content, "webapp.yaml")
    assert again.status_code == 201, again.json()
    second = Template.objects.get(id=again.json()["id"])
    assert second.version == first.version + 1
    assert template_spec(second) == template_spec(first)


@pytest.mark.parametrize("fmt", ["native", "json", "xlsx"])
def test_each_library_template_exported_reimports_as_an_identical_template(api, library, fmt):
    for key, template in library.items():
        exported = api.get(f"/api/v1/templates/{template.id}/export/?format={fmt}")
        assert exported.status_code == 200
        name = exported["Content-Disposition"].split('filename="')[1].rstrip('"')
        again = _reimport(api, exported.content, name)
        assert again.status_code == 201, (key, again.json())
        assert template_spec(Template.objects.get(id=again.json()["id"])) == template_spec(template)


def test_a_csv_export_reimports_with_the_same_key_and_questions(api, library):
    template = next(iter(library.values()))
    exported = api.get(f"/api/v1/templates/{template.id}/export/?format=csv")
    assert exported["Content-Disposition"] == f'attachment; filename="{template.key}.csv"'
    again = _reimport(api, exported.content, f"{template.key}.csv")
    assert again.status_code == 201, again.json()
    copy = template_spec(Template.objects.get(id=again.json()["id"]))
    original = template_spec(template)
    # A CSV holds only questions: the name comes from the file name.
    assert copy["key"] == original["key"]
    assert copy["sections"] == original["sections"]
