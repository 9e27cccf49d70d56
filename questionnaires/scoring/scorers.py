"""Per-question scorers: an answer in, ``(score, shown, reason)`` out.

Built once per template by ``plan.compile_scoring`` so that scoring an assessment is a
table lookup per question. Every scorer returns:

- ``(score, shown, reason)``: ``score`` in [0, 1] and ``shown``, the same rounded for the
  result, or both None when the answer takes no part (N/A, an option without a score, a
  number outside every band);
- ``None`` when the value is not an answer this question accepts at all, which the
  engine treats as unanswered (answers are validated on the way in; this only keeps a
  bad stored value from crashing a worker or earning points).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from questionnaires.scoring.text import interval, num, quoted, shown

Outcome = tuple[float | None, float | None, str]

DEFAULT_YES_NO_SCORES: Mapping[str, float] = {"yes": 1.0, "no": 0.0}
NA_OUTCOME: Outcome = (None, None, "Answered N/A: takes no part")
CHECK_BOX = {True: "yes", False: "no"}
"""A yes_no answered by a check box, read as the condition language reads it."""

MEMO_LIMIT = 64
"""Distinct answers whose outcome a multi_choice or number scorer remembers. Vendors'
answers repeat (the same selections, round numbers of hours and days), so a small bound
catches most of them while a plan of a large template stays small."""

_MISSING = object()


class Scorer(Protocol):
    def score(self, answer: object) -> Outcome | None: ...


class ChoiceScorer:
    """yes_no and single_choice: every possible answer's outcome, worked out in advance.

    ``table`` (string answers only) is public so the engine's hot loop can look answers up
    without a call; a yes_no's check-box booleans are read here, off that path, since
    True == 1 would otherwise let the number 1 pass for "yes".
    """

    __slots__ = ("table", "_yes_no")

    def __init__(self, table: dict[object, Outcome], *, yes_no: bool = False) -> None:
        self.table = table
        self._yes_no = yes_no

    def score(self, answer: object) -> Outcome | None:
        if type(answer) is bool:
            return self.table.get(CHECK_BOX[answer]) if self._yes_no else None
        if type(answer) is not str:
            return None
        return self.table.get(answer)


class MultiScorer:
    """multi_choice: combines the selected options' scores by the question's ``multi`` rule."""

    __slots__ = ("_order", "_known", "_scores", "_rule", "_combine", "_memo")

    def __init__(self, order: Sequence[str], scores: Mapping[str, float], rule: str) -> None:
        self._order = tuple(order)
        self._known = frozenset(order)
        self._scores = dict(scores)
        self._rule = rule
        self._combine = MULTI_COMBINERS[rule]
        self._memo: dict[tuple[object, ...], Outcome | None] = {}

    def score(self, answer: object) -> Outcome | None:
        if not isinstance(answer, (list, tuple)):
            return None
        try:
            key = tuple(answer)
            outcome = self._memo.get(key, _MISSING)
        except TypeError:  # unhashable items are no option keys
            return None
        if outcome is _MISSING:
            outcome = self._combined(set(key))
            if len(self._memo) < MEMO_LIMIT:
                self._memo[key] = outcome
        return outcome  # type: ignore[return-value]

    def _combined(self, chosen: set[object]) -> Outcome | None:
        if not chosen <= self._known:
            return None
        if not chosen:
            # The condition language counts [] as no answer, so the engine only gets here
            # for a required question; the rule stands for any other caller.
            return 0.0, 0.0, "Selected nothing: an empty selection scores 0"
        # Template order, not the order the vendor clicked, so the reason is deterministic.
        picked = [key for key in self._order if key in chosen]
        scores = [self._scores[key] for key in picked if key in self._scores]
        if not scores:
            return None, None, f"Selected {quoted(picked)}, options without a score: takes no part"
        value = self._combine(scores)
        listed = ", ".join(num(score) for score in scores)
        capped = ", capped at 1" if self._rule == "sum" and sum(scores) > 1 else ""
        reason = f"Selected {quoted(picked)}: {self._rule} of option scores {listed} = {num(value)}{capped}"
        return value, shown(value), reason


class BandScorer:
    """number: the first band whose half-open ``[min, max)`` holds the value."""

    __slots__ = ("_bands", "_memo")

    def __init__(self, bands: Sequence[tuple[float | None, float | None, float]]) -> None:
        # Each band's reason ends the same whatever the value; write that part once.
        self._bands = tuple(
            (low, high, score, shown(score), f": band {interval(low, high)} scores {num(score)}")
            for low, high, score in bands
        )
        self._memo: dict[float, Outcome | None] = {}

    def score(self, answer: object) -> Outcome | None:
        # bool is an int to Python (and True == 1) but never a number a vendor typed.
        if type(answer) is bool or not isinstance(answer, (int, float)):
            return None
        outcome = self._memo.get(answer, _MISSING)
        if outcome is _MISSING:
            outcome = self._banded(answer)
            if len(self._memo) < MEMO_LIMIT:
                self._memo[answer] = outcome
        return outcome  # type: ignore[return-value]

    def _banded(self, answer: float) -> Outcome | None:
        if not math.isfinite(answer):
            return None
        for low, high, score, rounded, ending in self._bands:
            if (low is None or low <= answer) and (high is None or answer < high):
                return score, rounded, f"Answered {num(answer)}{ending}"
        return None, None, f"Answered {num(answer)}: no band covers it, so it takes no part"


MULTI_COMBINERS: Mapping[str, Callable[[list[float]], float]] = {
    "mean": lambda scores: sum(scores) / len(scores),
    "min": min,
    "max": max,
    "sum": lambda scores: min(1.0, sum(scores)),
}


def option_scores(options: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Option key -> score, for the options that carry one."""
    return {str(option["key"]): float(option["score"]) for option in options if option.get("score") is not None}


def choice_table(answers: Sequence[str], scores: Mapping[str, float]) -> dict[object, Outcome]:
    """The outcome of each possible answer of a yes_no or single_choice question."""
    table: dict[object, Outcome] = {}
    for answer in answers:
        if answer in scores:
            score = scores[answer]
            table[answer] = (score, shown(score), f"Answered {quoted(answer)}: option score {num(score)}")
        else:
            table[answer] = (None, None, f"Answered {quoted(answer)}, an option without a score: takes no part")
    return table


def yes_no_table(scores: Mapping[str, float], allow_na: bool) -> dict[object, Outcome]:
    """The outcome of "yes", "no" and, where allowed, "na"."""
    table = choice_table(["yes", "no"], scores)
    if allow_na:
        table["na"] = NA_OUTCOME
    return table


def read_bands(bands: Sequence[Mapping[str, Any]]) -> list[tuple[float | None, float | None, float]]:
    """Bands as ``(min, max, score)`` tuples, None for an open end."""
    return [(_bound(band.get("min")), _bound(band.get("max")), float(band["score"])) for band in bands]


def _bound(value: Any) -> float | None:
    return None if value is None else float(value)
