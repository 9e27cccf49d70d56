"""Builders for native-format templates, shared by the scoring tests and the benchmark.

Tests reach them through the session-scoped ``build`` fixture (with ``--import-mode=
importlib`` a conftest cannot be imported by name); ``bench/bench_engine.py`` loads this
file by path so that it times the same synthetic template the tests check.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import strategies as st

from questionnaires.conditions import compile_template

Spec = dict[str, Any]

NO_IS_GOOD = [{"key": "no", "label": "No", "score": 1.0}, {"key": "yes", "label": "Yes", "score": 0.0}]


# --- small templates ------------------------------------------------------------------


def question(key: str, kind: str = "yes_no", **fields: Any) -> Spec:
    """A question with a text; any other native-format field passes through."""
    return {"key": key, "text": f"Question {key}?", "kind": kind, **fields}


def section(key: str, *questions: Spec, **fields: Any) -> Spec:
    return {"key": key, "title": f"Section {key}", "questions": list(questions), **fields}


def template(*sections: Spec, **fields: Any) -> Spec:
    return {
        "format": "diligence/v1",
        "key": "test-template",
        "name": "Test template",
        "sections": list(sections),
        **fields,
    }


def compiled(*sections: Spec, **fields: Any) -> Any:
    """``template(...)`` compiled by the condition language."""
    return compile_template(template(*sections, **fields))


def flag(when: str | None, severity: str, title: str | None = None) -> Spec:
    found: Spec = {"severity": severity, "title": title or f"{severity} flag", "recommendation": "Ask the vendor."}
    if when is not None:
        found["when"] = when
    return found


# --- the built-in questionnaire's keys, for scenarios -----------------------------------

GOOD_NO = (
    "own_model_builder_equity",
    "own_board_seat_competitor",
    "own_info_rights",
    "seg_investor_access",
    "wf_knowledge_concentration",
    "wf_shared_annotator_pools",
    "sub_critical_dependency",
)
GOOD_YES = (
    "own_change_of_control_notice",
    "seg_per_customer_isolation",
    "sec_encryption_at_rest",
    "sec_mfa_enforced",
    "sec_access_logging",
    "wf_non_solicitation",
    "exit_data_return",
    "exit_deletion_certificate",
    "sub_flowdown_controls",
    "cont_bcp_tested",
    "ai_no_training_on_customer_data",
)
SECTION_OF = {
    "own": "ownership",
    "seg": "segregation",
    "sec": "security",
    "ir": "security",
    "wf": "workforce",
    "exit": "exit",
    "sub": "subprocessors",
    "cont": "continuity",
    "ai": "ai",
}


def builtin_spec() -> Spec:
    """A template holding every question key the library scenarios name, with flags on
    the bad answers, as the built-in questionnaire has them."""
    by_section: dict[str, list[Spec]] = {}
    for key in GOOD_NO:
        q = question(key, required=True, weight=3, options=NO_IS_GOOD, flags=[flag(f'{key} == "yes"', "high")])
        by_section.setdefault(SECTION_OF[key.split("_")[0]], []).append(q)
    for key in GOOD_YES:
        evidence = "required" if key.startswith("sec_") else "optional"
        q = question(key, required=True, weight=2, evidence=evidence, flags=[flag(f'{key} == "no"', "medium")])
        by_section.setdefault(SECTION_OF[key.split("_")[0]], []).append(q)
    by_section["security"].append(
        question(
            "ir_notification_hours",
            "number",
            required=True,
            bands=[
                {"min": 0, "max": 24, "score": 1.0},
                {"min": 24, "max": 72, "score": 0.5},
                {"min": 72, "max": None, "score": 0.0},
            ],
        )
    )
    by_section["exit"].append(
        question(
            "exit_days_orderly",
            "number",
            required=True,
            bands=[
                {"min": 0, "max": 31, "score": 1.0},
                {"min": 31, "max": 90, "score": 0.4},
                {"min": 90, "max": None, "score": 0.0},
            ],
        )
    )
    return template(*(section(name, *questions) for name, questions in by_section.items()))


def builtin_answers() -> dict[str, object]:
    """The best answers to ``builtin_spec``."""
    answers: dict[str, object] = {key: "no" for key in GOOD_NO}
    answers.update({key: "yes" for key in GOOD_YES})
    answers.update({"ir_notification_hours": 12, "exit_days_orderly": 30})
    return answers


def builtin_evidence() -> dict[str, int]:
    return {key: 1 for key in GOOD_YES}


# --- a large synthetic template ---------------------------------------------------------


def synthetic(
    questions: int = 500, *, per_section: int = 20, seed: int = 7
) -> tuple[Spec, dict[str, object], dict[str, int]]:
    """A realistic large template with answers and evidence: (spec, answers, evidence).

    A mix of every kind, show_if chains on earlier yes_no questions, flags on zero-score
    answers, required evidence on some questions; about one answer in twenty left blank.
    """
    rng = random.Random(seed)
    sections: list[Spec] = []
    answers: dict[str, object] = {}
    evidence: dict[str, int] = {}
    counter = itertools.count()
    while sum(len(s["questions"]) for s in sections) < questions:
        triggers: list[str] = []
        items = []
        for _ in range(min(per_section, questions - sum(len(s["questions"]) for s in sections))):
            key = f"q{next(counter)}"
            item = _synthetic_question(rng, key, triggers)
            items.append(item)
            if item["kind"] == "yes_no":
                triggers.append(key)
            if rng.random() > 0.05 and item["kind"] != "info":
                answers[key] = _synthetic_answer(rng, item)
            if item.get("evidence") == "required" and rng.random() < 0.7:
                evidence[key] = 1
        sections.append(section(f"s{len(sections)}", *items, weight=rng.choice([1, 1, 2, 3])))
    return template(*sections), answers, evidence


def _synthetic_question(rng: random.Random, key: str, triggers: list[str]) -> Spec:
    kind = rng.choices(
        ["yes_no", "single_choice", "multi_choice", "number", "short_text", "file", "info"],
        weights=[40, 20, 10, 10, 10, 5, 5],
    )[0]
    item = question(key, kind, required=kind != "info" and rng.random() < 0.6, weight=rng.choice([1, 1, 2, 3]))
    if kind in ("single_choice", "multi_choice"):
        item["options"] = [
            {"key": f"{key}_o{i}", "label": f"Option {i}", "score": s} for i, s in enumerate((1.0, 0.5, 0.0))
        ]
    if kind == "multi_choice":
        item["multi"] = rng.choice(["mean", "min", "max", "sum"])
    if kind == "number":
        item["bands"] = [
            {"min": 0, "max": 24, "score": 1.0},
            {"min": 24, "max": 72, "score": 0.5},
            {"min": 72, "max": None, "score": 0.0},
        ]
    if kind in ("yes_no", "single_choice") and rng.random() < 0.3:
        bad = "no" if kind == "yes_no" else f"{key}_o2"
        item["flags"] = [flag(f'{key} == "{bad}"', rng.choice(["info", "low", "medium", "high"]))]
    if kind in ("yes_no", "single_choice") and rng.random() < 0.1:
        item["evidence"] = "required"
    if triggers and rng.random() < 0.2:
        item["show_if"] = f'{rng.choice(triggers)} == "yes"'
    return item


def _synthetic_answer(rng: random.Random, item: Spec) -> object:
    kind = item["kind"]
    if kind == "yes_no":
        return rng.choice(["yes", "yes", "no"])
    if kind == "single_choice":
        return rng.choice([o["key"] for o in item["options"]])
    if kind == "multi_choice":
        return rng.sample([o["key"] for o in item["options"]], rng.randint(0, 3))
    if kind == "number":
        return rng.randint(0, 120)
    if kind == "file":
        return [f"evidence-{item['key']}"]
    return f"Answer to {item['key']}"


# --- hypothesis: random small templates with answers --------------------------------------


@dataclass
class Case:
    """A drawn template and answers, with what the properties need to know about them."""

    spec: Spec
    answers: dict[str, object]
    evidence: dict[str, int]
    questions: dict[str, Spec] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)
    """Keys some show_if names: changing them may show or hide others."""


SCORES = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
SEVERITIES = st.sampled_from(["info", "low", "medium", "high", "critical"])


def answer_strategy(item: Spec) -> st.SearchStrategy[object]:
    """Valid answers for a question of the generated kinds."""
    kind = item["kind"]
    if kind == "yes_no":
        return st.sampled_from(["yes", "no", "na"] if item.get("allow_na") else ["yes", "no"])
    keys = [o["key"] for o in item.get("options", [])]
    if kind == "single_choice":
        return st.sampled_from(keys)
    if kind == "multi_choice":
        return st.lists(st.sampled_from(keys), unique=True)
    if kind == "number":
        return st.integers(-10, 200) | st.floats(-10, 200, allow_nan=False)
    return st.text(max_size=5)


@st.composite
def template_case(draw: st.DrawFn) -> Case:
    """A template of 1-3 sections with random kinds, weights, scores, bands, evidence
    rules, show_if on earlier yes_no questions and flags tied to zero-score answers."""
    case = Case(spec={}, answers={}, evidence={})
    counter = itertools.count()
    triggers: list[str] = []
    sections = []
    for index in range(draw(st.integers(1, 3))):
        items = [_drawn_question(draw, case, f"q{next(counter)}", triggers) for _ in range(draw(st.integers(1, 6)))]
        sections.append(section(f"s{index}", *items, weight=draw(st.sampled_from([0, 1, 2, 3]))))
    case.spec = template(*sections)
    return case


def _drawn_question(draw: st.DrawFn, case: Case, key: str, triggers: list[str]) -> Spec:
    kind = draw(st.sampled_from(["yes_no", "single_choice", "multi_choice", "number", "short_text"]))
    item = question(key, kind, required=draw(st.booleans()), weight=draw(st.sampled_from([0, 1, 2, 3])))
    if kind == "yes_no":
        item["allow_na"] = draw(st.booleans())
        if draw(st.booleans()):
            item["options"] = [
                {"key": "yes", "label": "Yes", "score": draw(SCORES)},
                {"key": "no", "label": "No", "score": draw(SCORES)},
            ]
    if kind in ("single_choice", "multi_choice"):
        scores = draw(st.lists(SCORES, min_size=1, max_size=4))
        item["options"] = [{"key": f"{key}_o{i}", "label": f"Option {i}", "score": s} for i, s in enumerate(scores)]
    if kind == "multi_choice":
        item["multi"] = draw(st.sampled_from(["mean", "min", "max", "sum"]))
    if kind == "number":
        item["bands"] = [
            {"min": None, "max": 10, "score": draw(SCORES)},
            {"min": 10, "max": 100, "score": draw(SCORES)},
            {"min": 100, "max": None, "score": draw(SCORES)},
        ]
    if kind in ("yes_no", "single_choice") and draw(st.booleans()):
        item["evidence"] = "required"
        item["evidence_penalty"] = draw(SCORES)
        case.evidence[key] = draw(st.sampled_from([0, 1]))
    item["flags"] = []
    zero = [answer for answer, score in raw_scores(item).items() if score == 0]
    if kind in ("yes_no", "single_choice") and zero and draw(st.booleans()):
        item["flags"].append(flag(f'{key} == "{draw(st.sampled_from(zero))}"', draw(SEVERITIES)))
    if draw(st.integers(0, 4)) == 0:
        item["flags"].append(flag(None, draw(SEVERITIES)))  # raised whenever visible
    if triggers and draw(st.integers(0, 4)) == 0:
        # A flag on another question's answer: that question is "referenced" too.
        trigger = draw(st.sampled_from(triggers))
        item["flags"].append(flag(f"{trigger}/no", draw(SEVERITIES)))
        case.referenced.add(trigger)
    if triggers and draw(st.booleans()):
        trigger = draw(st.sampled_from(triggers))
        item["show_if"] = f'{trigger} == "yes"'
        case.referenced.add(trigger)
    if kind == "yes_no":
        triggers.append(key)
    if draw(st.booleans()):
        case.answers[key] = draw(answer_strategy(item))
    case.questions[key] = item
    return item


def raw_scores(item: Spec) -> dict[object, float]:
    """Answer -> score for yes_no and single_choice; a representative value per band for
    number questions. What "a better answer" means in the monotonicity property."""
    if item["kind"] == "number":
        return {(-5 if band["min"] is None else band["min"]): band["score"] for band in item.get("bands", [])}
    if item["kind"] == "yes_no" and "options" not in item:
        return {"yes": 1.0, "no": 0.0}
    return {o["key"]: o["score"] for o in item.get("options", []) if item["kind"] in ("yes_no", "single_choice")}


@pytest.fixture(scope="session")
def build() -> SimpleNamespace:
    """The builders above, for tests (see the module docstring for why a fixture)."""
    return SimpleNamespace(
        question=question,
        section=section,
        template=template,
        compiled=compiled,
        flag=flag,
        builtin_spec=builtin_spec,
        builtin_answers=builtin_answers,
        builtin_evidence=builtin_evidence,
        synthetic=synthetic,
        template_case=template_case,
        answer_strategy=answer_strategy,
        raw_scores=raw_scores,
        NO_IS_GOOD=NO_IS_GOOD,
    )
