"""Fixtures for the report tests: a known scored assessment, its rendered report, a local
web server that records every request (so a test can prove nothing was fetched)."""

from __future__ import annotations

import contextlib
import datetime
import http.server
import threading
from types import SimpleNamespace

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


@contextlib.contextmanager
def recording_server():
    """A web server on 127.0.0.1 that the hostile answer points at; `.seen` lists every
    path it was asked for."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def hostile_server():
    with recording_server() as server:
        yield server


def approved_known_assessment(*, buyer, colleague, vendor, server):
    """The known assessment, submitted, scored in this process and approved with a
    condition by the reviewer."""
    from questionnaires.assessments.models import Assessment, RemediationItem, Review

    competitor_stake(organization=buyer.organization, vendor=vendor)
    built = issue_answer_score(organization=buyer.organization, vendor=vendor, spec=known_spec(),
                               answers=known_answers(server.server_address[1]),
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


def rendered_report(*, assessment, by):
    """The report of `assessment`, rendered by the service in this process."""
    from questionnaires.reports.services import report_render, report_request

    report = report_request(assessment=assessment, by=by)
    report = report_render(report_id=str(report.pk))
    assert report.status == "ready", report.error
    return report


@pytest.fixture
def scored(buyer, colleague, vendor, hostile_server):
    return approved_known_assessment(buyer=buyer, colleague=colleague, vendor=vendor,
                                     server=hostile_server)


@pytest.fixture
def rendered(scored, buyer):
    return rendered_report(assessment=scored.assessment, by=buyer.user)


@pytest.fixture(scope="module")
def rendered_once(django_db_setup, django_db_blocker):
    """The known report rendered once, for a module whose tests only read it (a render takes
    seconds): the actors, the approved assessment and the PDF are made in a transaction
    that the end of the module rolls back; each test's own transaction nests inside it."""
    from django.db import transaction

    from tests.support.factories import MembershipFactory, OrganizationFactory, VendorFactory

    with django_db_blocker.unblock(), recording_server() as server, transaction.atomic():
        organization = OrganizationFactory(name="Acme Labs")
        buyer = MembershipFactory(organization=organization, role="admin", user__username="alice")
        colleague = MembershipFactory(organization=organization, role="reviewer",
                                      user__username="rob")
        vendor = VendorFactory(organization=organization, name="LabelWorks")
        scored = approved_known_assessment(buyer=buyer, colleague=colleague, vendor=vendor,
                                           server=server)
        yield SimpleNamespace(buyer=buyer, vendor=vendor, server=server, scored=scored,
                              rendered=rendered_report(assessment=scored.assessment,
                                                       by=buyer.user))
        transaction.set_rollback(True)
