"""Properties of the engine over random templates and answers (see ``template_case``)."""

from __future__ import annotations

import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from questionnaires.conditions import compile_template
from questionnaires.scoring import score_assessment
from tests.support.hypothesis_profiles import examples

# Compiling a drawn template is part of each example; no deadline keeps a slow CI machine
# from failing a property that holds.
PROPERTY = settings(max_examples=examples(150), deadline=None)


def dumped(result: dict) -> str:
    return json.dumps(result, sort_keys=True)


def score(case, answers=None, **options):
    return score_assessment(
        compile_template(case.spec), case.answers if answers is None else answers, evidence=case.evidence, **options
    )


@PROPERTY
@given(data=st.data(), status=st.sampled_from([None, "neutral", "at_risk", "discrepancy", "conflicted"]))
def test_every_score_stays_in_range(build, data, status):
    case = data.draw(build.template_case())
    neutrality = None if status is None else {"status": status, "findings": []}
    result = score(case, neutrality=neutrality)
    assert 0 <= result["overall"] <= 100
    assert all(0 <= s["score"] <= 100 for s in result["sections"] if s["score"] is not None)
    assert all(0 <= q["score"] <= 1 for q in result["questions"].values() if q["score"] is not None)


@PROPERTY
@given(data=st.data())
def test_a_better_answer_never_lowers_the_overall(build, data):
    case = data.draw(build.template_case())
    # Questions no show_if names: a better answer there cannot hide or show others.
    candidates = [
        key
        for key, item in case.questions.items()
        if key not in case.referenced and len(set(build.raw_scores(item).values())) > 1
    ]
    assume(candidates)
    key = data.draw(st.sampled_from(candidates))
    scores = build.raw_scores(case.questions[key])
    worse, better = sorted(
        data.draw(st.lists(st.sampled_from(sorted(scores, key=str)), min_size=2, max_size=2, unique=True)),
        key=lambda answer: scores[answer],
    )
    assume(scores[worse] < scores[better])
    before = score(case, {**case.answers, key: worse})["overall"]
    after = score(case, {**case.answers, key: better})["overall"]
    assert after >= before


@PROPERTY
@given(data=st.data())
def test_a_hidden_questions_answer_changes_nothing(build, data):
    case = data.draw(build.template_case())
    gated = [key for key, item in case.questions.items() if "show_if" in item]
    assume(gated)
    key = data.draw(st.sampled_from(gated))
    trigger = case.questions[key]["show_if"].split(" ")[0]
    answers = {**case.answers, trigger: "no"}  # the show_if is `trigger == "yes"`
    other = data.draw(build.answer_strategy(case.questions[key]))
    with_answer = score(case, {**answers, key: other})
    without = score(case, {k: v for k, v in answers.items() if k != key})
    assert with_answer["questions"][key]["score"] is None
    assert dumped(with_answer) == dumped(without)


@PROPERTY
@given(data=st.data())
def test_the_same_input_gives_byte_identical_json(build, data):
    case = data.draw(build.template_case())
    neutrality = {"status": "at_risk", "findings": [{"reason": "a stake"}]}
    template = compile_template(case.spec)
    first = score_assessment(template, case.answers, evidence=case.evidence, neutrality=neutrality)
    # Again on the same template (its plan cached, its memos warm), then on a fresh
    # compile with the answers in another order: nothing changes.
    again = score_assessment(template, case.answers, evidence=case.evidence, neutrality=neutrality)
    reordered = dict(reversed(list(case.answers.items())))
    fresh = score(case, reordered, neutrality=neutrality)
    assert dumped(first) == dumped(again) == dumped(fresh)


@PROPERTY
@given(data=st.data())
def test_visibility_and_flags_agree_with_the_condition_language(build, data):
    # The engine evaluates visibility once and flags itself; the template's own methods
    # are the definition it must match, warm memos included.
    case = data.draw(build.template_case())
    template = compile_template(case.spec)
    for answers in (case.answers, data.draw(_reanswered(build, case))):
        result = score_assessment(template, answers, evidence=case.evidence)
        hidden = {key for key, entry in result["questions"].items() if entry["reason"].startswith("Hidden")}
        assert hidden == {key for key, shown in template.visibility(answers).items() if not shown}
        raised = [{key: flag[key] for key in ("question", "severity", "title")} for flag in result["flags"]]
        expected = [
            {key: flag[key] for key in ("question", "severity", "title")} for flag in template.raised_flags(answers)
        ]
        assert raised == expected


@st.composite
def _reanswered(draw, build, case):
    """Other answers to the same template."""
    return {key: draw(build.answer_strategy(item)) for key, item in case.questions.items() if draw(st.booleans())}
