"""The cost of regular expressions is bounded: per pattern (its compiled program size), per
template (their sum) and per search (the first MATCH_MAX_CHARS characters of a text).

Before: 30 flags like ``matches(a, "(.{1000})(.{1000})...x")`` imported, and one save of a
20 KB answer then took 92 s, the portal page 111 s."""

from __future__ import annotations

import json
import time

import pytest

from questionnaires.authoring.importers import ImportFailed, load_native
from questionnaires.conditions import ConditionError, compile_template, parse
from questionnaires.conditions.nodes import (
    MATCH_MAX_CHARS,
    MAX_PROGRAM_SIZE,
    MAX_TEMPLATE_PROGRAM_SIZE,
)

HOSTILE = "(.{1000})(.{1000})(.{1000})x"
# 1,927 instructions: five fit in a template's budget, six do not.
NEAR_LIMIT = "(.{240})x"


def text_question(key: str, *patterns: str) -> dict:
    return {"key": key, "text": f"Question {key}?", "kind": "long_text",
            "flags": [{"when": f'matches({key}, "{pattern}")', "severity": "high",
                       "title": f"Flag {index}"} for index, pattern in enumerate(patterns)]}


def spec_with(*patterns: str) -> dict:
    return {"format": "diligence/v1", "key": "regex-budget", "name": "Regex budget",
            "sections": [{"key": "s", "title": "S",
                          "questions": [text_question("a", *patterns)]}]}


def size_of(pattern: str) -> int:
    return parse(f'matches(a, "{pattern}")').program_size


def test_the_near_limit_pattern_fits_one_condition_but_six_overflow_a_template():
    assert size_of(NEAR_LIMIT) <= MAX_PROGRAM_SIZE
    assert 5 * size_of(NEAR_LIMIT) <= MAX_TEMPLATE_PROGRAM_SIZE < 6 * size_of(NEAR_LIMIT)


def test_a_pattern_compiling_past_the_limit_is_refused_with_its_size_and_column():
    with pytest.raises(ConditionError) as caught:
        parse(f'matches(a, "{HOSTILE}")')
    assert caught.value.column == 12
    assert caught.value.message.startswith("regular expression too costly: it compiles to ")
    assert f"over the {MAX_PROGRAM_SIZE:,} allowed" in caught.value.message


def test_the_hostile_template_is_refused_at_import_naming_each_condition():
    with pytest.raises(ImportFailed) as caught:
        load_native(json.dumps(spec_with(*[HOSTILE] * 30)))
    errors = caught.value.errors
    assert len(errors) == 30
    assert errors[0]["field"] == "sections[0].questions[0].flags[0].when"
    assert "regular expression too costly" in errors[0]["message"]


def test_a_template_over_the_total_budget_is_refused_at_the_condition_that_crosses_it():
    with pytest.raises(ImportFailed) as caught:
        load_native(json.dumps(spec_with(*[NEAR_LIMIT] * 6)))
    (error,) = caught.value.errors
    assert error["field"] == "sections[0].questions[0].flags[5].when"
    assert error["message"].startswith("regular expressions over budget: ")
    assert f"over the {MAX_TEMPLATE_PROGRAM_SIZE:,} allowed for one template" in error["message"]


def test_a_template_within_the_budget_imports_and_its_patterns_still_match():
    spec = load_native(json.dumps(spec_with(*[NEAR_LIMIT] * 5, "^[A-Z]{2}[0-9]{6}$")))
    compiled = compile_template(spec)
    raised = compiled.raised_flags({"a": "a" * 300 + "x"})
    assert [flag["title"] for flag in raised] == [f"Flag {index}" for index in range(5)]
    assert [f["title"] for f in compiled.raised_flags({"a": "AB123456"})] == ["Flag 5"]


def test_only_the_first_match_max_chars_characters_of_an_answer_are_searched():
    condition = parse('matches(a, "x")')
    compiled = compile_template(spec_with("x"))
    inside = "a" * (MATCH_MAX_CHARS - 1) + "x"
    beyond = "a" * MATCH_MAX_CHARS + "x"
    assert condition.evaluate(compiled.context({"a": inside}))
    assert not condition.evaluate(compiled.context({"a": beyond}))


def test_an_anchor_at_the_end_still_means_the_end_of_the_answer_not_the_cut():
    compiled = compile_template(spec_with("x"))
    cut = "a" * MATCH_MAX_CHARS + "b"
    assert not parse('matches(a, "a$")').evaluate(compiled.context({"a": cut}))
    assert parse('matches(a, "a$")').evaluate(compiled.context({"a": "a" * 10}))
    assert parse('matches(a, "a$", "m")').evaluate(
        compiled.context({"a": "a" * (MATCH_MAX_CHARS - 1) + "a\nrest"}))


def test_an_answer_far_past_the_bound_costs_no_more_than_one_at_the_bound():
    """The floor is the same template on an answer of MATCH_MAX_CHARS characters, measured
    in this test; a 100 times longer answer used to cost about 100 times more."""
    compiled = compile_template(spec_with(*[NEAR_LIMIT] * 5))

    def cost(answer: str) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            compiled.raised_flags({"a": answer})
            best = min(best, time.perf_counter() - started)
        return best

    floor = cost("a" * MATCH_MAX_CHARS)
    long = cost("a" * (100 * MATCH_MAX_CHARS))
    assert long < 3 * floor + 0.05, (long, floor)
