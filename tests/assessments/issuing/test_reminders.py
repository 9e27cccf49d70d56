"""Due-date reminders: 7, 3 and 1 days before and once overdue; never twice; never to closed
assessments or dead links."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from questionnaires.assessments.models import Assessment, Invitation
from questionnaires.assessments.services.lifecycle import assessment_cancel, invitation_reissue
from questionnaires.assessments.services.reminders import reminders_send
from questionnaires.audit.models import AuditEvent
from tests.support.portal import issue

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2030, 6, 10)


@pytest.fixture
def sent(monkeypatch):
    """The reminder emails queued: (recipients, template, context), run on commit."""
    from questionnaires import tasks

    queued: list[tuple] = []
    monkeypatch.setattr(tasks.send_email, "delay", lambda *args: queued.append(args))
    return queued


@pytest.fixture
def due_in_days(buyer, vendor, template):
    """An assessment due `days` after TODAY whose invitation was created a month earlier."""
    def make(days: int, email: str = "vera@labelworks.test"):
        made = issue(organization=buyer.organization, vendor=vendor, template=template,
                     by=buyer.user, email=email, days=30)
        Assessment.objects.filter(pk=made.assessment.pk).update(
            due_date=TODAY + datetime.timedelta(days=days))
        Invitation.objects.filter(pk=made.invitation.pk).update(
            created_at=timezone.make_aware(datetime.datetime(2030, 5, 1)),
            expires_at=timezone.make_aware(datetime.datetime(2030, 12, 31)))
        return made
    return make


def run(day: datetime.date, capture) -> int:
    with capture(execute=True):
        return reminders_send(today=day)


def test_reminders_go_out_7_3_and_1_days_before_and_once_overdue(
        due_in_days, sent, django_capture_on_commit_callbacks):
    made = due_in_days(7)
    made.assessment.refresh_from_db()
    kinds = []
    for offset in range(0, 12):
        day = TODAY + datetime.timedelta(days=offset)
        if run(day, django_capture_on_commit_callbacks):
            kinds.append(((made.assessment.due_date - day).days, sent[-1][2]["kind"]))
    assert kinds == [(7, "7d"), (3, "3d"), (1, "1d"), (-1, "overdue")]
    assert all(recipients == ["vera@labelworks.test"] for recipients, _, _ in sent)
    assert {template for _, template, _ in sent} == {"emails/portal_reminder"}
    made.invitation.refresh_from_db()
    assert sorted(made.invitation.reminders_sent) == ["1d", "3d", "7d", "overdue"]


def test_running_twice_sends_nothing_twice(due_in_days, sent, django_capture_on_commit_callbacks):
    due_in_days(3)
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert len(sent) == 1


def test_each_reminder_is_audited(due_in_days, sent, django_capture_on_commit_callbacks):
    made = due_in_days(1)
    run(TODAY, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action="assessment.reminded")
    assert event.object_id == str(made.assessment.pk)
    assert event.data["kind"] == "1d" and event.data["email"] == "vera@labelworks.test"


def test_after_a_missed_day_only_the_most_urgent_reminder_is_sent(
        due_in_days, sent, django_capture_on_commit_callbacks):
    due_in_days(2)  # the 7-day and 3-day marks passed while nothing ran
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    assert sent[0][2]["kind"] == "3d"
    assert run(TODAY + datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert [s[2]["kind"] for s in sent] == ["3d", "1d"]


def test_submitted_cancelled_and_revoked_get_no_reminders(
        due_in_days, sent, django_capture_on_commit_callbacks):
    submitted = due_in_days(1, email="a@labelworks.test")
    Assessment.objects.filter(pk=submitted.assessment.pk).update(status="submitted")
    cancelled = due_in_days(1, email="b@labelworks.test")
    assessment_cancel(assessment=cancelled.assessment)
    replaced = due_in_days(1, email="c@labelworks.test")
    invitation_reissue(assessment=replaced.assessment, email="d@labelworks.test")
    assert run(TODAY, django_capture_on_commit_callbacks) == 1
    # Only the live replacement link is reminded; the revoked one it replaced is not.
    assert [recipients for recipients, _, _ in sent] == [["d@labelworks.test"]]


def test_a_link_created_after_a_mark_gets_no_reminder_for_it(
        buyer, vendor, template, sent, django_capture_on_commit_callbacks):
    made = issue(organization=buyer.organization, vendor=vendor, template=template, days=5)
    assert run(timezone.localdate(), django_capture_on_commit_callbacks) == 0
    three_days_before = made.assessment.due_date - datetime.timedelta(days=3)
    assert run(three_days_before, django_capture_on_commit_callbacks) == 1
    assert sent[0][2]["kind"] == "3d"


def test_the_reminder_email_renders_without_the_link(due_in_days, sent,
                                                     django_capture_on_commit_callbacks):
    from django.template.loader import render_to_string

    due_in_days(1)
    run(TODAY, django_capture_on_commit_callbacks)
    _, template, context = sent[0]
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}_body.txt", context)
    assert "due tomorrow" in subject and "Portal test questionnaire" in subject
    assert "/invite/" not in body and "2030-05-01" in body and "alice@example.test" in body


def test_the_periodic_task_sends_todays_reminders(due_in_days, sent, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    from questionnaires.assessments.tasks.reminders import send_reminders

    due_in_days(7)
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda *args: real(*args) if args else TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.apply().get() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_the_invitation_and_then_the_reminder_once(
        celery_worker_process, api, vendor, template):
    from tests.support.factories import due_in
    from tests.support.waiting import wait_for

    response = api.post("/api/v1/assessments/", {
        "vendor": str(vendor.pk), "template": str(template.pk), "due_date": due_in(3).isoformat(),
        "respondent_email": "rita@labelworks.test", "respondent_name": "Rita"}, format="json")
    assert response.status_code == 201
    invite_url = response.json()["invite_url"]
    wait_for(lambda: invite_url in celery_worker_process.sent_mail(), timeout=30,
             what="the invitation email with its link")
    Invitation.objects.filter(email="rita@labelworks.test").update(
        created_at=timezone.now() - datetime.timedelta(days=10))
    assert reminders_send(today=timezone.localdate()) == 1
    assert reminders_send(today=timezone.localdate()) == 0
    wait_for(lambda: "is due in 3 days" in celery_worker_process.sent_mail(), timeout=30,
             what="the 3-day reminder email")
    mail = celery_worker_process.sent_mail()
    assert mail.count("is due in 3 days") == 1
    assert mail.count(invite_url) == 1  # the reminder does not repeat the link
