"""Sections, overall, flag penalties, neutrality, tiers and the explanations of each."""

from __future__ import annotations

import json
import re

import pytest

from questionnaires.scoring import ENGINE_VERSION, score_assessment

OPTIONS = [{"key": f"s{int(score * 100)}", "label": str(score), "score": score} for score in (0.0, 0.5, 0.8, 1.0)]


def choice(build, key, **fields):
    return build.question(key, "single_choice", options=OPTIONS, **fields)


def test_result_carries_the_engine_version_and_is_json(build):
    result = score_assessment(build.compiled(build.section("s", build.question("q"))), {"q": "yes"})
    assert result["engine_version"] == ENGINE_VERSION == "1"
    assert json.loads(json.dumps(result)) == result


def test_section_score_is_the_weighted_mean_of_its_questions_x_100(build):
    tpl = build.compiled(build.section("s", choice(build, "a", weight=3), choice(build, "b", weight=1)))
    result = score_assessment(tpl, {"a": "s100", "b": "s0"})
    assert result["sections"][0] == {
        "key": "s",
        "title": "Section s",
        "score": 75.0,
        "weight": 1,
        "answered": 2,
        "scored_questions": 2,
    }
    assert result["explanation"]["sections"]["s"] == (
        "Section 'Section s': weighted mean of 2 scored questions x 100 = 75; weight 1"
    )


def test_overall_is_the_weighted_mean_of_scored_sections(build):
    tpl = build.compiled(
        build.section("a", choice(build, "qa"), weight=3),
        build.section("b", choice(build, "qb"), weight=1),
        build.section("c", build.question("text", "short_text"), weight=5),  # no score: left out
    )
    result = score_assessment(tpl, {"qa": "s80", "qb": "s0", "text": "hello"})
    assert result["overall"] == 60.0
    assert result["sections"][2]["score"] is None
    assert (
        result["explanation"]["base"] == "Weighted mean of 2 section scores: 'Section a' 80 x 3, 'Section b' 0 x 1 = 60"
    )


def test_a_section_of_weight_0_has_a_score_but_does_not_count(build):
    tpl = build.compiled(build.section("a", choice(build, "qa")), build.section("b", choice(build, "qb"), weight=0))
    result = score_assessment(tpl, {"qa": "s100", "qb": "s0"})
    assert result["sections"][1]["score"] == 0.0
    assert result["overall"] == 100.0
    assert "weight 0, so it does not count" in result["explanation"]["sections"]["b"]


def test_unanswered_required_questions_pull_the_section_down_and_are_named(build):
    tpl = build.compiled(build.section("s", choice(build, "a"), choice(build, "b", required=True)))
    result = score_assessment(tpl, {"a": "s100"})
    assert result["sections"][0]["score"] == 50.0
    assert "(1 required question unanswered, scored 0)" in result["explanation"]["sections"]["s"]


def test_each_raised_flag_takes_its_severity_penalty_off(build):
    tpl = build.compiled(
        build.section(
            "s",
            build.question("a", flags=[build.flag('a == "no"', "medium")]),
            build.question("b", flags=[build.flag('b == "no"', "low"), build.flag(None, "info")]),
            build.question("c", weight=0, flags=[build.flag("c", "medium")]),
        )
    )
    result = score_assessment(tpl, {"a": "no", "b": "no", "c": "yes"})
    assert [f["penalty"] for f in result["flags"]] == [5.0, 2.0, 0.0, 5.0]
    assert result["explanation"]["flags"] == "4 flags raised: 2 medium x 5, 1 low x 2, 1 info x 0 = 12 points off"


def test_flag_penalties_come_off_the_base_and_the_overall_floors_at_0(build):
    flagged = [build.flag("bad", "high")]
    tpl = build.compiled(build.section("s", build.question("good"), build.question("bad", weight=0, flags=flagged)))
    assert score_assessment(tpl, {"good": "yes", "bad": "yes"})["overall"] == 90.0
    harsh = build.compiled(
        build.section("s", build.question("good"), build.question("bad", weight=0, flags=flagged)),
        flag_penalties={"high": 150},
    )
    result = score_assessment(harsh, {"good": "yes", "bad": "yes"})
    assert result["overall"] == 0.0
    assert result["explanation"]["overall"] == "Base 100 minus 150 points for 1 raised flag, floored at 0 = 0"


def test_a_flag_carries_its_rule_question_and_answer(build):
    tpl = build.compiled(build.section("s", build.question("a", flags=[build.flag('a == "no"', "low", "No a")])))
    [raised] = score_assessment(tpl, {"a": "no"})["flags"]
    assert raised == {
        "severity": "low",
        "question": "a",
        "title": "No a",
        "recommendation": "Ask the vendor.",
        "rule": 'a == "no"',
        "answer": "no",
        "penalty": 2.0,
    }


def test_a_vsaq_like_template_of_tips_scores_100_minus_raised_tips(build):
    # Imported VSAQ: unscored choices, info tips shown by conditions, every tip a flag.
    options = [{"key": "enc_yes", "label": "Yes"}, {"key": "enc_no", "label": "No"}]
    tpl = build.compiled(
        build.section(
            "vsaq",
            build.question("encryption", "single_choice", options=options),
            build.question(
                "tip_encryption", "info", show_if="enc_no", flags=[build.flag(None, "medium", "Encrypt data")]
            ),
            build.question("tip_other", "info", show_if="enc_yes", flags=[build.flag(None, "high")]),
            build.question("policy", "long_text", flags=[build.flag("!answered(policy)", "low", "No policy")]),
        )
    )
    result = score_assessment(tpl, {"encryption": "enc_no"})
    assert all(section["score"] is None for section in result["sections"])
    assert result["overall"] == 93.0
    assert result["explanation"]["base"].startswith("No section has a score")
    assert result["explanation"]["overall"] == "Base 100 minus 7 points for 2 raised flags = 93"


@pytest.mark.parametrize(
    ("status", "penalty"),
    [("neutral", 0.0), ("at_risk", 10.0), ("discrepancy", 15.0), ("conflicted", 25.0)],
)
def test_neutrality_status_takes_its_penalty_off(build, status, penalty):
    tpl = build.compiled(build.section("s", build.question("q")))
    result = score_assessment(tpl, {"q": "yes"}, neutrality={"status": status, "findings": []})
    assert result["neutrality"]["penalty"] == penalty
    assert result["overall"] == 100.0 - penalty


def test_neutrality_reason_quotes_the_findings(build):
    finding = {"severity": "high", "reason": "Orbital Dynamics holds 20% through Fund II"}
    tpl = build.compiled(build.section("s", build.question("q")))
    result = score_assessment(tpl, {"q": "yes"}, neutrality={"status": "at_risk", "findings": [finding]})
    assert result["neutrality"]["reason"] == (
        "Neutrality status 'at_risk': 10 points off. Findings: Orbital Dynamics holds 20% through Fund II"
    )


def test_no_neutrality_data_costs_nothing_and_says_so(build):
    result = score_assessment(build.compiled(build.section("s", build.question("q"))), {"q": "yes"})
    assert result["neutrality"]["status"] is None and result["neutrality"]["penalty"] == 0.0
    assert "not assessed" in result["neutrality"]["reason"]


def test_an_unknown_neutrality_status_is_refused(build):
    with pytest.raises(ValueError, match="'unsure' is not one of"):
        score_assessment(build.compiled(build.section("s", build.question("q"))), {}, neutrality={"status": "unsure"})


@pytest.mark.parametrize(
    ("answer", "tier"),
    [("s100", "low"), ("s80", "low"), ("s50", "high"), ("s0", "critical")],
)
def test_default_tiers_follow_the_thresholds(build, answer, tier):
    result = score_assessment(build.compiled(build.section("s", choice(build, "q"))), {"q": answer})
    assert result["tier"] == tier


def test_template_tiers_override_the_defaults_one_by_one(build):
    tpl = build.compiled(build.section("s", choice(build, "q")), tiers={"low": 90})
    result = score_assessment(tpl, {"q": "s80"})
    assert result["tier"] == "medium"
    assert result["explanation"]["tier"] == (
        "Overall 80 is below the low-risk threshold 90 but at least the medium-risk threshold 60: medium risk"
    )


def test_a_critical_flag_forces_the_critical_tier(build):
    tpl = build.compiled(
        build.section(
            "s", choice(build, "q"), build.question("x", weight=0, flags=[build.flag("x", "critical", "Stake")])
        ),
        flag_penalties={"critical": 0},
    )
    result = score_assessment(tpl, {"q": "s100", "x": "yes"})
    assert result["overall"] == 100.0
    assert result["tier"] == "critical"
    assert result["explanation"]["tier"].endswith("; forced to critical risk by the critical flag 'Stake' on x")


def test_a_high_flag_forces_at_least_high_but_never_improves_a_tier(build):
    flagged = build.section("s", choice(build, "q"), build.question("x", weight=0, flags=[build.flag("x", "high")]))
    tpl = build.compiled(flagged, flag_penalties={"high": 0})
    assert score_assessment(tpl, {"q": "s100", "x": "yes"})["tier"] == "high"
    assert score_assessment(tpl, {"q": "s0", "x": "yes"})["tier"] == "critical"


def test_a_conflicted_vendor_is_at_least_high_risk(build):
    tpl = build.compiled(build.section("s", build.question("q")))
    result = score_assessment(tpl, {"q": "yes"}, neutrality={"status": "conflicted", "findings": []})
    assert result["overall"] == 75.0
    assert result["tier"] == "high"
    assert "forced to high risk by the neutrality status 'conflicted'" in result["explanation"]["tier"]


def test_every_number_has_an_explanation_that_states_it(build):
    spec, answers, evidence = build.synthetic(120, seed=3)
    result = score_assessment(
        build.compiled(*spec["sections"]), answers, evidence=evidence, neutrality={"status": "at_risk", "findings": []}
    )
    explanation = result["explanation"]
    assert explanation["overall"].endswith(f"= {_num(result['overall'])}")
    assert f"Overall {_num(result['overall'])} " in explanation["tier"]
    assert explanation["neutrality"] == result["neutrality"]["reason"]
    assert explanation["flags"].endswith(f"= {_num(sum(f['penalty'] for f in result['flags']))} points off")
    for section in result["sections"]:
        text = explanation["sections"][section["key"]]
        assert (f"= {_num(section['score'])}" in text) if section["score"] is not None else "no score" in text
    for entry in result["questions"].values():
        assert entry["reason"]
        if entry["score"] is not None and "not valid" not in entry["reason"]:
            assert re.search(r"(scores? |option score |= )[0-9.]+", entry["reason"]), entry["reason"]


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
