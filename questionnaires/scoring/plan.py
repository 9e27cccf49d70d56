"""The scoring plan: everything about a template that does not depend on the answers.

Reading option scores, bands, weights and defaults out of the spec and writing the
reason for every fixed answer is most of the work of scoring; doing it once per template
instead of once per assessment is what keeps ``score_assessment`` fast
(``bench/bench_engine.py`` measures it). A plan is shared by every scoring of its
template, in every thread: it is immutable but for the answer memos of the scorers and
flags, which only ever gain entries that are true for good, so a race costs at most a
repeated computation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from questionnaires.scoring import rules
from questionnaires.scoring.scorers import (
    DEFAULT_YES_NO_SCORES,
    BandScorer,
    ChoiceScorer,
    MultiScorer,
    Outcome,
    Scorer,
    choice_table,
    option_scores,
    read_bands,
    yes_no_table,
)

if TYPE_CHECKING:
    from questionnaires.conditions import CompiledTemplate, Condition

PLAN_CACHE_SIZE = 32
"""Plans kept per process. A worker scores assessments of a handful of templates; a plan
of a 500-question template, its answer memos full, stays around a megabyte."""


@dataclass(frozen=True, slots=True)
class QuestionPlan:
    key: str
    text: str
    kind: str
    section: int
    weight: float
    required: bool
    scorer: Scorer | None
    """None when the question is never scored; ``unscored_reason`` then says why."""
    table: Mapping[object, Outcome] | None
    """The scorer's answer table for yes_no and single_choice: the engine's fast path."""
    unscored_reason: str
    evidence_required: bool
    evidence_penalty: float


Row = tuple[str, float, "Mapping[object, Outcome] | None", "str | None", QuestionPlan]
"""A question as the engine's hot loop unpacks it: key, weight, the answer table when a
lookup is all its score needs (a choice question without required evidence), the fixed
reason when it is never scored (any kind but file, whose reason counts files), and the
full plan for everything else."""


@dataclass(frozen=True, slots=True)
class FlagPlan:
    question: str
    kind: str
    spec: Mapping[str, Any]
    when: Condition | None
    """None: raised whenever the question is visible."""
    memo: dict[object, bool] | None
    """Whether ``when`` holds, by answer, for a ``when`` that names only its own choice
    question: once that question is visible nothing else can change the verdict, so it
    is worked out once per answer instead of once per scoring. None when not applicable."""
    domain: frozenset[str]
    """The answers ``memo`` may hold (the question's possible answers); any other value
    (a check box's bool, a stale option) is evaluated each time."""


@dataclass(frozen=True, slots=True)
class SectionPlan:
    key: str
    title: str
    weight: float


@dataclass(frozen=True, slots=True)
class ScoringPlan:
    """A compiled template with its answer-independent scoring data."""

    template: CompiledTemplate
    sections: tuple[SectionPlan, ...]
    questions: tuple[QuestionPlan, ...]
    by_key: Mapping[str, QuestionPlan]
    rows: tuple[tuple[Row, ...], ...]
    """Per section, its questions as rows (see ``Row``)."""
    flags: tuple[FlagPlan, ...]
    thresholds: Mapping[str, float]
    flag_penalties: Mapping[str, float]


_cache: OrderedDict[int, ScoringPlan] = OrderedDict()
_cache_lock = threading.Lock()


def compile_scoring(template: CompiledTemplate | ScoringPlan) -> ScoringPlan:
    """The scoring plan of ``template``, built on first use and cached per process.

    The cache is keyed by the template object's identity and each plan holds the
    template, so an id cannot be reused by another template while its plan is cached.
    Compiled templates are treated as immutable: mutating ``template.spec`` after its
    first score is not supported.
    """
    if isinstance(template, ScoringPlan):
        return template
    with _cache_lock:
        plan = _cache.get(id(template))
        if plan is not None and plan.template is template:
            _cache.move_to_end(id(template))
            return plan
    plan = build_plan(template)
    with _cache_lock:
        _cache[id(template)] = plan
        while len(_cache) > PLAN_CACHE_SIZE:
            _cache.popitem(last=False)
    return plan


def build_plan(template: CompiledTemplate) -> ScoringPlan:
    """Read a compiled template's spec into a plan (uncached; see ``compile_scoring``)."""
    spec = template.spec
    sections: list[SectionPlan] = []
    questions: list[QuestionPlan] = []
    flags: list[FlagPlan] = []
    option_names = frozenset(template.context({}).option_owners)
    for index, section in enumerate(spec["sections"]):
        title = section.get("title") or section["key"]
        sections.append(SectionPlan(section["key"], title, section.get("weight", 1)))
        for question in section["questions"]:
            questions.append(_question_plan(question, index))
            flags.extend(_flag_plans(template, question, questions[-1], option_names))
    return ScoringPlan(
        template=template,
        sections=tuple(sections),
        questions=tuple(questions),
        by_key={question.key: question for question in questions},
        rows=tuple(_rows(questions, index) for index in range(len(sections))),
        flags=tuple(flags),
        thresholds=rules.merged_thresholds(spec),
        flag_penalties=rules.merged_flag_penalties(spec),
    )


def _question_plan(question: Mapping[str, Any], section: int) -> QuestionPlan:
    kind = str(question["kind"])
    weight = question.get("weight", 1)
    scorer, unscored_reason = _scorer(question, kind)
    if weight == 0 and scorer is not None:
        scorer, unscored_reason = None, "Weight 0: not scored"
    return QuestionPlan(
        key=str(question["key"]),
        text=str(question.get("text", "")),
        kind=kind,
        section=section,
        weight=weight,
        required=bool(question.get("required", False)) and kind != "info",
        scorer=scorer,
        table=scorer.table if isinstance(scorer, ChoiceScorer) else None,
        unscored_reason=unscored_reason,
        evidence_required=question.get("evidence") == "required",
        evidence_penalty=float(question.get("evidence_penalty", rules.DEFAULT_EVIDENCE_PENALTY)),
    )


def _rows(questions: list[QuestionPlan], section: int) -> tuple[Row, ...]:
    return tuple(
        (
            question.key,
            question.weight,
            None if question.evidence_required else question.table,
            question.unscored_reason if question.scorer is None and question.kind != "file" else None,
            question,
        )
        for question in questions
        if question.section == section
    )


def _flag_plans(
    template: CompiledTemplate, question: Mapping[str, Any], planned: QuestionPlan, option_names: frozenset[str]
) -> list[FlagPlan]:
    """The question's flags with their ``when`` compiled against the template's names.

    ``CompiledTemplate.raised_flags`` would do the same work, but it works out visibility
    again on every call; the engine evaluates these against the one context it already
    has (tests/scoring/test_properties.py pins that both raise the same flags).
    """
    plans = []
    for flag in question.get("flags") or []:
        when = None if flag.get("when") is None else template.compile_condition(flag["when"])
        # A name that is also an option key reads as that option, which may belong to
        # another question: only a when naming nothing but its own question is memoised.
        own = when is not None and when.names == {planned.key} and planned.key not in option_names
        domain = _possible_answers(question) if own else frozenset()
        plans.append(FlagPlan(planned.key, planned.kind, flag, when, {} if domain else None, domain))
    return plans


def _possible_answers(question: Mapping[str, Any]) -> frozenset[str]:
    """Every answer a yes_no or single_choice question accepts; empty for other kinds."""
    if question["kind"] == "yes_no":
        return frozenset({"yes", "no", "na"} if question.get("allow_na") else {"yes", "no"})
    if question["kind"] == "single_choice":
        return frozenset(str(option["key"]) for option in question.get("options") or [])
    return frozenset()


def _scorer(question: Mapping[str, Any], kind: str) -> tuple[Scorer | None, str]:
    """The question's scorer, or None and the reason it never scores."""
    if kind in rules.UNSCORED_KINDS:
        return None, f"A {kind} question: not scored"
    options = question.get("options") or []
    if kind == "number":
        bands = question.get("bands")
        if not bands:
            return None, "A number question without bands: not scored"
        return BandScorer(read_bands(bands)), ""
    # yes_no without options scores yes=1, no=0; any other choice question needs scores.
    scores = option_scores(options) if options or kind != "yes_no" else dict(DEFAULT_YES_NO_SCORES)
    if not scores:
        return None, "Its options carry no scores: not scored"
    if kind == "yes_no":
        return ChoiceScorer(yes_no_table(scores, bool(question.get("allow_na"))), yes_no=True), ""
    keys = [str(option["key"]) for option in options]
    if kind == "single_choice":
        return ChoiceScorer(choice_table(keys, scores)), ""
    return MultiScorer(keys, scores, str(question.get("multi", "mean"))), ""
