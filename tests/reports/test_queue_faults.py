"""Reports on real Celery workers and a real Redis under faults: rendered exactly once.

- a worker killed mid-render: Redis gives the message to the next worker, which renders
  the report once, in one file;
- Redis stopped or paused when the report is asked for: the request still answers 202 at
  once, the report waits pending, and the sweep has it rendered once Redis is back;
- the same message delivered twice renders once;
- a render the database keeps refusing ends `failed`, with its reason, after at most three
  tries.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from questionnaires.audit.models import AuditEvent
from questionnaires.reports.models import Report
from questionnaires.reports.services import MAX_ATTEMPTS, report_sweep
from questionnaires.reports.tasks import render_report
from tests.support.actors import api_client_for
from tests.support.reports import issue_answer_score, known_answers, known_spec
from tests.support.waiting import wait_for
from tests.support.workers import discard_worker, kill_hard, start_worker, table_locked, waiting_for_lock

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REPORT_TASK = "questionnaires.tasks.reports.render_report"
REQUEST_DEADLINE = 5.0  # seconds a request for a report may take with Redis down


@pytest.fixture
def assessment(buyer, vendor):
    """Submitted and scored in this process: ready for a report."""
    return issue_answer_score(organization=buyer.organization, vendor=vendor, spec=known_spec(),
                              answers=known_answers(), by=buyer.user).assessment


def request_report(buyer, assessment) -> tuple[Report, float]:
    """Through the API, as a person or a script asks; (the report, seconds it took)."""
    started = time.monotonic()
    response = api_client_for(buyer).post(f"/api/v1/assessments/{assessment.pk}/reports/")
    took = time.monotonic() - started
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    return Report.objects.get(pk=response.json()["id"]), took


def status_of(buyer, report) -> dict:
    return api_client_for(buyer).get(f"/api/v1/reports/{report.pk}/").json()


def files_of(report) -> list[Path]:
    return sorted((Path(settings.PRIVATE_ROOT) / "reports").rglob(f"{report.pk}*"))


def settled(predicate, *, what: str, report, workers, timeout: float = 60):
    """wait_for, and on a timeout say where things stood: the report and the workers' logs."""
    try:
        return wait_for(predicate, timeout=timeout, interval=0.1, what=what)
    except AssertionError as error:
        report.refresh_from_db()
        logs = "\n".join(f"--- {w.log.name}\n{w.log.read_text()[-3000:]}" for w in workers)
        raise AssertionError(f"{error}\nreport: {report.status} {report.error!r}\n"
                             f"{logs}") from None


def finished(report) -> bool:
    report.refresh_from_db()
    return report.status != Report.Status.PENDING


def assert_rendered_once(report) -> None:
    report.refresh_from_db()
    assert report.status == "ready", report.error
    assert AuditEvent.objects.filter(action="report.rendered",
                                     object_id=str(report.pk)).count() == 1
    pdf = Path(report.file.path)
    assert files_of(report) == [pdf]  # no second copy beside it
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == report.sha256


def test_a_report_worker_killed_mid_render_is_replaced_and_the_report_is_rendered_once(
        buyer, assessment, tmp_path, private_broker):
    """Killed at the worst moment of a render: its PDF written, its row not yet committed.
    Redis gives the unacknowledged message to the next worker, whose render replaces the
    dead one's file instead of storing a second copy beside it."""
    report, _ = request_report(buyer, assessment)
    with table_locked(AuditEvent):  # the render's last write, "report.rendered", waits
        first = start_worker(mail_dir=tmp_path / "first", queues="reports")
        try:
            [backend] = settled(lambda: waiting_for_lock(AuditEvent), report=report,
                                workers=[first], what="the render waiting on its last write")
            assert len(files_of(report)) == 1  # the PDF is on disk
            assert private_broker.in_flight(REPORT_TASK) == 1
            kill_hard(first.process)
        finally:
            discard_worker(first)
    # Its client gone, the dead worker's transaction ends without a commit.
    wait_for(lambda: not backend_alive(backend), timeout=10, what="the killed render's backend")
    report.refresh_from_db()
    assert report.status == "pending"

    second = start_worker(mail_dir=tmp_path / "second", queues="reports")
    try:
        settled(lambda: finished(report), report=report, workers=[first, second],
                what="the report rendered by the second worker")
        settled(lambda: private_broker.in_flight(REPORT_TASK) == 0
                and private_broker.queued(REPORT_TASK, "reports") == 0, report=report,
                workers=[second], what="the message acknowledged")
    finally:
        discard_worker(second)
    assert_rendered_once(report)


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


@pytest.mark.parametrize("fault", ["stopped", "paused"])
def test_a_report_requested_while_redis_is_down_answers_at_once_and_is_rendered_once_it_is_back(
        fault, buyer, assessment, tmp_path, private_broker):
    """Stopped, Redis refuses the connection; paused, it takes it and answers nothing.
    Either way the request answers 202 within the deadline and the report waits pending -
    not failed - until the sweep queues it again."""
    down, back = ((private_broker.stop, private_broker.start) if fault == "stopped"
                  else (private_broker.pause, private_broker.resume))
    down()
    try:
        report, took = request_report(buyer, assessment)
    finally:
        back()
    assert took < REQUEST_DEADLINE, took
    assert status_of(buyer, report)["status"] == "pending"
    assert private_broker.queued(REPORT_TASK, "reports") == 0  # never queued

    a_beat_later = timezone.now() + datetime.timedelta(seconds=settings.REPORT_DISPATCH_GRACE)
    assert report_sweep(now=a_beat_later) == (1, 0)
    worker = start_worker(mail_dir=tmp_path / "worker", queues="reports")
    try:
        settled(lambda: finished(report), report=report, workers=[worker],
                what="the swept report rendered")
    finally:
        discard_worker(worker)
    assert_rendered_once(report)
    assert status_of(buyer, report)["status"] == "ready"


def test_the_same_render_message_delivered_twice_renders_once(
        buyer, assessment, tmp_path, private_broker):
    report, _ = request_report(buyer, assessment)
    render_report.apply_async(args=[str(report.pk)])  # the same report, a second message
    assert private_broker.queued(REPORT_TASK, "reports") == 2
    worker = start_worker(mail_dir=tmp_path / "worker", concurrency=2, queues="reports")
    try:
        settled(lambda: finished(report) and private_broker.queued(REPORT_TASK, "reports") == 0
                and private_broker.in_flight(REPORT_TASK) == 0, report=report,
                workers=[worker], what="both deliveries handled")
    finally:
        discard_worker(worker)
    assert_rendered_once(report)


@contextlib.contextmanager
def database_refusing_ready_reports():
    """PostgreSQL itself refuses to store a report as ready, on every try: a real database
    error, of the kind the task retries."""
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT test_refuses_ready_reports '
                       "CHECK (status <> 'ready') NOT VALID")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS '
                           "test_refuses_ready_reports")


def test_a_render_the_database_keeps_refusing_ends_failed_with_its_reason_after_at_most_three_tries(
        buyer, assessment, tmp_path, private_broker, monkeypatch):
    # A retry waits up to 4 s in the worker before it renders; Redis must not hand it out
    # a second time meanwhile, as it would past the short test visibility timeout.
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "30")
    report, _ = request_report(buyer, assessment)
    with database_refusing_ready_reports():
        worker = start_worker(mail_dir=tmp_path / "worker", queues="reports")
        try:
            settled(lambda: finished(report), report=report, workers=[worker],
                    what="the report marked failed")
            settled(lambda: private_broker.queued(REPORT_TASK, "reports") == 0
                    and private_broker.in_flight(REPORT_TASK) == 0, report=report,
                    workers=[worker], what="the message acknowledged, not redelivered")
        finally:
            discard_worker(worker)
    tries = re.findall(rf"Task {re.escape(REPORT_TASK)}\[[-0-9a-f]+\] received",
                       worker.log.read_text())
    assert len(tries) == MAX_ATTEMPTS  # every try used, and not one more
    report.refresh_from_db()
    assert report.status == "failed"
    status = status_of(buyer, report)
    assert status["status"] == "failed" and status["error"] == report.error
    assert f"failed on each of {MAX_ATTEMPTS} attempts" in report.error
    assert 'violates check constraint "test_refuses_ready_reports"' in report.error
    assert "Failing row" not in report.error  # the first line, not the row's contents
    assert files_of(report) == []  # each try's PDF removed with its failed transaction
    assert not AuditEvent.objects.filter(action="report.rendered",
                                         object_id=str(report.pk)).exists()
    assert AuditEvent.objects.filter(action="report.failed", object_id=str(report.pk)).exists()
