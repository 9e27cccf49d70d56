"""End to end with a real Celery worker on Redis: POST answers 202 at once, the worker on
the `reports` queue renders, the report becomes ready and downloads byte for byte."""

from __future__ import annotations

import hashlib

import pytest

from questionnaires.reports.models import Report
from tests.support.actors import api_client_for
from tests.support.reports import competitor_stake, issue_answer_score, known_answers, known_spec
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_renders_the_requested_report_until_it_is_ready(
        celery_worker_process, buyer, compliance, vendor):
    competitor_stake(organization=buyer.organization, vendor=vendor)
    built = issue_answer_score(organization=buyer.organization, vendor=vendor, spec=known_spec(),
                               answers=known_answers(), by=buyer.user)

    response = api_client_for(buyer).post(f"/api/v1/assessments/{built.assessment.pk}/reports/")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    report_id = response.json()["id"]

    def finished():
        report = Report.objects.get(pk=report_id)
        return report if report.status != "pending" else None

    report = wait_for(finished, timeout=90, what="the worker to render the report")
    assert report.status == "ready", report.error
    status = api_client_for(compliance).get(f"/api/v1/reports/{report_id}/").json()
    assert status["status"] == "ready" and status["pages"] >= 8

    pdf = api_client_for(compliance).get(f"/api/v1/reports/{report_id}/pdf/")
    data = b"".join(pdf.streaming_content)
    assert hashlib.sha256(data).hexdigest() == report.sha256 == status["sha256"]
    assert "report worker" in report.assessment.organization.audit_events.get(
        action="report.rendered", object_id=report_id).actor_label
