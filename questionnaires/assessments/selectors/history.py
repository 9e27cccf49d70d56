"""A vendor's assessments over time, and what changed between two of them.

The difference is computed from the two assessments' answers (matched by question key, so
two versions of a questionnaire compare) and from each one's score run: scores moved per
section, flags raised or cleared. Three queries whatever the size of the questionnaire.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from questionnaires.assessments.models import Answer, Assessment
from questionnaires.authoring.display import answer_text
from questionnaires.ownership.models import Vendor
from questionnaires.scoring.models import ScoreRun

# Cycles shown on the page: decades of reassessments at the tightest cadence.
MAX_HISTORY = 60


def with_latest_score(assessments):
    runs = ScoreRun.objects.filter(assessment=OuterRef("pk")).order_by("-created_at")
    return assessments.annotate(score_overall=Subquery(runs.values("overall")[:1]),
                                score_tier=Subquery(runs.values("tier")[:1]))


def vendor_history(*, vendor: Vendor) -> list[Assessment]:
    """The vendor's assessments, newest first, each with its latest score: one query."""
    return list(with_latest_score(Assessment.objects.filter(vendor=vendor))
                .select_related("template").order_by("-created_at")[:MAX_HISTORY])


@dataclass
class AnswerChange:
    key: str
    text: str
    before: str
    after: str
    comment_before: str = ""
    comment_after: str = ""

    @property
    def kind(self) -> str:
        if not self.before:
            return "added"
        return "removed" if not self.after else "changed"


@dataclass
class SectionMove:
    key: str
    title: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


@dataclass
class AssessmentDiff:
    older: Assessment
    newer: Assessment
    older_run: ScoreRun | None
    newer_run: ScoreRun | None
    answers: list[AnswerChange] = field(default_factory=list)
    unchanged: int = 0
    sections: list[SectionMove] = field(default_factory=list)
    raised: list[dict] = field(default_factory=list)
    cleared: list[dict] = field(default_factory=list)

    @property
    def overall_delta(self) -> float | None:
        if self.older_run is None or self.newer_run is None:
            return None
        return round(self.newer_run.overall - self.older_run.overall, 2)


def _scoring(runs: list[ScoreRun], assessment: Assessment) -> ScoreRun | None:
    """The run of the answers as submitted (their digest), else the newest one."""
    own = [r for r in runs if r.assessment_id == assessment.pk]
    return next((r for r in own if r.digest == assessment.answers_digest),
                own[0] if own else None)


def assessment_diff(*, older: Assessment, newer: Assessment) -> AssessmentDiff:
    runs = list(ScoreRun.objects.filter(assessment__in=[older.pk, newer.pk])
                .order_by("-created_at"))
    diff = AssessmentDiff(older, newer, _scoring(runs, older), _scoring(runs, newer))
    _answers(diff)
    if diff.older_run and diff.newer_run:
        _sections(diff)
        _flags(diff)
    return diff


def _answers(diff: AssessmentDiff) -> None:
    rows = (Answer.objects.filter(assessment__in=[diff.older.pk, diff.newer.pk])
            .select_related("question").order_by("question__position"))
    before: dict[str, Answer] = {}
    after: dict[str, Answer] = {}
    for answer in rows:
        (after if answer.assessment_id == diff.newer.pk else before)[answer.question.key] = answer
    keys = list(after) + [key for key in before if key not in after]
    for key in keys:
        old, new = before.get(key), after.get(key)
        old_text = _words(old)
        new_text = _words(new)
        old_comment, new_comment = (old.comment if old else ""), (new.comment if new else "")
        if old_text == new_text and old_comment == new_comment:
            diff.unchanged += 1
            continue
        question = (new or old).question
        diff.answers.append(AnswerChange(key, question.text, old_text, new_text,
                                         old_comment, new_comment))


def _words(answer: Answer | None) -> str:
    if answer is None:
        return ""
    return answer_text(answer.value, kind=answer.question.kind, options=answer.question.options)


def _sections(diff: AssessmentDiff) -> None:
    old = {s["key"]: s for s in diff.older_run.result.get("sections", [])}
    new = {s["key"]: s for s in diff.newer_run.result.get("sections", [])}
    for key in list(new) + [k for k in old if k not in new]:
        section = new.get(key) or old[key]
        diff.sections.append(SectionMove(key, section.get("title", key),
                                         old.get(key, {}).get("score"),
                                         new.get(key, {}).get("score")))


def _flag_key(flag: dict) -> tuple:
    return flag.get("question"), flag.get("title"), flag.get("severity")


def _flags(diff: AssessmentDiff) -> None:
    old = {_flag_key(f): f for f in diff.older_run.result.get("flags", [])}
    new = {_flag_key(f): f for f in diff.newer_run.result.get("flags", [])}
    diff.raised = [f for key, f in new.items() if key not in old]
    diff.cleared = [f for key, f in old.items() if key not in new]
