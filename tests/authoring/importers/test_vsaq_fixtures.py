"""The real VSAQ questionnaires import, and what they become matches the raw files."""

from __future__ import annotations

import re

import pytest

from questionnaires.authoring.importers import load_vsaq
from tests.support.paths import VSAQ_DIR

# An extension cannot be imported on its own; this says which base each one extends.
EXTENSION_BASES = {"test_template_extension.json": "test_template.json"}
TYPE_TO_KIND = {
    "info": "info",
    "tip": "info",
    "line": "short_text",
    "box": "long_text",
    "upload": "file",
    "check": "yes_no",
    "yesno": "yes_no",
    "radiogroup": "single_choice",
    "checkgroup": "multi_choice",
}


def _import(name: str) -> dict:
    if name in EXTENSION_BASES:
        base = EXTENSION_BASES[name]
        return load_vsaq((VSAQ_DIR / base).read_bytes(), filename=base, extensions=[(VSAQ_DIR / name).read_bytes()])
    return load_vsaq((VSAQ_DIR / name).read_bytes(), filename=name)


def _raw(name: str, helpers) -> dict:  # type: ignore[no-untyped-def]
    return helpers.merged_test_template() if name in EXTENSION_BASES else helpers.raw_vsaq(name)


def _conjoined(conds: list[str]) -> str | None:
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else " && ".join(f"({cond})" for cond in conds)


FIXTURES = sorted(path.name for path in VSAQ_DIR.glob("*.json"))


def test_the_fixture_folder_holds_the_three_known_vsaq_files() -> None:
    assert FIXTURES == ["test_template.json", "test_template_extension.json", "webapp.json"]


@pytest.mark.parametrize("name", FIXTURES)
def test_section_question_and_flag_counts_match_the_raw_file(name: str, helpers) -> None:
    spec = _import(name)
    expected = helpers.expected_from(_raw(name, helpers))
    questions = helpers.all_questions(spec)
    assert len(spec["sections"]) == len(expected.sections)
    assert len(questions) == len(expected.questions)
    assert sum(len(question["flags"]) for question in questions) == expected.flags


@pytest.mark.parametrize("name", FIXTURES)
def test_every_cond_in_the_file_lands_in_the_show_if_of_what_it_governs(name: str, helpers) -> None:
    spec = _import(name)
    expected = helpers.expected_from(_raw(name, helpers))
    carried = {cond for _, conds in expected.sections for cond in conds}
    carried |= {cond for question in expected.questions for cond in question.conds}
    assert [section["show_if"] for section in spec["sections"]] == [_conjoined(conds) for _, conds in expected.sections]
    assert [question["show_if"] for question in helpers.all_questions(spec)] == [
        _conjoined(question.conds) for question in expected.questions
    ]
    raw_conds = {item["cond"] for item in _items_with_cond(_raw(name, helpers)["questionnaire"])}
    assert carried == raw_conds
    assert expected.conditions == len(_items_with_cond(_raw(name, helpers)["questionnaire"]))


def _items_with_cond(items: list[dict]) -> list[dict]:
    found = []
    for item in items:
        if item.get("cond"):
            found.append(item)
        if item["type"] == "block":
            found += _items_with_cond(item["items"])
    return found


@pytest.mark.parametrize("name", FIXTURES)
def test_kinds_keys_and_texts_follow_the_vsaq_items_in_document_order(name: str, helpers) -> None:
    spec = _import(name)
    expected = helpers.expected_from(_raw(name, helpers))
    for section in spec["sections"]:
        for number, question in enumerate(section["questions"], start=1):
            if not re.fullmatch(rf"{section['key']}_q\d+", question["key"]):
                continue
            assert number == int(question["key"].rsplit("_q", 1)[1])
    for question, want in zip(helpers.all_questions(spec), expected.questions, strict=True):
        item = want.item
        assert question["kind"] == TYPE_TO_KIND[item["type"]]
        if "id" in item:
            assert question["key"] == item["id"]
        if item.get("text"):
            assert question["text"] == item["text"]
        assert question["weight"] == 0
        assert question["required"] is False


def test_a_radiogroup_becomes_a_single_choice_whose_options_are_its_choices() -> None:
    spec = _import("webapp.json")
    question = _question(spec, "application_vm_securitycontact")
    assert question["kind"] == "single_choice"
    assert [option["key"] for option in question["options"]] == [
        "application_vm_securitycontact_yes",
        "application_vm_securitycontact_no",
    ]
    assert question["options"][1]["label"].startswith("No, we do not currently offer")
    assert {option["score"] for option in question["options"]} == {1.0}


def test_a_checkgroup_without_id_or_caption_gets_a_generated_key_and_text() -> None:
    spec = _import("test_template.json")
    question = spec["sections"][0]["questions"][1]
    assert question["key"] == "network_q2"
    assert question["kind"] == "multi_choice"
    assert question["text"] == "Select all that apply."
    assert [option["key"] for option in question["options"]] == ["standard_1", "standard_2"]


def test_a_warning_tip_becomes_an_info_question_with_one_flag_raised_when_visible() -> None:
    spec = _import("webapp.json")
    tip = _question(spec, "warn_application_not_ssl")
    assert tip["kind"] == "info"
    assert tip["show_if"] == "application_ssl_mixed || application_ssl_none"
    assert tip["help"].startswith("If you have compensating controls")
    assert tip["flags"] == [
        {
            "when": None,
            "severity": "high",
            "title": "Unencrypted application network traffic",
            "recommendation": tip["text"],
        }
    ]


def test_a_tip_without_warn_carries_no_flag() -> None:
    spec = _import("webapp.json")
    assert _question(spec, "tip_application_ssl_configuration_ciphers")["flags"] == []


def test_a_check_becomes_yes_no_and_its_tip_keeps_the_critical_severity() -> None:
    spec = _import("test_template.json")
    check = _question(spec, "data_warning")
    assert check["kind"] == "yes_no"
    assert [option["key"] for option in check["options"]] == ["yes", "no"]
    tip = _question(spec, "data_tip")
    assert tip["show_if"] == "data_warning/yes"
    assert tip["flags"][0]["severity"] == "critical"


def test_a_nested_block_cond_is_anded_into_its_items_show_if() -> None:
    spec = _import("webapp.json")
    block_cond = "application_ssl_mixed || application_ssl_exclusively"
    assert _question(spec, "application_ssl_configuration_ciphers")["show_if"] == block_cond
    assert _question(spec, "application_ssl_configuration_termination_other_value")["show_if"] == (
        f"({block_cond}) && (application_ssl_configuration_termination_other)"
    )
    https = next(s for s in spec["sections"] if s["key"] == "block_https")
    assert "application_ssl_configuration_ciphers" in [q["key"] for q in https["questions"]]


def test_blocks_holding_only_blocks_are_not_sections() -> None:
    keys = [section["key"] for section in _import("webapp.json")["sections"]]
    assert "block_application" not in keys
    assert keys[0] == "block_application_metadata"
    assert keys[-2:] == ["block_security_contact", "feedback_block"]


def test_the_extension_question_is_inserted_right_after_the_network_section() -> None:
    spec = _import("test_template_extension.json")
    assert [section["title"] for section in spec["sections"]] == [
        "Network section",
        "Questions specific to my company come here.",
        "Data section",
        "Final section",
    ]
    assert [q["key"] for q in spec["sections"][1]["questions"]] == ["company_specific"]
    assert spec["sections"][1]["questions"][0]["kind"] == "short_text"


def test_the_template_is_named_after_the_root_block_and_keyed_after_the_file() -> None:
    spec = _import("webapp.json")
    assert spec["name"] == "Web Application Security Questionnaire"
    assert spec["key"] == "webapp"


def test_joined_strings_are_whole_and_urls_inside_strings_survive_comment_stripping() -> None:
    spec = _import("webapp.json")
    xsrf = next(q for q in _questions(spec) if q["text"].startswith("<p>Applications must protect"))
    assert xsrf["kind"] == "info"
    assert "</p><p>For example, consider an online banking application" in xsrf["text"]
    assert xsrf["text"].endswith("</p>")
    https_only = _question(spec, "application_ssl_mixed", by_option=True)
    assert "<code>http://</code>" in https_only["options"][0]["label"]


def _questions(spec: dict) -> list[dict]:
    return [question for section in spec["sections"] for question in section["questions"]]


def _question(spec: dict, key: str, *, by_option: bool = False) -> dict:
    for section in spec["sections"]:
        for question in section["questions"]:
            if question["key"] == key:
                return question
            if by_option and key in [option["key"] for option in question.get("options", [])]:
                return question
    raise AssertionError(f"no question {key}")
