"""The renderer fetches nothing it should not, and one bad render cannot hold a worker."""

from __future__ import annotations

import os
import resource

import pytest
from django.conf import settings

from questionnaires.reports.render import (
    RefusedURL,
    RenderFailed,
    RestrictedURLFetcher,
    pdf_bytes,
    render_isolated,
    url_fetcher,
)
from tests.support.pdf_tools import pdf_pages_text


@pytest.fixture
def static_root(tmp_path):
    root = tmp_path / "static"
    (root / "img").mkdir(parents=True)
    (root / "img" / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (tmp_path / "secret.txt").write_text("not for reports")
    (root / "img" / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return root


def test_the_fetcher_answers_data_urls():
    response = url_fetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_the_fetcher_serves_a_file_inside_the_static_root(static_root):
    fetcher = RestrictedURLFetcher([static_root])
    response = fetcher.fetch((static_root / "img" / "dot.svg").as_uri())
    assert b"<svg" in response.read()


def test_the_projects_own_static_files_are_allowed_by_the_configured_fetcher():
    own = settings.STATICFILES_DIRS[0] / "css" / "diligence.css"
    assert url_fetcher().fetch(own.as_uri()).read()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "file://evil.example/share/x.css",
    "http://127.0.0.1:9/x.css",
    "https://example.com/y.png",
    "ftp://example.com/z",
    "gopher://example.com/",
    "javascript:alert(1)",
    "relative/path.css",
])
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(RefusedURL):
        url_fetcher().fetch(url)


def test_the_fetcher_refuses_climbing_out_of_the_static_root(static_root):
    fetcher = RestrictedURLFetcher([static_root])
    with pytest.raises(RefusedURL):
        fetcher.fetch(static_root.as_uri() + "/img/../../secret.txt")
    with pytest.raises(RefusedURL):  # a symbolic link pointing outside
        fetcher.fetch((static_root / "img" / "escape.txt").as_uri())


def test_markup_that_slipped_past_escaping_still_fetches_nothing(hostile_server):
    """The second wall: even raw HTML naming local files and a live server loads nothing."""
    base = f"http://127.0.0.1:{hostile_server.server_address[1]}"
    html = (f'<html><head><link rel="stylesheet" href="{base}/x.css">'
            f'<style>@import url("{base}/i.css"); body {{ background: url({base}/y) }}'
            f'@font-face {{ font-family: X; src: url({base}/f.woff) }}</style></head>'
            f'<body><img src="{base}/z.png"><img src="file:///etc/passwd">'
            f'<object data="{base}/o"></object><iframe src="{base}/if"></iframe>'
            f'<p>visible text</p></body></html>')
    pdf = pdf_bytes(html)
    assert "visible text" in pdf_pages_text(pdf)[0]
    assert hostile_server.seen == []


def test_a_render_over_its_deadline_is_stopped_and_reported():
    html = "<p>" + "slow " * 100_000 + "</p>" * 1
    with pytest.raises(RenderFailed, match="longer than 0.05 s"):
        render_isolated(html, timeout=0.05)


def test_a_render_over_its_memory_budget_is_stopped_and_this_process_carries_on():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    html = "<table>" + "<tr><td>cell</td><td>cell</td></tr>" * 40_000 + "</table>"
    # Under the cap the child usually fails fast (MemoryError, or killed); now and then the
    # allocator's failures leave it spinning, and then the deadline stops it. Either way
    # it is stopped, and its memory never was this process's.
    with pytest.raises(RenderFailed, match="memory|signal|longer than 20"):
        render_isolated(html, memory_mb=8, timeout=20)
    # The render's memory was the child's: this process did not grow by it.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024
    assert render_isolated("<p>still working</p>").pdf.startswith(b"%PDF-")


def children() -> set[str]:
    """Ids of this process's live children, from /proc (other fixtures may own some)."""
    tasks = f"/proc/{os.getpid()}/task"
    return {pid for task in os.listdir(tasks)
            for pid in open(f"{tasks}/{task}/children").read().split()}


def test_an_isolated_render_leaves_no_child_behind():
    before = children()
    render_isolated("<p>one</p>")
    with pytest.raises(RenderFailed):
        render_isolated("<p>" + "slow " * 100_000 + "</p>", timeout=0.05)
    assert children() == before


@pytest.mark.django_db
def test_a_report_whose_render_fails_is_marked_failed_with_the_reason(scored, buyer, settings):
    from questionnaires.audit.models import AuditEvent
    from questionnaires.reports.services import report_render, report_request

    settings.REPORT_RENDER_TIMEOUT = 0.001
    report = report_request(assessment=scored.assessment, by=buyer.user)
    report = report_render(report_id=str(report.pk))
    assert report.status == "failed" and "longer than" in report.error
    assert not report.file and report.sha256 == ""
    assert AuditEvent.objects.filter(action="report.failed", object_id=str(report.pk)).exists()


@pytest.mark.django_db
def test_rendering_twice_renders_once(rendered):
    from questionnaires.reports.services import report_render

    again = report_render(report_id=str(rendered.pk))
    assert (again.sha256, again.file.name) == (rendered.sha256, rendered.file.name)


def seen_as(buyer, report) -> tuple[str, str]:
    """(the status the API gives, the line of the workspace's reports panel) of `report`."""
    from django.test import Client

    from tests.support.actors import api_client_for

    api = api_client_for(buyer).get(f"/api/v1/reports/{report.pk}/").json()
    page = Client()
    page.force_login(buyer.user)
    panel = page.get(f"/assessments/{report.assessment_id}/reports/").content.decode()
    line = next(item for item in panel.split("<li>")[1:] if ":" in item)
    return api["status"] + (f": {api['error']}" if api["error"] else ""), " ".join(line.split())


@pytest.mark.django_db
def test_a_report_that_cannot_be_queued_stays_pending_and_the_sweep_renders_it_once_the_broker_is_back(
        scored, buyer, monkeypatch, django_capture_on_commit_callbacks):
    """The pending row is its own outbox: nothing is lost while the broker is down, and
    the sweep (celery beat, every minute) queues it again once the grace has passed."""
    import datetime

    from kombu.exceptions import OperationalError

    from questionnaires.audit.models import AuditEvent
    from questionnaires.reports.services import report_request, report_sweep
    from questionnaires.reports.tasks import render_report

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_report, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(assessment=scored.assessment, by=buyer.user)
    report.refresh_from_db()
    assert (report.status, report.error) == ("pending", "")
    api, panel = seen_as(buyer, report)
    assert api == "pending" and "rendering…" in panel

    after_grace = report.created_at + datetime.timedelta(
        seconds=settings.REPORT_DISPATCH_GRACE + 1)
    assert report_sweep(now=report.created_at) == (0, 0)  # its own dispatch may still come
    assert report_sweep(now=after_grace) == (0, 0)  # still down: still pending, not failed
    report.refresh_from_db()
    assert report.status == "pending"

    queued: list[str] = []
    monkeypatch.setattr(render_report, "apply_async",
                        lambda args, **kwargs: queued.append(args[0]))
    assert report_sweep(now=after_grace) == (1, 0)
    assert report_sweep(now=after_grace) == (1, 0)  # two beats before a worker took it
    assert queued == [str(report.pk)] * 2
    for report_id in queued:  # each message, run by a worker
        render_report.apply(args=[report_id])
    report.refresh_from_db()
    assert report.status == "ready" and report.sha256
    assert AuditEvent.objects.filter(action="report.rendered",
                                     object_id=str(report.pk)).count() == 1
    assert report_sweep(now=after_grace) == (0, 0)
    api, panel = seen_as(buyer, report)
    assert api == "ready" and "Download PDF" in panel


@pytest.mark.django_db
def test_a_report_pending_past_the_maximum_age_is_failed_with_its_reason(scored, buyer,
                                                                         monkeypatch):
    """Nothing stays pending for ever: by then the person has long stopped waiting."""
    import datetime

    from questionnaires.audit.models import AuditEvent
    from questionnaires.reports.models import Report
    from questionnaires.reports.services import report_sweep
    from questionnaires.reports.tasks import render_report

    queued: list[str] = []
    monkeypatch.setattr(render_report, "apply_async",
                        lambda args, **kwargs: queued.append(args[0]))
    report = Report.objects.create(organization=buyer.organization, assessment=scored.assessment,
                                   score_run=scored.score_run)
    too_old = report.created_at + datetime.timedelta(seconds=settings.REPORT_PENDING_MAX_AGE)
    assert report_sweep(now=too_old) == (1, 0)  # not yet: queued again
    assert report_sweep(now=too_old + datetime.timedelta(seconds=1)) == (0, 1)
    report.refresh_from_db()
    assert report.status == "failed" and report.finished_at is not None
    assert report.error.startswith("not rendered within 1 hour of the request")
    event = AuditEvent.objects.get(action="report.failed", object_id=str(report.pk))
    assert event.actor_label == "report sweeper" and event.data["reason"] == report.error
    api, panel = seen_as(buyer, report)
    assert api == f"failed: {report.error}"
    assert "failed" in panel and "not rendered within 1 hour" in panel
    assert report_sweep(now=too_old + datetime.timedelta(days=1)) == (0, 0)
    assert queued == [str(report.pk)]


def test_the_task_runs_on_the_reports_queue_with_time_limits():
    from questionnaires.reports.tasks import render_report

    assert render_report.queue == "reports"
    assert render_report.acks_late and render_report.reject_on_worker_lost
    assert 0 < render_report.soft_time_limit < render_report.time_limit


def test_beat_sweeps_the_report_outbox_every_minute_on_the_default_queue():
    """On the default queue, so the sweep also fails abandoned reports when no report
    worker is running at all."""
    import questionnaires.tasks  # noqa: F401 - registers the tasks
    from diligence.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reports-outbox-sweep"]
    assert entry["schedule"] == 60.0 and entry["task"] in app.tasks
    assert getattr(app.tasks[entry["task"]], "queue", None) is None  # the default one


def test_a_maximum_pending_age_not_above_the_grace_fails_start_up():
    from tests.core.test_settings import start_django

    result = start_django(REPORT_DISPATCH_GRACE="120", REPORT_PENDING_MAX_AGE="120")
    assert result.returncode != 0
    assert "REPORT_PENDING_MAX_AGE: must exceed REPORT_DISPATCH_GRACE (120)" in result.stderr
