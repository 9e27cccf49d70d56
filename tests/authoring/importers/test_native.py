"""Native YAML/JSON: canonical round trips, and broken files refused with located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from questionnaires.authoring.importers import (
    MAX_BYTES,
    ImportFailed,
    dump_native,
    load_native,
    load_vsaq,
)
from tests.support.paths import LIBRARY_DIR, VSAQ_DIR

LIBRARY = sorted(LIBRARY_DIR.glob("*.yaml"))

VSAQ_RESULTS = {
    "webapp.json": lambda: load_vsaq((VSAQ_DIR / "webapp.json").read_bytes(), filename="webapp.json"),
    "test_template.json": lambda: load_vsaq(
        (VSAQ_DIR / "test_template.json").read_bytes(), filename="test_template.json"
    ),
    "test_template.json+extension": lambda: load_vsaq(
        (VSAQ_DIR / "test_template.json").read_bytes(),
        filename="test_template.json",
        extensions=[(VSAQ_DIR / "test_template_extension.json").read_bytes()],
    ),
}


def refused(text: str | bytes, **kwargs) -> ImportFailed:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFailed) as caught:
        load_native(text, **kwargs)
    return caught.value


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("name", sorted(VSAQ_RESULTS))
def test_a_vsaq_import_survives_native_export_and_import_unchanged(name: str, fmt: str) -> None:
    spec = VSAQ_RESULTS[name]()
    assert load_native(dump_native(spec, fmt=fmt)) == spec


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("path", LIBRARY, ids=lambda path: path.name)
def test_a_library_template_survives_native_export_and_import_unchanged(path: Path, fmt: str) -> None:
    spec = load_native(path.read_bytes(), filename=path.name)
    exported = dump_native(spec, fmt=fmt)
    assert load_native(exported) == spec
    assert dump_native(load_native(exported), fmt=fmt) == exported


def test_two_spellings_of_one_template_normalise_to_the_same_spec(helpers) -> None:
    terse = helpers.minimal_spec()
    spelled_out = helpers.minimal_spec(
        help="",
        required=False,
        weight=1,
        allow_na=False,
        options=[{"key": "yes", "label": "Yes", "score": 1.0}, {"key": "no", "label": "No", "score": 0.0}],
        evidence="none",
        evidence_penalty=0.5,
        show_if=None,
        flags=[],
        refs=[],
    )
    spelled_out["tiers"] = {"low": 80}
    assert load_native(yaml.safe_dump(terse)) == load_native(json.dumps(spelled_out))


def test_defaults_are_filled_only_with_the_fields_a_kind_has(helpers) -> None:
    spec = load_native(json.dumps(helpers.minimal_spec(kind="number")))
    question = spec["sections"][0]["questions"][0]
    assert question["bands"] == [] and question["min"] is None and question["max"] is None
    assert "options" not in question and "allow_na" not in question
    assert spec["flag_penalties"] == {"info": 0, "low": 2, "medium": 5, "high": 10, "critical": 20}


def test_a_bad_kind_is_reported_with_its_path_and_line() -> None:
    text = """format: diligence/v1
key: vendor
name: Vendor
sections:
  - key: s1
    title: One
    questions:
      - key: q1
        text: First?
        kind: yes_no
      - key: q2
        text: Second?
        kind: yesno2
"""
    (problem,) = refused(text, filename="vendor.yaml").errors
    assert problem["field"] == "sections[0].questions[1].kind"
    assert problem["line"] == 13
    assert problem["message"].startswith('unknown kind "yesno2"; expected one of yes_no, single_choice, multi_choice')
    assert str(refused(text, filename="vendor.yaml")).startswith(
        'vendor.yaml: line 13: sections[0].questions[1].kind: unknown kind "yesno2"'
    )


def test_a_show_if_cycle_is_refused(helpers) -> None:
    spec = helpers.minimal_spec(show_if="q2")
    spec["sections"][0]["questions"].append({"key": "q2", "text": "Q2?", "kind": "yes_no", "show_if": "q1"})
    error = refused(json.dumps(spec))
    assert any(p["field"].endswith(".show_if") for p in error.errors)
    assert "cycle" in str(error).lower()


def test_a_key_used_twice_is_refused_where_it_is_repeated(helpers) -> None:
    spec = helpers.minimal_spec()
    spec["sections"].append(
        {"key": "q1", "title": "Two", "questions": [{"key": "q9", "text": "?", "kind": "short_text"}]}
    )
    (problem,) = refused(json.dumps(spec, indent=1)).errors
    assert problem["field"] == "sections[1].key"
    assert problem["message"] == 'duplicate key "q1": already used by sections[0].questions[0]'
    assert problem["line"] > 1


def test_a_mapping_key_written_twice_in_yaml_is_refused_with_both_lines() -> None:
    error = refused("format: diligence/v1\nkey: a\nkey: b\n")
    assert error.errors[0]["line"] == 3
    assert "first written on line 2" in error.errors[0]["message"]


def test_a_mapping_key_written_twice_in_json_is_refused() -> None:
    error = refused('{"format": "diligence/v1",\n "key": "a",\n "key": "b"}')
    assert error.errors[0]["field"] == "key"
    assert error.errors[0]["line"] == 3


def test_rules_beyond_the_schema_are_all_reported_together(helpers) -> None:
    spec = helpers.minimal_spec(kind="short_text", allow_na=True, options=[{"key": "a", "label": "A", "score": 1}])
    spec["sections"][0]["questions"].append({"key": "c", "text": "C?", "kind": "single_choice"})
    spec["sections"][0]["questions"].append({"key": "n", "text": "N?", "kind": "number", "min": 5, "max": 1})
    fields = {problem["field"] for problem in refused(json.dumps(spec)).errors}
    assert fields == {
        "sections[0].questions[0].allow_na",
        "sections[0].questions[0].options",
        "sections[0].questions[1].options",
        "sections[0].questions[2].min",
    }


def test_an_unknown_field_is_named_with_a_suggestion(helpers) -> None:
    spec = helpers.minimal_spec(requird=True)
    (problem,) = refused(json.dumps(spec)).errors
    assert problem["field"] == "sections[0].questions[0].requird"
    assert 'did you mean "required"' in problem["message"]


def test_an_unquoted_yaml_no_gets_a_hint_to_quote_it() -> None:
    text = """format: diligence/v1
key: t
name: T
sections:
  - key: s
    title: S
    questions:
      - key: q
        text: Q?
        kind: single_choice
        options:
          - {key: no, label: No, score: 1}
"""
    error = refused(text)
    assert error.errors[0]["field"] == "sections[0].questions[0].options[0].key"
    assert "quote yes/no/on/off" in error.errors[0]["message"]
    assert error.errors[0]["line"] == 12


def test_an_option_score_outside_zero_to_one_is_refused(helpers) -> None:
    spec = helpers.minimal_spec(
        options=[{"key": "yes", "label": "Y", "score": 1.5}, {"key": "no", "label": "N", "score": 0}]
    )
    (problem,) = refused(json.dumps(spec)).errors
    assert problem["message"] == "must be between 0 and 1, got 1.5"


def test_a_file_without_the_format_line_is_refused(helpers) -> None:
    spec = helpers.minimal_spec()
    del spec["format"]
    assert refused(json.dumps(spec)).errors[0]["message"] == '"format" is required'


def test_yaml_aliases_are_refused_so_an_alias_bomb_cannot_expand() -> None:
    bomb = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: &c [*b, *b]\nformat: diligence/v1\n'
    (problem,) = refused(bomb).errors
    assert problem["line"] == 2
    assert "aliases (*a) are not supported" in problem["message"]


def test_deeply_nested_yaml_is_refused() -> None:
    assert "nested more than" in str(refused("x: " + "[" * 100 + "]" * 100))


def test_deeply_nested_json_is_refused() -> None:
    assert "nested more than" in str(refused("[" * 100_000 + "]" * 100_000))


def test_a_non_utf8_file_is_refused_with_the_byte_and_line() -> None:
    (problem,) = refused("format: diligence/v1\nname: Caf\xe9\n".encode("latin-1"), filename="x.yaml").errors
    assert problem["line"] == 2
    assert "not UTF-8" in problem["message"] and "byte 31" in problem["message"]


def test_a_file_over_the_size_limit_is_refused() -> None:
    big = b"# padding\n" * (MAX_BYTES // 10 + 1)
    assert "the largest accepted is 5 MB" in str(refused(big))


@pytest.mark.parametrize("text", ["", "   \n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(text: str | bytes) -> None:
    assert str(refused(text)) == "the file is empty"


def test_a_template_without_questions_is_refused(helpers) -> None:
    spec = helpers.minimal_spec()
    spec["sections"][0]["questions"] = []
    (problem,) = refused(json.dumps(spec)).errors
    assert problem["field"] == "sections[0].questions"


def test_a_yaml_syntax_error_is_reported_with_its_line() -> None:
    (problem,) = refused("format: diligence/v1\nsections: [\n  - oops: : :\n").errors
    assert problem["message"].startswith("not valid YAML")
    assert problem["line"] >= 2


def test_export_refuses_an_invalid_spec(helpers) -> None:
    with pytest.raises(ImportFailed):
        dump_native(helpers.minimal_spec(kind="yesno2"))


def test_yaml_export_writes_multi_line_text_as_a_block_and_no_aliases(helpers) -> None:
    spec = load_native(json.dumps(helpers.minimal_spec(help="Line one.\nLine two.\n")))
    exported = dump_native(spec)
    assert "help: |\n" in exported
    assert "&id" not in exported and "*id" not in exported
