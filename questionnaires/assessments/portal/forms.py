"""Reading what the portal's forms post.

An answer form posts `value` (once, or once per ticked box), `comment` and the `version`
the page was rendered with; turning that into the JSON value the API takes is the only job
here. Whether the value is acceptable is decided by services.answers.validate_value, so the
portal and the API can never disagree about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import QueryDict

from questionnaires.authoring.models import Question
from questionnaires.core.names import MAX_PERSON_NAME, validate_person_name

LIST_KINDS = ("multi_choice", "file")


@dataclass(frozen=True)
class PostedAnswer:
    value: object
    comment: str | None
    version: int | None


def posted_answer(question: Question, data: QueryDict) -> PostedAnswer:
    if question.kind in LIST_KINDS:
        value: object = [v for v in data.getlist("value") if v]
    else:
        raw = data.get("value")
        value = raw.strip() if isinstance(raw, str) and question.kind in ("number", "date") else raw
    comment = data.get("comment")
    return PostedAnswer(value=value, comment=comment, version=_version(data.get("version")))


def contains_nul(value: object) -> bool:
    """True when a NUL character hides anywhere in a posted value: never meant by a person,
    and PostgreSQL refuses to store it (so it must be a 400 here, not a 500 later)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    return False


def _version(raw: str | None) -> int | None:
    # A missing or mangled version means "I never saw a saved answer": safe, because a
    # stale or absent version on an existing answer is refused as a conflict.
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


class ColleagueForm(forms.Form):
    email = forms.EmailField(label="Colleague's email", max_length=254)
    name = forms.CharField(label="Colleague's name (optional)", max_length=MAX_PERSON_NAME,
                           required=False, validators=[validate_person_name])


class EvidenceForm(forms.Form):
    question = forms.CharField(max_length=100)
    file = forms.FileField(label="Attach a file", allow_empty_file=True)
