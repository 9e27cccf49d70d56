"""Stress tests: re-score a vendor's answers as if a scenario had happened.

A scenario changes the inputs, never the rules: it overrides answers, voids evidence,
marks controls failed and adds hypothetical ownership stakes, and the ordinary engine
scores the result. What changed is then read off by comparing with the baseline. The
ownership graph is not this package's business, so the caller passes ``neutrality_fn``,
which recomputes the neutrality verdict with the hypothetical stakes added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from questionnaires.scoring.engine import score_assessment
from questionnaires.scoring.plan import ScoringPlan, compile_scoring
from questionnaires.scoring.scenario_data import (
    ScenarioError,
    load_library_scenarios,
    load_scenario,
    load_scenario_file,
)
from questionnaires.scoring.text import num, plural, shown, signed

if TYPE_CHECKING:
    from questionnaires.conditions import CompiledTemplate

__all__ = [
    "NeutralityFn",
    "ScenarioError",
    "load_library_scenarios",
    "load_scenario",
    "load_scenario_file",
    "run_scenarios",
]

NeutralityFn = Callable[[list[dict[str, Any]]], Mapping[str, Any] | None]
"""Extra stakes -> the neutrality verdict (``{"status", "findings"}``) with them added."""


def run_scenarios(
    template: CompiledTemplate | ScoringPlan,
    answers: Mapping[str, object],
    evidence: Mapping[str, int] | None,
    neutrality_fn: NeutralityFn,
    scenarios: Iterable[Mapping[str, Any]],
    baseline: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Score ``answers`` under each scenario and compare with ``baseline``.

    ``scenarios`` are as ``load_scenario`` returns them. ``baseline`` is the
    ``score_assessment`` result for the same answers (computed here, with
    ``neutrality_fn([])``, when None). ``neutrality_fn`` is called only for scenarios that
    add stakes; the others keep the baseline's neutrality status, so their delta shows
    only what they change. Changes naming questions the template lacks are ignored.

    Each result is ``{key, title, stresses, overall, tier, delta, neutrality, broken,
    explanation}``; ``broken`` lists, in template order, the questions whose score fell
    or whose control was marked failed, each with its text and section.
    """
    plan = compile_scoring(template)
    evidence = dict(evidence or {})
    if baseline is None:
        baseline = score_assessment(plan, answers, evidence=evidence, neutrality=neutrality_fn([]))
    return [_run(plan, answers, evidence, neutrality_fn, scenario, baseline) for scenario in scenarios]


def _run(
    plan: ScoringPlan,
    answers: Mapping[str, object],
    evidence: dict[str, int],
    neutrality_fn: NeutralityFn,
    scenario: Mapping[str, Any],
    baseline: Mapping[str, Any],
) -> dict[str, Any]:
    changes = scenario["changes"]
    failed = frozenset(key for key in changes["fail_controls"] if key in plan.by_key)
    result = score_assessment(
        plan,
        _stressed_answers(plan, answers, changes["override_answers"]),
        evidence=_stressed_evidence(evidence, changes["void_evidence"]),
        neutrality=_stressed_neutrality(neutrality_fn, changes["add_stakes"], baseline),
        failed_controls=failed,
    )
    broken = _broken(plan, baseline["questions"], result["questions"], failed)
    delta = shown(result["overall"] - baseline["overall"])
    return {
        "key": scenario["key"],
        "title": scenario["title"],
        "stresses": list(scenario["stresses"]),
        "overall": result["overall"],
        "tier": result["tier"],
        "delta": delta,
        "neutrality": result["neutrality"]["status"],
        "broken": broken,
        "explanation": _explanation(scenario["explain"], baseline, result, delta, broken),
    }


def _stressed_answers(
    plan: ScoringPlan, answers: Mapping[str, object], overrides: Mapping[str, object]
) -> dict[str, object]:
    stressed = dict(answers)
    # A scenario written for the built-in questionnaire must still run on an imported one.
    stressed.update({key: value for key, value in overrides.items() if key in plan.by_key})
    return stressed


def _stressed_evidence(evidence: Mapping[str, int], void: str | list[str]) -> dict[str, int]:
    if void == "all":
        return {}
    voided = set(void)
    return {key: count for key, count in evidence.items() if key not in voided}


def _stressed_neutrality(
    neutrality_fn: NeutralityFn, stakes: list[dict[str, Any]], baseline: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    if stakes:
        return neutrality_fn([dict(stake) for stake in stakes])
    status = baseline["neutrality"]["status"]
    return None if status is None else {"status": status, "findings": []}


def _broken(
    plan: ScoringPlan,
    before: Mapping[str, Mapping[str, Any]],
    after: Mapping[str, Mapping[str, Any]],
    failed: frozenset[str],
) -> list[dict[str, Any]]:
    """Questions that took part under the scenario and either failed or lost score."""
    broken = []
    for question in plan.questions:
        was = before.get(question.key, {}).get("score")
        now = after[question.key]["score"]
        if now is None:
            continue
        if question.key in failed:
            why = "control marked failed"
        elif was is not None and now < was:
            why = f"score fell from {num(was)} to {num(now)}"
        else:
            continue
        broken.append(
            {
                "question": question.key,
                "title": question.text,
                "section": plan.sections[question.section].title,
                "before": was,
                "after": now,
                "why": why,
            }
        )
    return broken


def _explanation(
    sentences: list[str],
    baseline: Mapping[str, Any],
    result: Mapping[str, Any],
    delta: float,
    broken: list[dict[str, Any]],
) -> list[str]:
    """A sentence saying what moved, then the scenario's own sentences filled in."""
    values = {
        "delta": signed(delta),
        "overall": num(result["overall"]),
        "baseline": num(baseline["overall"]),
        "tier": result["tier"],
        "baseline_tier": baseline["tier"],
        "broken_count": str(len(broken)),
        "neutrality": result["neutrality"]["status"] or "not assessed",
    }
    what_broke = f"{plural(len(broken), 'question')} broken" if broken else "no question broken"
    if delta == 0 and result["tier"] == baseline["tier"]:
        moved = f"The overall score stays at {values['overall']} ({values['tier']} risk)"
    else:
        moved = (
            f"The overall score goes from {values['baseline']} ({values['baseline_tier']} risk) to "
            f"{values['overall']} ({values['tier']} risk), {values['delta']} points"
        )
    summary = f"{moved}; {what_broke}."
    return [summary, *(sentence.format_map(values) for sentence in sentences)]
