"""Answers in words, for pages and exports that show what a vendor said."""

from __future__ import annotations

from questionnaires.authoring.models import Question

YES_NO = {"yes": "Yes", "no": "No", "na": "Not applicable"}


def answer_text(question: Question, value) -> str:
    """A stored answer value as a reader would say it: option labels rather than keys."""
    if value is None or value == "" or value == []:
        return ""
    labels = {o.get("key"): o.get("label") or o.get("key") for o in question.options or []}
    if question.kind == "yes_no":
        return labels.get(value) or YES_NO.get(value, str(value))
    if question.kind == "single_choice":
        return str(labels.get(value, value))
    if question.kind == "multi_choice":
        return ", ".join(str(labels.get(v, v)) for v in value)
    if question.kind == "file":
        count = len(value) if isinstance(value, list) else 1
        return f"{count} file" if count == 1 else f"{count} files"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
