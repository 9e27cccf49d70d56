"""Answers in words: the one way every page, export and PDF says what a vendor answered.

Plain data in (a question's kind and options, a stored value), a plain string out, so the
review page, the cycle comparison, the portal receipt and the report appendix of a
2,000-question PDF all read an answer the same way, without a query per question.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import strip_tags

from questionnaires.authoring.models import QuestionKind, YesNo

YES_NO_LABELS: Mapping[str, str] = dict(YesNo.choices)
# Options can be several answers' labels; labels may themselves hold commas.
CHOICE_SEPARATOR = "; "
# Plain strings: comparing with an enum member costs an attribute lookup per answer, which
# shows over the 2,000 answers of a large report.
_FILE, _YES_NO = QuestionKind.FILE.value, QuestionKind.YES_NO.value
_CHOICES = frozenset({_YES_NO, QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTI_CHOICE.value})


def label_words(label: str) -> str:
    """An option label as words: imported labels may carry simple markup (VSAQ's <code>),
    which reads as its text."""
    if "<" in label:
        label = strip_tags(label)
    return html.unescape(label) if "&" in label else label


def answer_text(value: Any, *, kind: str, options: Sequence[Mapping[str, Any]] | None = None
                ) -> str:
    """A stored answer as a reader says it: option labels rather than keys (the author's,
    else for yes/no "Yes", "No" and "Not applicable", else the key), numbers as the vendor
    gave them (30, not 30.0), a count for files (the files themselves are listed with their
    names and hashes). "" when unanswered: each reader says that in its own words."""
    if value is None or value == "" or value == []:
        return ""
    if kind == _FILE:
        count = len(value) if isinstance(value, list) else 1
        return f"{count} file{'s' if count != 1 else ''} attached"
    if kind in _CHOICES:
        labels = {option["key"]: label_words(option.get("label") or "")
                  for option in options or ()}
        standard = YES_NO_LABELS if kind == _YES_NO else {}
        items = value if isinstance(value, list) else [value]
        return CHOICE_SEPARATOR.join(labels.get(item) or standard.get(item) or str(item)
                                     for item in items)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
