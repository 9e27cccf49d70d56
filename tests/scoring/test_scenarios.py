"""Stress-test scenarios: the library files, running them, and refusing bad ones."""

from __future__ import annotations

import copy
import pickle

import pytest
import yaml

from questionnaires.scoring import (
    ScenarioError,
    load_library_scenarios,
    load_scenario,
    run_scenarios,
    score_assessment,
)
from questionnaires.scoring.scenario_data import LIBRARY_DIR, load_scenario_file

LIBRARY_KEYS = {
    "competitor-minority-stake",
    "competitor-control",
    "vendor-breach",
    "workforce-poached",
    "forced-exit-30-days",
    "subprocessor-failure",
}

VALID = {
    "key": "custom",
    "title": "Custom",
    "description": "A test scenario.",
    "stresses": ["ownership"],
    "changes": {"override_answers": {"own_info_rights": "yes"}},
    "explain": ["The score moves by {delta} to {overall}.", "Tier {tier}."],
}


class NeutralityCalls:
    """A neutrality_fn that records what it was asked: conflicted when a competitor
    stake is added, neutral otherwise."""

    def __init__(self) -> None:
        self.calls: list[list[dict]] = []

    def __call__(self, extra_stakes: list[dict]) -> dict:
        self.calls.append(extra_stakes)
        conflicted = any(stake["competitor"] for stake in extra_stakes)
        return {"status": "conflicted" if conflicted else "neutral", "findings": []}


@pytest.fixture(scope="module")
def library():
    return {scenario["key"]: scenario for scenario in load_library_scenarios()}


@pytest.fixture
def good_vendor(build):
    """The built-in keys, best answers, evidence attached, and its baseline score."""
    template = build.compiled(*build.builtin_spec()["sections"])
    answers, evidence = build.builtin_answers(), build.builtin_evidence()
    baseline = score_assessment(template, answers, evidence=evidence, neutrality={"status": "neutral", "findings": []})
    return template, answers, evidence, baseline


def run(good_vendor, scenarios, neutrality_fn=None):
    template, answers, evidence, baseline = good_vendor
    return run_scenarios(template, answers, evidence, neutrality_fn or NeutralityCalls(), scenarios, baseline)


def test_the_library_holds_the_six_scenarios(library):
    assert set(library) == LIBRARY_KEYS


@pytest.mark.parametrize("key", sorted(LIBRARY_KEYS))
def test_each_library_scenario_lowers_a_good_vendors_score_and_explains_it(good_vendor, library, key):
    [result] = run(good_vendor, [library[key]])
    assert result["delta"] < 0
    assert result["overall"] == pytest.approx(good_vendor[3]["overall"] + result["delta"])
    assert result["broken"]
    assert len(result["explanation"]) >= 3
    assert all(sentence and "{" not in sentence for sentence in result["explanation"])


def test_the_minority_stake_scenario_asks_neutrality_with_the_competitor_stake(good_vendor, library):
    calls = NeutralityCalls()
    [result] = run(good_vendor, [library["competitor-minority-stake"]], calls)
    assert calls.calls == [
        [
            {
                "holder": "Hypothetical competitor",
                "holder_parent": None,
                "competitor": True,
                "percent": 49,
                "voting_percent": 49,
                "board_seats": 1,
                "observer_seats": 0,
                "information_rights": True,
            }
        ]
    ]
    assert result["neutrality"] == "conflicted"
    assert result["tier"] == "high" or result["tier"] == "critical"


def test_scenarios_without_stakes_keep_the_baseline_neutrality_without_asking(build, good_vendor, library):
    template, answers, evidence, _ = good_vendor
    baseline = score_assessment(template, answers, evidence=evidence, neutrality={"status": "at_risk", "findings": []})
    calls = NeutralityCalls()
    [result] = run_scenarios(template, answers, evidence, calls, [library["vendor-breach"]], baseline)
    assert calls.calls == []
    assert result["neutrality"] == "at_risk"


def test_broken_lists_failed_controls_and_fallen_scores_with_their_text(good_vendor, library):
    [result] = run(good_vendor, [library["workforce-poached"]])
    assert [(b["question"], b["why"]) for b in result["broken"]] == [
        ("wf_knowledge_concentration", "score fell from 1 to 0"),
        ("wf_shared_annotator_pools", "score fell from 1 to 0"),
        ("wf_non_solicitation", "control marked failed"),
    ]
    assert result["broken"][0]["title"] == "Question wf_knowledge_concentration?"
    assert result["broken"][0]["section"] == "Section workforce"


def test_voiding_all_evidence_costs_required_evidence_questions(good_vendor):
    scenario = load_scenario({**VALID, "changes": {"void_evidence": "all"}})
    [result] = run(good_vendor, [scenario])
    assert {b["question"] for b in result["broken"]} == {
        "sec_encryption_at_rest",
        "sec_mfa_enforced",
        "sec_access_logging",
    }


def test_changes_naming_missing_questions_are_ignored(build, library):
    # An imported questionnaire shares none of the built-in keys.
    template = build.compiled(build.section("s", build.question("vsaq_q", flags=[build.flag('vsaq_q == "no"', "low")])))
    baseline = score_assessment(template, {"vsaq_q": "yes"})
    results = run_scenarios(template, {"vsaq_q": "yes"}, {}, NeutralityCalls(), library.values(), baseline)
    stakes = {"competitor-minority-stake", "competitor-control"}
    for result in results:
        assert result["broken"] == []
        assert result["delta"] == (-25.0 if result["key"] in stakes else 0.0)  # conflicted neutrality only
    assert "stays at 100" in next(r for r in results if r["key"] == "vendor-breach")["explanation"][0]


def test_the_baseline_is_computed_when_not_given(good_vendor, library):
    template, answers, evidence, baseline = good_vendor
    calls = NeutralityCalls()
    [result] = run_scenarios(template, answers, evidence, calls, [library["forced-exit-30-days"]])
    assert calls.calls == [[]]
    assert result["overall"] == pytest.approx(baseline["overall"] + result["delta"])


def test_load_scenario_fills_the_defaults(library):
    scenario = load_scenario(VALID)
    assert scenario["changes"] == {
        "override_answers": {"own_info_rights": "yes"},
        "add_stakes": [],
        "void_evidence": [],
        "fail_controls": [],
    }
    assert library["vendor-breach"]["changes"]["void_evidence"] == "all"


def test_load_scenario_does_not_touch_its_input():
    data = copy.deepcopy(VALID)
    load_scenario(data)["changes"]["fail_controls"].append("x")
    assert data == VALID


def errors_of(data) -> list[dict]:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(data)
    return raised.value.errors


def changed(**changes) -> dict:
    return {**VALID, "changes": changes}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            changed(add_stakes=[{"holder": "X", "percent": 150}]),
            "changes.add_stakes[0].percent",
            "150 is greater than the maximum of 100",
        ),
        (changed(add_stakes=[{"percent": 10}]), "changes.add_stakes[0].holder", "required field missing"),
        (
            changed(add_stakes=[{"holder": "X", "percent": 10, "seats": 1}]),
            "changes.add_stakes[0].seats",
            "unknown field",
        ),
        (changed(void_evidence="some"), "changes.void_evidence", 'expected "all" or a list of question keys'),
        (changed(fail_controls=["not a key"]), "changes.fail_controls[0]", "does not match"),
        (changed(override_answers={"q": {"nested": 1}}), "changes.override_answers.q", "expected an answer value"),
        (changed(), "changes", "should be non-empty"),
        ({**VALID, "stresses": ["vibes"]}, "stresses[0]", "unknown value 'vibes'; expected one of ownership"),
        ({**VALID, "explain": ["Only one."]}, "explain", "is too short"),
        ({**VALID, "explain": ["Moves {delta}.", "Tier {risk}."]}, "explain[1]", "unknown placeholder {risk}"),
        ({**VALID, "explain": ["Moves {delta:.1f}.", "Ok."]}, "explain[0]", "takes no format"),
        ({**VALID, "explain": ["Moves {delta.", "Ok."]}, "explain[0]", "bad braces"),
        ({k: v for k, v in VALID.items() if k != "title"}, "title", "required field missing"),
        ([], None, "is not of type 'object'"),
    ],
)
def test_bad_scenario_data_gives_a_located_error(data, field, message):
    errors = errors_of(data)
    assert any(error["field"] == field and message in error["message"] for error in errors), errors


def test_every_problem_is_reported_at_once():
    data = {**VALID, "key": "Bad Key", "stresses": [], "changes": {"fail_controls": "x"}}
    assert [error["field"] for error in errors_of(data)] == ["changes.fail_controls", "key", "stresses"]


def test_a_scenario_file_must_be_named_after_its_key(tmp_path):
    path = tmp_path / "other-name.yaml"
    path.write_text(
        "key: custom\ntitle: Custom\ndescription: d\nstresses: [ownership]\n"
        "changes: {fail_controls: [q]}\nexplain: [One., Two.]\n"
    )
    with pytest.raises(ScenarioError, match="other-name.yaml: key: key 'custom' does not match"):
        load_scenario_file(path)


def test_a_scenario_file_that_is_not_yaml_is_refused_with_its_name(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("key: [unclosed\n")
    with pytest.raises(ScenarioError, match="broken.yaml: not valid YAML"):
        load_scenario_file(path)


def test_scenario_errors_survive_pickling_for_celery():
    pickled = pickle.dumps(ScenarioError([{"field": "key", "message": "bad"}], source="x.yaml"))
    error = pickle.loads(pickled)  # noqa: S301 - our own bytes, as Celery's result backend would hold
    assert error.errors == [{"field": "key", "message": "bad"}] and error.source == "x.yaml"
    assert str(error) == "x.yaml: key: bad"


def test_library_scenarios_are_fresh_copies(library):
    first = load_library_scenarios()
    first[0]["changes"]["fail_controls"].append("tampered")
    assert "tampered" not in load_library_scenarios()[0]["changes"]["fail_controls"]


def test_library_scenarios_name_only_questions_of_the_built_in_questionnaire(library):
    # Keys missing from a template are ignored at run time, so a typo here would make a
    # scenario silently toothless on the questionnaire it was written for.
    spec = yaml.safe_load((LIBRARY_DIR.parent / "ai-labeling-neutrality.yaml").read_text(encoding="utf-8"))
    keys = {question["key"] for section in spec["sections"] for question in section["questions"]}
    for scenario in library.values():
        changes = scenario["changes"]
        void = [] if changes["void_evidence"] == "all" else changes["void_evidence"]
        named = set(changes["override_answers"]) | set(changes["fail_controls"]) | set(void)
        assert named <= keys, f"{scenario['key']}: {sorted(named - keys)}"
