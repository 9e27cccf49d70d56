"""Reassessment on cadence (idempotent, with last cycle's answers carried over) and
warnings about evidence about to expire."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from questionnaires.assessments.models import Answer, Assessment
from questionnaires.assessments.services.reassessment import (
    add_months,
    evidence_expiry_notify,
    reassessment_due,
    reassessment_issue_due,
)
from tests.support import assessments as builders
from tests.support.factories import VendorFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.mark.parametrize(("day", "months", "expected"), [
    (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
    (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
    (datetime.date(2025, 11, 30), 3, datetime.date(2026, 2, 28)),
    (datetime.date(2025, 6, 15), 24, datetime.date(2027, 6, 15)),
])
def test_months_are_calendar_months(day, months, expected):
    assert add_months(day, months) == expected


def _approved(buyer, vendor, template, *, months_ago: int, status: str = "approved"):
    assessment = builders.scored(organization=buyer.organization, vendor=vendor,
                                 template=template)
    decided = timezone.make_aware(datetime.datetime.combine(
        add_months(TODAY, -months_ago), datetime.time(12)))
    Assessment.objects.filter(pk=assessment.pk).update(status=status, decided_at=decided)
    assessment.refresh_from_db()
    return assessment


def test_a_vendor_is_due_when_its_criticalitys_cadence_has_passed(buyer, template):
    high = VendorFactory(organization=buyer.organization, criticality="high")      # 12 months
    medium = VendorFactory(organization=buyer.organization, criticality="medium")  # 24 months
    own = VendorFactory(organization=buyer.organization, criticality="low",
                        reassessment_months=3)
    for vendor in (high, medium, own):
        _approved(buyer, vendor, template, months_ago=12)
    assert {d.vendor_id for d in reassessment_due(today=TODAY)} == {high.pk, own.pk}


def test_the_organisation_can_change_the_cadence(buyer, template):
    buyer.organization.settings = {"cadence_months": {"medium": 6}}
    buyer.organization.save()
    vendor = VendorFactory(organization=buyer.organization, criticality="medium")
    _approved(buyer, vendor, template, months_ago=7)
    assert [d.vendor_id for d in reassessment_due(today=TODAY)] == [vendor.pk]


def test_rejected_or_busy_vendors_are_not_due(buyer, template):
    rejected = VendorFactory(organization=buyer.organization)
    _approved(buyer, rejected, template, months_ago=30, status="rejected")
    busy = VendorFactory(organization=buyer.organization)
    previous = _approved(buyer, busy, template, months_ago=30)
    builders.issue(organization=buyer.organization, vendor=busy, template=template,
                   previous=previous)
    assert reassessment_due(today=TODAY) == []


def test_the_next_assessment_uses_the_latest_version_and_carries_the_answers_over(
        buyer, vendor, template, sent_mail):
    previous = _approved(buyer, vendor, template, months_ago=13)
    newer = builders.template_for(buyer.organization)  # version 2 of the same questionnaire
    assert newer.version == 2
    with sent_mail() as outbox:
        (issued,) = reassessment_issue_due(today=TODAY)
    assert issued.vendor == vendor and issued.previous == previous
    assert issued.template == newer and issued.status == "sent"
    assert issued.due_date == TODAY + datetime.timedelta(days=30)
    carried = dict(Answer.objects.filter(assessment=issued).values_list("question__key", "value"))
    assert carried == {**builders.RISKY}
    assert any(builders.RESPONDENT in m.to for m in outbox)          # the vendor's link
    assert any(buyer.user.email in m.to and "Reassessment" in m.subject for m in outbox)


def test_issuing_is_idempotent(buyer, vendor, template):
    _approved(buyer, vendor, template, months_ago=13)
    assert len(reassessment_issue_due(today=TODAY)) == 1
    assert reassessment_issue_due(today=TODAY) == []
    open_ones = Assessment.objects.filter(vendor=vendor).exclude(status="approved")
    assert open_ones.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_still_open_only_one_assessment(buyer, vendor, template):
    import threading

    from django.db import connection

    from questionnaires.assessments.services.reassessment import _issue_one

    _approved(buyer, vendor, template, months_ago=13)
    (due,) = reassessment_due(today=TODAY)
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(_issue_one(due, TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r is None for r in results) == [False, True]
    assert Assessment.objects.filter(vendor=vendor, status="sent").count() == 1


def test_the_task_issues_what_is_due(buyer, vendor, template, monkeypatch):
    from questionnaires.assessments.tasks.reassessment import issue_due_reassessments

    _approved(buyer, vendor, template, months_ago=13)
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    assert issue_due_reassessments() == 1
    assert issue_due_reassessments() == 0


def test_the_dashboard_shows_when_the_next_reassessment_is_due(buyer, buyer_client, vendor,
                                                                 template):
    approved = _approved(buyer, vendor, template, months_ago=1)  # high: every 12 months
    row = buyer_client.get("/").context["rows"][0]
    assert row.reassess_on == add_months(add_months(TODAY, -1), 12)
    assert not row.reassess_overdue
    Assessment.objects.filter(pk=approved.pk).update(
        decided_at=approved.decided_at - datetime.timedelta(days=366))
    row = buyer_client.get("/").context["rows"][0]
    assert row.reassess_overdue and 'class="overdue">due' in buyer_client.get("/").content.decode()


# --- Evidence about to expire ---------------------------------------------------------------
def test_expiring_evidence_is_warned_about_once_to_vendor_and_buyer(
        buyer, submitted, vendor, sent_mail):
    today = datetime.date.today()
    soon = builders.evidence(submitted, name="soc2-2025.pdf",
                             expires_on=today + datetime.timedelta(days=12))
    builders.evidence(submitted, name="later.pdf", expires_on=today + datetime.timedelta(days=90))
    with sent_mail() as outbox:
        assert evidence_expiry_notify(today=today) == 1
    to_vendor = [m for m in outbox if vendor.contact_email in m.to]
    to_buyer = [m for m in outbox if buyer.user.email in m.to]
    assert len(to_vendor) == 1 and "soc2-2025.pdf" in to_vendor[0].body
    assert "later.pdf" not in to_vendor[0].body
    assert len(to_buyer) == 1 and "soc2-2025.pdf" in to_buyer[0].body
    with sent_mail() as again:
        assert evidence_expiry_notify(today=today) == 0
    assert len(again) == len(outbox)  # nothing new
    soon.expires_on = today + datetime.timedelta(days=20)  # a new date is a new warning
    soon.save()
    assert evidence_expiry_notify(today=today) == 1


def test_buyers_who_turned_it_off_get_no_evidence_warning(buyer, submitted, sent_mail):
    buyer.notifications = {"evidence_expiring": False}
    buyer.save()
    builders.evidence(submitted, expires_on=datetime.date.today() + datetime.timedelta(days=5))
    with sent_mail() as outbox:
        evidence_expiry_notify(today=datetime.date.today())
    assert all(buyer.user.email not in m.to for m in outbox)
