"""One answer in words for every reader: the review page, the cycle comparison, the portal
receipt and the report appendix all say an answer the same way."""

from __future__ import annotations

import pytest

from questionnaires.authoring.display import answer_text
from questionnaires.reports.answers import NOT_ANSWERED, answer_words

CHOICES = [{"key": "soc2", "label": "SOC 2, Type II"}, {"key": "iso", "label": "<b>ISO</b> 27001"},
           {"key": "none"}]


@pytest.mark.parametrize(("value", "words"), [("yes", "Yes"), ("no", "No"),
                                              ("na", "Not applicable")])
def test_yes_no_reads_as_the_standard_words(value, words):
    assert answer_text(value, kind="yes_no", options=[]) == words


def test_a_yes_no_label_of_the_author_wins_over_the_standard_word():
    options = [{"key": "yes", "label": "Yes, audited yearly"}, {"key": "no", "label": ""}]
    assert answer_text("yes", kind="yes_no", options=options) == "Yes, audited yearly"
    assert answer_text("no", kind="yes_no", options=options) == "No"


def test_choices_read_as_their_labels_as_words_and_keys_only_without_one():
    assert answer_text("iso", kind="single_choice", options=CHOICES) == "ISO 27001"
    assert answer_text("none", kind="single_choice", options=CHOICES) == "none"
    assert (answer_text(["soc2", "iso"], kind="multi_choice", options=CHOICES)
            == "SOC 2, Type II; ISO 27001")  # labels may hold commas: a semicolon between


def test_files_read_as_a_count():
    assert answer_text(["a"], kind="file") == "1 file attached"
    assert answer_text(["a", "b"], kind="file") == "2 files attached"


@pytest.mark.parametrize(("value", "words"), [(30, "30"), (30.0, "30"), (12.345, "12.345"),
                                              (0.5, "0.5")])
def test_numbers_read_as_the_vendor_gave_them(value, words):
    assert answer_text(value, kind="number") == words


def test_text_and_dates_read_as_stored():
    assert answer_text("We use <b>HSMs</b>", kind="long_text") == "We use <b>HSMs</b>"
    assert answer_text("2025-03-01", kind="date") == "2025-03-01"


@pytest.mark.parametrize("empty", [None, "", []])
def test_no_answer_is_empty_and_the_report_says_not_answered(empty):
    assert answer_text(empty, kind="multi_choice", options=CHOICES) == ""
    assert answer_words({"kind": "multi_choice", "options": CHOICES}, empty) == NOT_ANSWERED


def test_the_portal_receipt_says_an_answer_as_the_review_page_does():
    """The receipt's words come from the same function (files aside: the vendor's own
    receipt names the files)."""
    from questionnaires.assessments.models import Answer
    from questionnaires.assessments.selectors.portal_state import QuestionState
    from questionnaires.authoring.models import Question

    question = Question(key="certs", kind="multi_choice", text="Certifications?",
                        options=CHOICES)
    state = QuestionState(question=question, answer=Answer(value=["iso", "soc2"]),
                          visible=True, editable=False, evidence=[])
    assert state.display == "ISO 27001; SOC 2, Type II"
