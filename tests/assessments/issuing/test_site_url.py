"""Every link Diligence hands out starts with settings.SITE_URL (make run sets it from HOST
and PORT): the API's invite_url, the invitation email, members' emails and the
choose-a-password link."""

from __future__ import annotations

import pytest

from questionnaires.core.members import assessment_link, password_set_url
from tests.support.factories import due_in

pytestmark = pytest.mark.django_db
SERVED = "http://127.0.0.1:8123"


@pytest.fixture
def served_on_8123(settings):
    settings.SITE_URL = SERVED


@pytest.fixture
def queued_mail(monkeypatch):
    """(recipients, template, context) of each email queued, as the worker would get it."""
    from questionnaires import tasks

    queued: list[tuple] = []
    monkeypatch.setattr(tasks.send_email, "delay", lambda *args: queued.append(args))
    return queued


def test_the_api_invite_url_and_the_invitation_email_use_site_url(
        served_on_8123, api, vendor, template, queued_mail, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/assessments/", {
            "vendor": str(vendor.pk), "template": str(template.pk),
            "due_date": due_in(21).isoformat(), "respondent_email": "vera@labelworks.test"},
            format="json")
    assert response.status_code == 201, response.json()
    invite_url = response.json()["invite_url"]
    assert invite_url.startswith(f"{SERVED}/invite/")
    [(recipients, template_name, context)] = [q for q in queued_mail
                                              if q[1] == "emails/invitation"]
    assert recipients == ["vera@labelworks.test"] and context["url"] == invite_url


def test_members_links_use_site_url(served_on_8123, buyer, issued):
    assert password_set_url(buyer.user).startswith(f"{SERVED}/welcome/")
    assert assessment_link(issued.assessment.pk).startswith(f"{SERVED}/assessments/")
