"""Broken VSAQ files are refused, every problem named by item id and path in the file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from questionnaires.authoring.importers import ImportFailed, load_vsaq
from questionnaires.authoring.importers.vsaq_text import to_json
from tests.support.paths import VSAQ_DIR


def vsaq(*items: dict[str, Any], version: int | None = None) -> str:
    """A VSAQ file: one root block holding one block with ``items``."""
    data: dict[str, Any] = {
        "questionnaire": [
            {"type": "block", "text": "Root", "items": [{"type": "block", "text": "Main", "items": list(items)}]}
        ]
    }
    if version is not None:
        data["version"] = version
    return json.dumps(data)


def errors_of(text: str, **kwargs: Any) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        load_vsaq(text, **kwargs)
    return caught.value


def test_a_cond_naming_a_missing_id_is_reported_with_the_item_id_path_column_and_key() -> None:
    error = errors_of(
        vsaq(
            {"type": "check", "id": "uses_cloud", "text": "Cloud?"},
            {"type": "line", "id": "cloud_name", "text": "Which?", "cond": "uses_cloud && cloud_nmae"},
        )
    )
    (problem,) = error.errors
    assert problem["item"] == "cloud_name"
    assert problem["field"] == "questionnaire[0].items[0].items[1].cond"
    assert 'column 15: unknown key "cloud_nmae"' in problem["message"]
    assert str(error) == (
        'item "cloud_name" (questionnaire[0].items[0].items[1]): cond: column 15: '
        'unknown key "cloud_nmae" (no item or choice has this id)'
    )


def test_a_typo_in_a_real_file_cond_is_found_in_that_file() -> None:
    text = (VSAQ_DIR / "webapp.json").read_text(encoding="utf-8")
    broken = text.replace(
        '"cond": "application_ssl_mixed || application_ssl_none"',
        '"cond": "application_ssl_mixed || application_ssl_nonee"',
    )
    assert broken != text
    (problem,) = errors_of(broken, filename="webapp.json").errors
    assert problem["item"] == "warn_application_not_ssl"
    assert problem["field"].endswith(".cond")
    assert 'column 26: unknown key "application_ssl_nonee"' in problem["message"]


def test_a_cond_with_a_syntax_error_is_reported_with_its_column() -> None:
    error = errors_of(
        vsaq({"type": "check", "id": "a", "text": "A?"}, {"type": "line", "id": "b", "text": "B", "cond": "a &&"})
    )
    (problem,) = error.errors
    assert problem["item"] == "b"
    assert problem["message"].startswith("column ")


def test_a_cond_naming_a_block_is_refused_because_conditions_test_questions() -> None:
    error = errors_of(
        vsaq(
            {"type": "block", "id": "inner", "text": "Inner", "items": [{"type": "check", "id": "a", "text": "A?"}]},
            {"type": "line", "id": "b", "text": "B", "cond": "inner"},
        )
    )
    assert 'unknown key "inner" (names a block' in str(error)


def test_every_problem_in_the_file_is_reported_together() -> None:
    error = errors_of(
        vsaq(
            {"type": "line", "id": "a", "text": "A", "cond": "nope_one"},
            {"type": "dropdown", "id": "b", "text": "B"},
            {"type": "line", "id": "bad-id", "text": "C"},
        )
    )
    messages = str(error)
    assert 'unknown key "nope_one"' in messages
    assert 'unknown item type "dropdown"' in messages
    assert 'id "bad-id" cannot be used as a key' in messages
    assert len(error.errors) == 3


def test_an_id_used_by_an_item_and_a_choice_is_a_duplicate() -> None:
    error = errors_of(
        vsaq(
            {"type": "check", "id": "encrypted", "text": "Encrypted?"},
            {"type": "radiogroup", "id": "how", "text": "How?", "choices": [{"encrypted": "At rest"}]},
        )
    )
    (problem,) = error.errors
    assert problem["field"] == "questionnaire[0].items[0].items[1].choices[0]"
    assert 'duplicate id "encrypted": already used at questionnaire[0].items[0].items[0]' in problem["message"]


def test_a_show_if_cycle_is_refused_and_placed_on_a_vsaq_item() -> None:
    error = errors_of(
        vsaq(
            {"type": "check", "id": "a", "text": "A?", "cond": "b"},
            {"type": "check", "id": "b", "text": "B?", "cond": "a"},
        )
    )
    assert error.errors
    assert {problem.get("item") for problem in error.errors} <= {"a", "b"}
    assert all(problem["field"].startswith("questionnaire[0].items[0].items[") for problem in error.errors)
    assert "cycle" in str(error).lower()


def test_choice_conditions_are_refused_rather_than_dropped() -> None:
    error = errors_of(
        vsaq({"type": "radiogroup", "id": "r", "text": "R?", "choices": [{"x": "X"}], "choicesConds": [{"x": "r"}]})
    )
    assert "conditions on single choices are not supported" in str(error)


def test_an_unknown_tip_severity_is_refused() -> None:
    error = errors_of(vsaq({"type": "tip", "id": "t", "text": "Careful", "warn": "yes", "severity": "severe"}))
    assert 'unknown severity "severe"; expected one of low, medium, high, critical' in str(error)


def test_an_extension_id_colliding_with_the_base_is_refused_and_located_in_the_extension() -> None:
    base = (VSAQ_DIR / "test_template.json").read_bytes()
    extension = json.dumps(
        {
            "version": 1,
            "extensions": [
                {"type": "line", "id": "data_warning", "text": "Again?", "insertAfter": "network"},
            ],
        }
    )
    (problem,) = errors_of(base, filename="test_template.json", extensions=[extension]).errors
    assert problem["file"] == "extension 1"
    assert problem["field"] == "extensions[0].id"
    assert 'duplicate id "data_warning"' in problem["message"]


def test_an_unknown_insert_target_is_a_located_error() -> None:
    base = (VSAQ_DIR / "test_template.json").read_bytes()
    extension = json.dumps(
        {"version": 1, "extensions": [{"type": "line", "id": "x", "text": "X", "insertBefore": "nowhere"}]}
    )
    (problem,) = errors_of(base, extensions=[extension]).errors
    assert problem == {
        "field": "extensions[0].insertBefore",
        "message": 'no block or item has the id "nowhere"',
        "file": "extension 1",
    }


def test_an_extension_of_another_version_is_refused() -> None:
    base = (VSAQ_DIR / "test_template.json").read_bytes()
    extension = json.dumps(
        {"version": 2, "extensions": [{"type": "line", "id": "x", "text": "X", "insertAfter": "network"}]}
    )
    assert "VSAQ requires them to match" in str(errors_of(base, extensions=[extension]))


def test_an_extension_uploaded_alone_is_refused_with_advice() -> None:
    text = (VSAQ_DIR / "test_template_extension.json").read_bytes()
    assert "import it together with the questionnaire it extends" in str(errors_of(text))


def test_more_than_one_root_block_is_refused() -> None:
    text = json.dumps({"questionnaire": [{"type": "block", "text": "A", "items": []}] * 2})
    assert "exactly one block" in str(errors_of(text))


def test_comment_lines_go_and_concatenations_join_but_urls_and_numbers_stay() -> None:
    text = '  // a comment\n{"url": "http://example.com//x" +\n   // between\n  "/y", "n": 1e+5}\n'
    assert json.loads(to_json(text, where={})) == {"url": "http://example.com//x/y", "n": 100000.0}


def test_a_json_error_after_a_join_reports_the_line_of_the_original_file() -> None:
    text = '{\n"a": "one" +\n  "two",\n"b": [1,,2]\n}'
    (problem,) = errors_of(text).errors
    assert problem["line"] == 4


def test_an_unterminated_string_is_reported_on_its_line() -> None:
    (problem,) = errors_of('{\n"questionnaire": "oops\n}').errors
    assert problem["line"] == 2
    assert "not closed" in problem["message"]
