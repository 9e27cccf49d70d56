"""Neutrality statuses read the same on pages, in e-mails and in the PDF: one set of words,
on NeutralityStatus."""

from __future__ import annotations

from django.template import Context, Template

from questionnaires.ownership.models import NeutralityStatus


def _badge(status: str) -> str:
    return Template('{% include "workspace/vendors/_status.html" %}').render(
        Context({"status": status}))


def test_the_status_badge_shows_the_choice_label():
    assert ">At risk</span>" in _badge("at_risk")
    assert ">Neutral</span>" in _badge(NeutralityStatus.NEUTRAL)
    assert 'class="badge neutrality-conflicted">Conflicted<' in _badge("conflicted")


def test_an_unknown_status_shows_as_written_with_a_capital():
    assert ">Under_review</span>" in _badge("under_review")


def test_the_report_and_the_email_use_the_same_words():
    from questionnaires.ownership.services.neutrality import _status_words
    from questionnaires.reports.ownership import STATUS_LABELS

    for status in NeutralityStatus.values:
        assert _status_words(status) == STATUS_LABELS[status].lower()
    assert _status_words("at_risk") == "at risk"
