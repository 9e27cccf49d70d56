"""A link to an assessment already submitted or closed says so, instead of inviting the
vendor to answer."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from questionnaires.assessments.models import Assessment

pytestmark = pytest.mark.django_db
OPEN_WORDING = "Answers are saved as you give them"
SUBMITTED_AT = timezone.make_aware(datetime.datetime(2030, 6, 3, 14, 0))


def set_status(issued, status: str, *, decided: bool = False) -> None:
    Assessment.objects.filter(pk=issued.assessment.pk).update(
        status=status, submitted_at=SUBMITTED_AT,
        decided_at=SUBMITTED_AT + datetime.timedelta(days=2) if decided else None)


def test_an_open_assessments_link_invites_the_vendor_to_answer(client, issued):
    page = client.get(issued.url_path).content.decode()
    assert OPEN_WORDING in page and "Open the questionnaire" in page
    assert "was submitted on" not in page


def test_a_submitted_assessments_link_says_when_it_was_submitted(client, issued):
    set_status(issued, Assessment.Status.SUBMITTED)
    response = client.get(issued.url_path)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This questionnaire was submitted on 3 June 2030;" in page
    assert "is reviewing it, and its answers can no longer be changed." in page
    assert OPEN_WORDING not in page and "Open the questionnaire" not in page
    # Confirming shows the receipt of what was submitted, not the questions.
    opened = client.post(issued.url_path, follow=True)
    assert opened.redirect_chain[-1][0] == "/portal/receipt/"


def test_a_decided_assessments_link_says_it_is_closed(client, issued):
    set_status(issued, Assessment.Status.APPROVED, decided=True)
    page = client.get(issued.url_path).content.decode()
    assert "This questionnaire was submitted on 3 June 2030;" in page
    assert f"{issued.assessment.organization.name} has closed it (approved)" in page
    assert OPEN_WORDING not in page


def test_a_reopened_assessments_link_invites_answers_again(client, issued):
    set_status(issued, Assessment.Status.CHANGES_REQUESTED)
    page = client.get(issued.url_path).content.decode()
    assert OPEN_WORDING in page and "was submitted on" not in page
