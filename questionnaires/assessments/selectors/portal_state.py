"""The questionnaire as one respondent sees it now: sections, visible questions, answers.

One read shared by the portal pages and the respond API, in a fixed number of queries
(sections, questions, answers, evidence) whatever the questionnaire's size; visibility is
decided by the compiled template (the server, never the browser), from the saved answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from questionnaires.assessments.models import Answer, Assessment, Evidence
from questionnaires.assessments.services.lifecycle import editable_keys
from questionnaires.authoring.display import YES_NO_LABELS, answer_text
from questionnaires.authoring.models import Question, Section
from questionnaires.authoring.services.templates import compiled_template
from questionnaires.authoring.text import block_html, inline_html
from questionnaires.conditions import is_answered


@dataclass
class Choice:
    key: str
    label: SafeString
    selected: bool


@dataclass
class QuestionState:
    question: Question
    answer: Answer | None
    visible: bool
    editable: bool
    evidence: list[Evidence]
    section_key: str = ""
    # Set when a save is answered with a message shown next to the question.
    status: str = ""
    message: str = ""
    upload_status: str = ""
    upload_message: str = ""
    # The version the form carries when it differs from the saved one (after a refusal).
    meta_version: int | None = None

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def form_version(self) -> int:
        return self.version if self.meta_version is None else self.meta_version

    @property
    def comment(self) -> str:
        return self.answer.comment if self.answer else ""

    @property
    def answered(self) -> bool:
        return is_answered(self.kind, self.value)

    @property
    def answerable(self) -> bool:
        return self.kind != "info"

    @property
    def text_html(self) -> SafeString:
        return block_html(self.question.text) if self.kind == "info" else \
            inline_html(self.question.text)

    @property
    def help_html(self) -> SafeString:
        return block_html(self.question.help)

    @property
    def takes_files(self) -> bool:
        return self.kind == "file" or self.question.evidence in ("optional", "required")

    @property
    def choices(self) -> list[Choice]:
        value = self.value
        selected = set(value) if isinstance(value, list) else {value}
        if self.kind == "yes_no":
            labels = {o["key"]: o.get("label") or YES_NO_LABELS.get(o["key"], o["key"])
                      for o in self.question.options}
            keys = ["yes", "no"] + (["na"] if self.question.allow_na else [])
            return [Choice(k, inline_html(labels.get(k, YES_NO_LABELS[k])), k in selected)
                    for k in keys]
        if self.kind == "file":
            return [Choice(str(e.pk), inline_html(e.name), str(e.pk) in selected)
                    for e in self.evidence]
        return [Choice(o["key"], inline_html(o.get("label") or o["key"]), o["key"] in selected)
                for o in self.question.options]

    @property
    def input_value(self) -> str:
        value = self.value
        return "" if value is None or isinstance(value, list) else str(value)

    @property
    def display(self) -> str:
        """The answer in words, for read-only views and the receipt."""
        if not self.answered:
            return ""
        if self.kind == "file":
            # The vendor's own receipt names the files it attached, not only their count.
            return ", ".join(e.name for e in self.evidence if str(e.pk) in set(self.value))
        return answer_text(self.value, kind=self.kind, options=self.question.options)

    def for_api(self) -> dict:
        question = self.question
        data = {"key": question.key, "text": question.text, "help": question.help,
                "kind": question.kind, "required": question.required,
                "show_if": question.show_if or None, "evidence": question.evidence,
                "editable": self.editable}
        if question.kind in ("yes_no", "single_choice", "multi_choice"):
            # Keys and labels only: how an option scores is the buyer's business.
            data["options"] = self._raw_options()
        if question.kind == "number":
            data["min"], data["max"] = question.min_value, question.max_value
        if question.kind == "yes_no":
            data["allow_na"] = question.allow_na
        return data

    def _raw_options(self) -> list[dict]:
        if self.kind == "yes_no":
            labels = {o["key"]: o.get("label") for o in self.question.options}
            keys = ["yes", "no"] + (["na"] if self.question.allow_na else [])
            return [{"key": k, "label": labels.get(k) or YES_NO_LABELS[k]} for k in keys]
        return [{"key": o["key"], "label": o.get("label") or o["key"]}
                for o in self.question.options]


@dataclass
class SectionState:
    section: Section
    questions: list[QuestionState] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def description_html(self) -> SafeString:
        return block_html(self.section.description)

    @property
    def visible(self) -> bool:
        return any(q.visible for q in self.questions)

    @property
    def counted(self) -> list[QuestionState]:
        return [q for q in self.questions if q.visible and q.answerable]

    @property
    def answered(self) -> int:
        return sum(q.answered for q in self.counted)

    @property
    def total(self) -> int:
        return len(self.counted)

    @property
    def required_open(self) -> int:
        return sum(1 for q in self.counted if q.question.required and not q.answered)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


@dataclass
class QuestionnaireState:
    assessment: Assessment
    sections: list[SectionState]
    by_key: dict[str, QuestionState]
    progress: float
    missing: list[QuestionState]
    open: bool

    @property
    def visible_sections(self) -> list[SectionState]:
        return [s for s in self.sections if s.visible]

    def section(self, key: str) -> SectionState | None:
        return next((s for s in self.sections if s.key == key), None)

    def section_of(self, question_key: str) -> SectionState | None:
        return next((s for s in self.sections
                     if any(q.key == question_key for q in s.questions)), None)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100

    @property
    def required_percent(self) -> int:
        return round(100 * self.progress)


def questionnaire_state(assessment: Assessment) -> QuestionnaireState:
    """Everything a respondent's page or the respond API shows, in four queries."""
    template = assessment.template
    sections = list(Section.objects.filter(template=template).order_by("position"))
    questions = list(Question.objects.filter(template=template).order_by("position"))
    answers = {a.question_id: a for a in Answer.objects.filter(assessment=assessment)}
    files: dict[int, list[Evidence]] = defaultdict(list)
    for evidence in Evidence.objects.filter(assessment=assessment).order_by("created_at"):
        files[evidence.question_id].append(evidence)
    values = {q.key: answers[q.pk].value for q in questions if q.pk in answers}
    compiled = compiled_template(template)
    visible = compiled.visibility(values)
    is_open = assessment.is_open_for_vendor
    editable = editable_keys(assessment)
    by_section = {s.pk: SectionState(s) for s in sections}
    section_keys = {s.pk: s.key for s in sections}
    by_key: dict[str, QuestionState] = {}
    for question in questions:
        state = QuestionState(
            question=question, answer=answers.get(question.pk),
            visible=visible.get(question.key, False),
            editable=is_open and (editable is None or question.key in editable),
            evidence=files.get(question.pk, []), section_key=section_keys[question.section_id])
        by_section[question.section_id].questions.append(state)
        by_key[question.key] = state
    missing = [by_key[key] for key in compiled.missing_required(values)]
    return QuestionnaireState(assessment=assessment, sections=list(by_section.values()),
                              by_key=by_key, progress=compiled.progress(values),
                              missing=missing, open=is_open)
