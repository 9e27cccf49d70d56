"""Everything the review page of one assessment shows, in a fixed number of queries:
sections, questions, answers with their earlier values, evidence, comments, reviews with
their conditions, the score, and the reports. Flags are worked out from the current
answers by the compiled template (no query), so they show before scoring too."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.safestring import SafeString

from questionnaires.assessments.models import (
    Answer,
    AnswerRevision,
    Assessment,
    Comment,
    Evidence,
    RemediationItem,
    Review,
)
from questionnaires.assessments.services.lifecycle import TRANSITIONS
from questionnaires.authoring.display import answer_text
from questionnaires.authoring.models import Question, Section
from questionnaires.authoring.services.templates import compiled_template
from questionnaires.authoring.text import block_html
from questionnaires.reports.models import Report
from questionnaires.scoring.models import ScoreRun

S = Assessment.Status
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]
REPORTS_SHOWN = 20


@dataclass
class Revision:
    version: int
    round: int
    text: str
    comment: str
    answered_by: str
    created_at: object


@dataclass
class QuestionRow:
    question: Question
    answer: Answer | None
    text: str
    visible: bool
    reopened: bool
    revisions: list[Revision] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def answerable(self) -> bool:
        return self.question.kind != "info"

    @property
    def question_html(self) -> SafeString:
        """The question as the vendor saw it (the portal's sanitised markup)."""
        return block_html(self.question.text)

    @property
    def shown(self) -> bool:
        """Hidden questions are left out unless an answer is stored for them."""
        return self.visible or self.answer is not None

    @property
    def worst_flag(self) -> str:
        return self.flags[0]["severity"] if self.flags else ""


@dataclass
class SectionRows:
    section: Section
    rows: list[QuestionRow]

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flags)


@dataclass
class ReviewPage:
    assessment: Assessment
    sections: list[SectionRows]
    score_run: ScoreRun | None
    reviews: list[Review]
    conditions: list[RemediationItem]
    reports: list[Report]
    flags: list[dict]

    @property
    def can_decide(self) -> bool:
        return S.APPROVED in TRANSITIONS[self.assessment.status]

    @property
    def rows(self) -> list[QuestionRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def score_is_current(self) -> bool:
        return bool(self.score_run and self.score_run.digest == self.assessment.answers_digest)

    @property
    def reports_pending(self) -> bool:
        return any(report.status == Report.Status.PENDING for report in self.reports)


def assessment_review(*, assessment: Assessment) -> ReviewPage:
    template = assessment.template
    sections = list(Section.objects.filter(template=template).order_by("position"))
    questions = list(Question.objects.filter(template=template).order_by("position"))
    revisions = Prefetch("revisions", queryset=AnswerRevision.objects.order_by("-version"))
    answers = {a.question_id: a for a in Answer.objects.filter(assessment=assessment)
               .prefetch_related(revisions)}
    files, notes = defaultdict(list), defaultdict(list)
    for evidence in Evidence.objects.filter(assessment=assessment).order_by("created_at"):
        files[evidence.question_id].append(evidence)
    for comment in Comment.objects.filter(assessment=assessment).order_by("created_at"):
        notes[comment.question_id].append(comment)
    values = {q.key: answers[q.pk].value for q in questions if q.pk in answers}
    compiled = compiled_template(template)
    visible = compiled.visibility(values)
    flags = sorted(compiled.raised_flags(values),
                   key=lambda f: SEVERITY_ORDER.index(f.get("severity") or "info"))
    by_question = defaultdict(list)
    for flag in flags:
        by_question[flag["question"]].append(flag)
    reopened = set(assessment.reopened_keys or []) if assessment.status == S.CHANGES_REQUESTED \
        else set()
    rows_by_section = defaultdict(list)
    for question in questions:
        answer = answers.get(question.pk)
        rows_by_section[question.section_id].append(QuestionRow(
            question=question, answer=answer,
            text=answer_text(answer.value, kind=question.kind, options=question.options)
            if answer else "",
            visible=visible.get(question.key, False), reopened=question.key in reopened,
            revisions=[Revision(r.version, r.round,
                                answer_text(r.value, kind=question.kind, options=question.options),
                                r.comment, r.answered_by, r.created_at)
                       for r in answer.revisions.all()] if answer else [],
            evidence=files[question.pk], comments=notes[question.pk],
            flags=by_question[question.key]))
    conditions = Prefetch("conditions", queryset=RemediationItem.objects.order_by("due_date"))
    reviews = list(Review.objects.filter(assessment=assessment).select_related("reviewer")
                   .prefetch_related(conditions).order_by("-created_at"))
    return ReviewPage(
        assessment=assessment,
        sections=[SectionRows(s, rows_by_section[s.pk]) for s in sections],
        score_run=(ScoreRun.objects.filter(assessment=assessment).order_by("-created_at")
                   .first()),
        reviews=reviews,
        conditions=[item for review in reviews for item in review.conditions.all()],
        reports=list(Report.objects.filter(assessment=assessment)
                     .order_by("-created_at")[:REPORTS_SHOWN]),
        flags=flags)
