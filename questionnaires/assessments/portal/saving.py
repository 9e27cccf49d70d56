"""One answer posted from a portal form: saved, refused, or recognised as a repeat.

The API calls answer_save directly; a browser form needs three things more, kept here so
the view only renders: a repeat of the saved answer is not written again (a text box
fires both its delayed-typing and its change trigger), a refusal says in words what went
wrong, and a conflict keeps the version the page had so no retry can overwrite a
colleague's answer before a reload has shown it.
"""

from __future__ import annotations

from dataclasses import dataclass

from questionnaires.assessments.models import Assessment, Invitation
from questionnaires.assessments.portal.forms import PostedAnswer, contains_nul
from questionnaires.assessments.services.answers import validate_value
from questionnaires.assessments.services.lifecycle import SaveResult, answer_save
from questionnaires.authoring.models import Question
from questionnaires.core.errors import Conflict, DomainError

CONFLICT_MESSAGE = ("This answer was changed by someone else since you loaded it; reload the "
                    "page to see the saved answer. Your change was not saved.")


@dataclass(frozen=True)
class Outcome:
    status: str  # saved | error | conflict
    message: str
    code: int
    result: SaveResult | None = None
    # The version the form must carry after a refusal (None: the saved one).
    form_version: int | None = None

    @property
    def moved(self) -> set[str]:
        """Question keys that appeared or disappeared with this answer."""
        return set(self.result.shown + self.result.hidden) if self.result else set()


def answer_from_form(*, invitation: Invitation, question: Question,
                     posted: PostedAnswer) -> Outcome:
    assessment = invitation.assessment
    try:
        if contains_nul(posted.value) or contains_nul(posted.comment):
            raise DomainError("text must not contain NUL characters", field="value")
        if _repeats_saved(assessment, question, posted):
            return Outcome("saved", "Saved", 200)
        result = answer_save(assessment=assessment, question_key=question.key,
                             value=posted.value, comment=posted.comment,
                             version=posted.version, by=invitation.email)
    except Conflict as exc:
        stale = _stored_version(assessment, question) != (posted.version or 0)
        return Outcome("conflict", CONFLICT_MESSAGE if stale else exc.message, 409,
                       form_version=posted.version or 0)
    except DomainError as exc:
        return Outcome("error", exc.message, 400, form_version=posted.version or 0)
    return Outcome("saved", "Saved", 200, result=result)


def _stored_version(assessment: Assessment, question: Question) -> int:
    answer = assessment.answers.filter(question=question).only("version").first()
    return answer.version if answer else 0


def _repeats_saved(assessment: Assessment, question: Question, posted: PostedAnswer) -> bool:
    saved = (assessment.answers.filter(question=question)
             .only("value", "comment", "version").first())
    if saved is None or posted.version != saved.version:
        return False
    try:
        value = validate_value(question, posted.value)
    except DomainError:
        return False
    return value == saved.value and (posted.comment is None or posted.comment == saved.comment)
