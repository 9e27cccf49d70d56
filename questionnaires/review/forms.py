"""Forms of the review page: the decision, a comment, an evidence file's expiry.

They only read what was posted; the rules (a note is required, the questions must exist,
conditions need future dates, which status may change to which) are the service's, so the
page and the API can never disagree."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from questionnaires.assessments.models import Review
from questionnaires.core.dates import parse_day, validate_day
from questionnaires.core.errors import DomainError
from questionnaires.review.services import Condition

DECISIONS = [
    (Review.Decision.REQUEST_CHANGES, "Request clarification on the questions ticked"),
    (Review.Decision.APPROVE, "Approve"),
    (Review.Decision.APPROVE_WITH_CONDITIONS, "Approve with conditions"),
    (Review.Decision.REJECT, "Reject"),
]
BLANK_CONDITION_ROWS = 3


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label="Note", max_length=10_000, widget=forms.Textarea(attrs={
        "rows": 4}), help_text="Required. A clarification request sends it to the vendor; "
                               "otherwise it stays in the record.")
    questions = forms.MultipleChoiceField(required=False, choices=[])

    def __init__(self, data=None, *, question_keys: list[str]):
        super().__init__(data)
        self.fields["questions"].choices = [(key, key) for key in question_keys]
        self.condition_rows = _posted_rows(data) if data is not None else []

    def clean(self):
        data = super().clean()
        conditions = []
        for number, (text, due) in enumerate(self.condition_rows, start=1):
            if not text.strip() and not due:
                continue
            try:
                day = parse_day(due)
            except ValidationError as error:
                self.add_error(None, f"Condition {number}: enter its due date "
                                     f"({error.messages[0]})")
                continue
            conditions.append(Condition(text, day))
        data["conditions"] = conditions
        return data

    def add_domain_error(self, error: DomainError) -> None:
        """A service's located error on the input it is about."""
        field = error.field or ""
        if field in ("note", "decision"):
            self.add_error(field, error.message)
        elif field.startswith("questions"):
            self.add_error("questions", error.message)
        elif field.startswith("conditions["):
            number = int(field[len("conditions["):field.index("]")]) + 1
            self.add_error(None, f"Condition {number}: {error.message}")
        else:
            self.add_error(None, error.message)

    @property
    def blank_rows(self) -> range:
        """The numbers of the empty rows after those posted (at least one)."""
        start = len(self.condition_rows) + 1
        return range(start, start + max(BLANK_CONDITION_ROWS - len(self.condition_rows), 1))

    @property
    def chosen(self) -> set[str]:
        return set(self.data.getlist("questions")) if self.is_bound else set()


def _posted_rows(data) -> list[tuple[str, str]]:
    texts, dues = data.getlist("condition_text"), data.getlist("condition_due")
    rows = [(t, d) for t, d in zip(texts, dues, strict=False)]
    return [(text, due) for text, due in rows if text.strip() or due]


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    visible_to_vendor = forms.BooleanField(
        label="Visible to the vendor", required=False,
        help_text="Unticked, only your organisation sees it.")


class ExpiryForm(forms.Form):
    expires_on = forms.DateField(label="Valid until", required=False, validators=[validate_day],
                                 widget=forms.DateInput(attrs={"type": "date"}))
