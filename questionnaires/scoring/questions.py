"""Scoring every question of one assessment: the engine's hot loop.

This runs once per question per scoring, so it is written for speed where that matters:
yes_no and single_choice answers (most of any questionnaire) take a fast path that is a
single table lookup, with the score already rounded and the reason already written by
``plan.compile_scoring``. Everything else (bands, multi_choice, unanswered, failed
controls, missing evidence, unscored kinds) takes ``_slow_path``, which is plain code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from questionnaires.conditions import is_answered
from questionnaires.scoring.plan import QuestionPlan, ScoringPlan
from questionnaires.scoring.scorers import Outcome
from questionnaires.scoring.text import num, plural, quoted, shown

HIDDEN_REASON = "Hidden by a show_if condition: takes no part"
FAILED_REASON = "Control marked failed: scores 0 whatever the answer"
REQUIRED_UNANSWERED_REASON = "Required but unanswered: scores 0"
OPTIONAL_UNANSWERED_REASON = "Optional and unanswered: takes no part"

Entry = dict[str, Any]


class Tally:
    """What one section accumulated while its questions were scored."""

    __slots__ = ("weighted", "weights", "scored", "answered", "hidden", "unanswered", "failed")

    def __init__(self) -> None:
        self.weighted = 0.0
        self.weights = 0.0
        self.scored = 0
        self.answered = 0
        self.hidden = 0
        self.unanswered = 0
        self.failed = 0

    def add(self, score: float, weight: float) -> None:
        self.weighted += score * weight
        self.weights += weight
        self.scored += 1

    def score(self) -> float | None:
        """The section's score (0..100, exact), or None when no question took part."""
        return self.weighted / self.weights * 100 if self.scored else None


def score_questions(
    plan: ScoringPlan,
    hidden: Collection[str],
    answers: Mapping[str, object],
    evidence: Mapping[str, int],
    failed: frozenset[str],
) -> tuple[dict[str, Entry], list[Tally]]:
    """Every question's ``{score, weight, reason}``, and what each section accumulated."""
    results: dict[str, Entry] = {}
    tallies = []
    answer_of = answers.get
    for rows in plan.rows:
        tally = Tally()
        # The fast path sums into locals, added to the tally once per section.
        weighted = weights = 0.0
        scored = answered = 0
        for key, weight, table, unscored, question in rows:
            if key in hidden:
                tally.hidden += 1
                results[key] = {"score": None, "weight": weight, "reason": HIDDEN_REASON}
                continue
            answer = answer_of(key)
            if table is not None and not (failed and key in failed):
                try:
                    outcome = table.get(answer)
                except TypeError:  # a list is no yes_no or single_choice answer
                    outcome = None
                if outcome is not None:
                    score, rounded, reason = outcome
                    answered += 1
                    if score is not None:
                        weighted += score * weight
                        weights += weight
                        scored += 1
                    results[key] = {"score": rounded, "weight": weight, "reason": reason}
                    continue
            elif unscored is not None:
                if is_answered(question.kind, answer):
                    answered += 1
                results[key] = {"score": None, "weight": weight, "reason": unscored}
                continue
            results[key] = _slow_path(question, answer, evidence, failed, tally)
        tally.weighted += weighted
        tally.weights += weights
        tally.scored += scored
        tally.answered += answered
        tallies.append(tally)
    return results, tallies


def _slow_path(
    question: QuestionPlan, answer: object, evidence: Mapping[str, int], failed: frozenset[str], tally: Tally
) -> Entry:
    answered = is_answered(question.kind, answer)
    if answered:
        tally.answered += 1
    if question.scorer is None:
        return {"score": None, "weight": question.weight, "reason": _unscored_reason(question, answer, evidence)}
    if question.key in failed:
        tally.failed += 1
        score, rounded, reason = 0.0, 0.0, FAILED_REASON
    else:
        score, rounded, reason = _answer_score(question, answer if answered else None, evidence, tally)
    if score is not None:
        tally.add(score, question.weight)
    return {"score": rounded, "weight": question.weight, "reason": reason}


def _answer_score(question: QuestionPlan, answer: object, evidence: Mapping[str, int], tally: Tally) -> Outcome:
    outcome = None if answer is None else question.scorer.score(answer)  # type: ignore[union-attr]
    if outcome is None:
        return _unanswered(question, answer, tally)
    score, rounded, reason = outcome
    if score is not None and question.evidence_required and not evidence.get(question.key):
        score *= 1 - question.evidence_penalty
        rounded = shown(score)
        reason = f"{reason}; required evidence is missing, so x (1 - {num(question.evidence_penalty)}) = {num(score)}"
    return score, rounded, reason


def _unanswered(question: QuestionPlan, answer: object, tally: Tally) -> Outcome:
    """A visible scored question without a usable answer: 0 if required, else no part."""
    if answer is None:
        if question.required:
            tally.unanswered += 1
            return 0.0, 0.0, REQUIRED_UNANSWERED_REASON
        return None, None, OPTIONAL_UNANSWERED_REASON
    invalid = f"Answer {quoted(answer)} is not valid for this question, so it counts as unanswered"
    if question.required:
        tally.unanswered += 1
        return 0.0, 0.0, f"{invalid}: required, scores 0"
    return None, None, f"{invalid}: optional, takes no part"


def _unscored_reason(question: QuestionPlan, answer: object, evidence: Mapping[str, int]) -> str:
    if question.kind != "file":
        return question.unscored_reason
    # The answer lists the files and the evidence map counts them: they are one set.
    files = max(len(answer) if isinstance(answer, list) else 0, evidence.get(question.key, 0))
    return f"{question.unscored_reason}; {plural(files, 'file')} attached as evidence"
