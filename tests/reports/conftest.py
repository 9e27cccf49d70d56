"""Fixtures for the report tests: a known scored assessment, its rendered report, a local
web server that records every request (so a test can prove nothing was fetched)."""

from __future__ import annotations

import datetime
import http.server
import threading

import pytest

from tests.support.reports import competitor_stake, issue_answer_score, known_answers, known_spec


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.server.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile_server():
    """A web server on 127.0.0.1 that the hostile answer points at; `.seen` lists every
    path it was asked for."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def scored(buyer, colleague, vendor, hostile_server):
    """The known assessment, submitted, scored in this process and approved with a
    condition by the reviewer."""
    from questionnaires.assessments.models import Assessment, RemediationItem, Review

    competitor_stake(organization=buyer.organization, vendor=vendor)
    built = issue_answer_score(organization=buyer.organization, vendor=vendor, spec=known_spec(),
                               answers=known_answers(hostile_server.server_address[1]),
                               by=buyer.user, evidence_for="sec_soc2_report")
    review = Review.objects.create(assessment=built.assessment, reviewer=colleague.user,
                                   decision="approve_with_conditions",
                                   note="Acceptable if change-of-control notice is added.")
    RemediationItem.objects.create(assessment=built.assessment, review=review,
                                   text="Add a 30-day change-of-control notice clause",
                                   due_date=datetime.date.today() + datetime.timedelta(days=60))
    Assessment.objects.filter(pk=built.assessment.pk).update(
        status="approved_with_conditions", decided_at=review.created_at)
    built.assessment.refresh_from_db()
    return built


@pytest.fixture
def rendered(scored, buyer):
    """The report of the known assessment, rendered by the service in this process."""
    from questionnaires.reports.services import report_render, report_request

    report = report_request(assessment=scored.assessment, by=buyer.user)
    report = report_render(report_id=str(report.pk))
    assert report.status == "ready", report.error
    return report

