"""How one question is scored: options, bands, multi rules, N/A, hidden, evidence, gaps."""

from __future__ import annotations

import pytest

from questionnaires.scoring import compile_scoring, score_assessment


def one(build, item, answer=None, *, evidence=None, failed=frozenset(), answered=True):
    """The scored entry of a single-question template."""
    answers = {item["key"]: answer} if answered else {}
    result = score_assessment(
        build.compiled(build.section("s", item)), answers, evidence=evidence, failed_controls=failed
    )
    return result["questions"][item["key"]]


def test_yes_no_without_options_scores_yes_1_and_no_0(build):
    item = build.question("q")
    assert one(build, item, "yes")["score"] == 1.0
    assert one(build, item, "no")["score"] == 0.0


def test_yes_no_options_override_the_default_scores(build):
    item = build.question("q", options=build.NO_IS_GOOD)
    assert one(build, item, "no")["score"] == 1.0
    assert one(build, item, "yes")["score"] == 0.0


def test_yes_no_check_box_booleans_read_as_yes_and_no(build):
    item = build.question("q")
    assert one(build, item, True)["score"] == 1.0
    assert one(build, item, False)["score"] == 0.0


def test_na_takes_no_part_and_leaves_the_section_unscored(build):
    item = build.question("q", allow_na=True, required=True)
    result = score_assessment(build.compiled(build.section("s", item)), {"q": "na"})
    assert result["questions"]["q"] == {"score": None, "weight": 1, "reason": "Answered N/A: takes no part"}
    assert result["sections"][0]["score"] is None


def test_single_choice_scores_the_chosen_option(build):
    options = [{"key": "full", "label": "Full", "score": 1.0}, {"key": "partial", "label": "Partial", "score": 0.4}]
    entry = one(build, build.question("q", "single_choice", options=options), "partial")
    assert entry["score"] == 0.4
    assert entry["reason"] == "Answered 'partial': option score 0.4"


def test_an_option_without_a_score_takes_no_part(build):
    options = [{"key": "a", "label": "A", "score": 1.0}, {"key": "unsure", "label": "Unsure"}]
    entry = one(build, build.question("q", "single_choice", options=options), "unsure")
    assert entry["score"] is None
    assert "without a score" in entry["reason"]


def test_a_choice_question_whose_options_carry_no_scores_is_unscored(build):
    options = [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}]
    entry = one(build, build.question("q", "single_choice", options=options, required=True), None, answered=False)
    assert entry["score"] is None
    assert entry["reason"] == "Its options carry no scores: not scored"


BANDS = [
    {"min": None, "max": 0, "score": 0.1},
    {"min": 0, "max": 24, "score": 1.0},
    {"min": 10, "max": 20, "score": 0.2},  # inside the band before: the first one wins
    {"min": 24, "max": 72, "score": 0.5},
    {"min": 72, "max": None, "score": 0.0},
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-3, 0.1), (0, 1.0), (15, 1.0), (23.99, 1.0), (24, 0.5), (71.5, 0.5), (72, 0.0), (10_000, 0.0)],
)
def test_number_scores_by_the_first_band_holding_the_value(build, value, expected):
    assert one(build, build.question("q", "number", bands=BANDS), value)["score"] == expected


def test_number_reason_names_the_band(build):
    entry = one(build, build.question("q", "number", bands=BANDS), 30)
    assert entry["reason"] == "Answered 30: band [24, 72) scores 0.5"


def test_number_outside_every_band_takes_no_part(build):
    bands = [{"min": 0, "max": 24, "score": 1.0}]
    entry = one(build, build.question("q", "number", bands=bands, required=True), 30)
    assert entry["score"] is None
    assert "no band covers it" in entry["reason"]


def test_number_without_bands_is_unscored(build):
    entry = one(build, build.question("q", "number"), 30)
    assert entry["score"] is None
    assert entry["reason"] == "A number question without bands: not scored"


MULTI_OPTIONS = [
    {"key": "a", "label": "A", "score": 1.0},
    {"key": "b", "label": "B", "score": 0.5},
    {"key": "c", "label": "C", "score": 0.25},
]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("mean", 0.75), ("min", 0.5), ("max", 1.0), ("sum", 1.0)],
)
def test_multi_choice_combines_selected_scores_by_its_rule(build, rule, expected):
    item = build.question("q", "multi_choice", options=MULTI_OPTIONS, multi=rule)
    assert one(build, item, ["b", "a"])["score"] == expected


def test_multi_sum_below_one_is_not_capped(build):
    item = build.question("q", "multi_choice", options=MULTI_OPTIONS, multi="sum")
    entry = one(build, item, ["b", "c"])
    assert entry["score"] == 0.75
    assert "capped" not in entry["reason"]


def test_multi_choice_defaults_to_mean(build):
    assert one(build, build.question("q", "multi_choice", options=MULTI_OPTIONS), ["a", "c"])["score"] == 0.62


def test_multi_choice_reason_lists_selection_in_template_order(build):
    item = build.question("q", "multi_choice", options=MULTI_OPTIONS, multi="sum")
    entry = one(build, item, ["c", "a"])
    assert entry["reason"] == "Selected 'a', 'c': sum of option scores 1, 0.25 = 1, capped at 1"


def test_empty_multi_selection_of_a_required_question_scores_0(build):
    # [] is no answer to the condition language, so this is "required but unanswered".
    item = build.question("q", "multi_choice", options=MULTI_OPTIONS, required=True)
    assert one(build, item, [])["score"] == 0.0


def test_hidden_question_takes_no_part_whatever_its_answer(build):
    gate = build.question("gate")
    hidden = build.question("q", required=True, show_if='gate == "yes"')
    result = score_assessment(build.compiled(build.section("s", gate, hidden)), {"gate": "no", "q": "yes"})
    assert result["questions"]["q"]["score"] is None
    assert result["questions"]["q"]["reason"] == "Hidden by a show_if condition: takes no part"
    assert result["sections"][0]["scored_questions"] == 1


def test_a_hidden_section_hides_its_questions(build):
    gate = build.section("a", build.question("gate"))
    hidden = build.section("b", build.question("q", required=True), show_if="gate")
    result = score_assessment(build.compiled(gate, hidden), {"gate": "no", "q": "yes"})
    assert result["questions"]["q"]["score"] is None
    assert result["sections"][1]["score"] is None
    assert "every question is hidden" in result["explanation"]["sections"]["b"]


def test_weight_0_is_not_scored(build):
    entry = one(build, build.question("q", weight=0), "yes")
    assert entry == {"score": None, "weight": 0, "reason": "Weight 0: not scored"}


@pytest.mark.parametrize(
    ("kind", "answer"),
    [("short_text", "x"), ("long_text", "x"), ("date", "2025-06-01"), ("info", None), ("file", ["ev1"])],
)
def test_text_date_info_and_file_questions_are_not_scored(build, kind, answer):
    entry = one(build, build.question(kind, kind, required=kind != "info"), answer)
    assert entry["score"] is None
    assert entry["reason"].startswith(f"A {kind} question: not scored")


def test_a_file_question_counts_its_files_as_evidence(build):
    entry = one(build, build.question("f", "file"), ["ev1", "ev2"])
    assert entry["reason"] == "A file question: not scored; 2 files attached as evidence"


def test_missing_required_evidence_costs_the_default_half(build):
    entry = one(build, build.question("q", evidence="required"), "yes", evidence={})
    assert entry["score"] == 0.5
    assert entry["reason"] == "Answered 'yes': option score 1; required evidence is missing, so x (1 - 0.5) = 0.5"


def test_missing_required_evidence_costs_the_question_penalty(build):
    item = build.question("q", evidence="required", evidence_penalty=0.2)
    assert one(build, item, "yes", evidence={"q": 0})["score"] == 0.8


def test_attached_evidence_avoids_the_penalty(build):
    assert one(build, build.question("q", evidence="required"), "yes", evidence={"q": 2})["score"] == 1.0


def test_optional_evidence_missing_costs_nothing(build):
    assert one(build, build.question("q", evidence="optional"), "yes")["score"] == 1.0


def test_unanswered_required_question_scores_0_and_says_so(build):
    entry = one(build, build.question("q", required=True), answered=False)
    assert entry == {"score": 0.0, "weight": 1, "reason": "Required but unanswered: scores 0"}


def test_unanswered_optional_question_takes_no_part(build):
    entry = one(build, build.question("q"), answered=False)
    assert entry == {"score": None, "weight": 1, "reason": "Optional and unanswered: takes no part"}


def test_an_invalid_stored_answer_counts_as_unanswered(build):
    options = [{"key": "a", "label": "A", "score": 1.0}]
    required = one(build, build.question("q", "single_choice", options=options, required=True), "gone")
    optional = one(build, build.question("q", "single_choice", options=options), ["a"])
    assert required["score"] == 0.0 and "not valid" in required["reason"]
    assert optional["score"] is None and "not valid" in optional["reason"]


def test_a_failed_control_scores_0_whatever_the_answer(build):
    entry = one(build, build.question("q"), "yes", failed=frozenset({"q"}))
    assert entry == {"score": 0.0, "weight": 1, "reason": "Control marked failed: scores 0 whatever the answer"}


def test_scoring_plans_are_cached_per_compiled_template(build):
    spec = build.template(build.section("s", build.question("q")))
    first = build.compiled(build.section("s", build.question("q")))
    assert compile_scoring(first) is compile_scoring(first)
    assert compile_scoring(first) is not compile_scoring(build.compiled(*spec["sections"]))


def test_a_number_question_refuses_a_boolean(build):
    # True == 1 to Python; a check box value must not pass for the number 1.
    entry = one(build, build.question("q", "number", bands=BANDS, required=True), True)
    assert entry["score"] == 0.0
    assert "not valid" in entry["reason"]


def test_a_yes_no_question_does_not_read_the_number_1_as_yes(build):
    entry = one(build, build.question("q", required=True), 1)
    assert entry == {"score": 0.0, "weight": 1, "reason": "Required but unanswered: scores 0"}


def test_remembered_outcomes_do_not_leak_between_answers(build):
    # Scorers remember outcomes per answer; a warm plan must still tell answers apart.
    tpl = build.compiled(
        build.section(
            "s",
            build.question("n", "number", bands=BANDS),
            build.question("m", "multi_choice", options=MULTI_OPTIONS, multi="min"),
        )
    )
    for _ in range(2):
        first = score_assessment(tpl, {"n": 30, "m": ["a", "b"]})["questions"]
        second = score_assessment(tpl, {"n": 30.0, "m": ["a", "c"]})["questions"]
        assert (first["n"]["score"], first["m"]["score"]) == (0.5, 0.5)
        assert (second["n"]["score"], second["m"]["score"]) == (0.5, 0.25)
