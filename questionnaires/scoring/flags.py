"""Raised flags: which red-flag rules hold for an assessment, and what they cost."""

from __future__ import annotations

from typing import Any

from questionnaires.conditions import Context, is_answered
from questionnaires.scoring import rules
from questionnaires.scoring.plan import FlagPlan, ScoringPlan
from questionnaires.scoring.text import num, plural, shown


def raised_flags(plan: ScoringPlan, context: Context) -> tuple[list[dict[str, Any]], float, str]:
    """The raised flags with their answers and penalties, the points they cost, and why.

    A flag is raised when its question is visible and its ``when`` holds (or it has
    none), in document order: ``CompiledTemplate.raised_flags``'s rule, evaluated on the
    context the questions were scored with.
    """
    flags = []
    points = 0.0
    by_severity: dict[str, int] = {}
    for flag in plan.flags:
        if flag.question in context.hidden:
            continue
        answer = context.answers.get(flag.question)
        if not _holds(flag, context, answer):
            continue
        severity = flag.spec["severity"]
        penalty = plan.flag_penalties[severity]
        points += penalty
        by_severity[severity] = by_severity.get(severity, 0) + 1
        flags.append(_raised(flag, severity, penalty, answer if is_answered(flag.kind, answer) else None))
    if not flags:
        return flags, 0.0, "No flag raised: nothing taken off"
    counts = [
        f"{by_severity[severity]} {severity} x {num(plan.flag_penalties[severity])}"
        for severity in reversed(rules.DEFAULT_FLAG_PENALTIES)
        if severity in by_severity
    ]
    return flags, points, f"{plural(len(flags), 'flag')} raised: {', '.join(counts)} = {num(points)} points off"


def _holds(flag: FlagPlan, context: Context, answer: object) -> bool:
    """Whether the flag's ``when`` holds for its (visible) question."""
    if flag.when is None:
        return True
    memo = flag.memo
    if memo is None or not (answer is None or (type(answer) is str and answer in flag.domain)):
        return flag.when.evaluate(context)
    held = memo.get(answer)
    if held is None:
        held = memo[answer] = flag.when.evaluate(context)
    return held


def _raised(flag: FlagPlan, severity: str, penalty: float, answer: object) -> dict[str, Any]:
    return {
        "severity": severity,
        "question": flag.question,
        "title": flag.spec.get("title"),
        "recommendation": flag.spec.get("recommendation"),
        "rule": flag.spec.get("when"),
        "answer": list(answer) if isinstance(answer, (list, tuple)) else answer,
        "penalty": shown(penalty),
    }
