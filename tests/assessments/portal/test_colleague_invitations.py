"""A respondent's colleague invitations cannot be used to send our mail with their text:
a name is one short line, the email quotes nothing the sender typed, and one link may
invite only COLLEAGUE_INVITES_PER_DAY colleagues a day (429 after that)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from questionnaires.assessments.models import Invitation
from tests.support.portal import VENDOR_EMAIL

pytestmark = pytest.mark.django_db

PHISH = "Sam\n\nYour account is suspended. Verify at http://evil.test/login now"


def colleagues(issued):
    return Invitation.objects.filter(assessment=issued.assessment, invited_by__isnull=False)


@pytest.mark.parametrize("name", [PHISH, "Sam\rBcc: x@evil.test", "Sam\tTab", "a" * 101,
                                  "Sam\u2028Line", "Sam\x1b[31m"])
def test_a_colleague_name_that_is_not_one_short_line_is_a_400_from_the_api(respond, issued,
                                                                           name):
    response = respond.post("/api/v1/respond/colleagues/",
                            {"email": "sam@labelworks.test", "name": name}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    assert not colleagues(issued).exists()


def test_a_colleague_name_that_is_not_one_short_line_is_a_400_from_the_portal(portal, issued):
    response = portal.post("/portal/colleagues/", {"email": "sam@labelworks.test",
                                                   "name": PHISH})
    assert response.status_code == 400 and "one line" in response.content.decode()
    assert not colleagues(issued).exists()


def test_a_quoted_address_carrying_text_is_refused(respond, issued):
    response = respond.post("/api/v1/respond/colleagues/",
                            {"email": '"verify at evil.test"@labelworks.test'}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "email"
    assert not colleagues(issued).exists()


def test_the_colleague_email_quotes_no_name_only_the_inviters_address(respond, issued,
                                                                      sent_mail):  # noqa: F811
    with sent_mail() as outbox:
        response = respond.post("/api/v1/respond/colleagues/",
                                {"email": "sam@labelworks.test", "name": "Samantha Quill"},
                                format="json")
    assert response.status_code == 201, response.json()
    (message,) = [m for m in outbox if "sam@labelworks.test" in m.to]
    assert "Samantha" not in message.body and "Samantha" not in message.subject
    assert VENDOR_EMAIL in message.body and issued.assessment.template.name in message.body
    assert "/invite/" in message.body
    # The name is kept for the buyer and the team list, just not mailed.
    assert colleagues(issued).get().name == "Samantha Quill"


def test_one_link_invites_at_most_the_daily_cap_then_gets_429(respond, issued, settings):
    settings.COLLEAGUE_INVITES_PER_DAY = 3
    codes = [respond.post("/api/v1/respond/colleagues/", {"email": f"c{n}@labelworks.test"},
                          format="json").status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    assert colleagues(issued).count() == 3
    # A day later the link may invite again.
    Invitation.objects.filter(invited_by=issued.invitation).update(
        created_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    again = respond.post("/api/v1/respond/colleagues/", {"email": "c9@labelworks.test"},
                         format="json")
    assert again.status_code == 201


def test_the_portal_says_the_daily_cap_was_reached(portal, issued, settings):
    settings.COLLEAGUE_INVITES_PER_DAY = 1
    assert portal.post("/portal/colleagues/",
                       {"email": "c1@labelworks.test"}).status_code == 302
    response = portal.post("/portal/colleagues/", {"email": "c2@labelworks.test"})
    assert response.status_code == 429 and "in a day" in response.content.decode()
    assert colleagues(issued).count() == 1
