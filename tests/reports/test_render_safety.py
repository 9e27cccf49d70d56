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
from tests.reports.pdf_tools import pdf_pages_text


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
    from questionnaires.models import AuditEvent
    from questionnaires.services.reports import report_render, report_request

    settings.REPORT_RENDER_TIMEOUT = 0.001
    report = report_request(assessment=scored.assessment, by=buyer.user)
    report = report_render(report_id=str(report.pk))
    assert report.status == "failed" and "longer than" in report.error
    assert not report.file and report.sha256 == ""
    assert AuditEvent.objects.filter(action="report.failed", object_id=str(report.pk)).exists()


@pytest.mark.django_db
def test_rendering_twice_renders_once(rendered):
    from questionnaires.services.reports import report_render

    again = report_render(report_id=str(rendered.pk))
    assert (again.sha256, again.file.name) == (rendered.sha256, rendered.file.name)


@pytest.mark.django_db
def test_a_report_that_cannot_be_queued_fails_instead_of_staying_pending(scored, buyer,
                                                                         monkeypatch):
    from questionnaires.models import Report
    from questionnaires.services.reports import report_dispatch
    from questionnaires.tasks import render_report

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(render_report, "apply_async", broker_down)
    report = Report.objects.create(organization=buyer.organization, assessment=scored.assessment,
                                   score_run=scored.score_run)
    assert report_dispatch(report_id=str(report.pk)) is False
    report.refresh_from_db()
    assert report.status == "failed" and "could not be queued" in report.error


def test_the_task_runs_on_the_reports_queue_with_time_limits():
    from questionnaires.tasks import render_report

    assert render_report.queue == "reports"
    assert render_report.acks_late and render_report.reject_on_worker_lost
    assert 0 < render_report.soft_time_limit < render_report.time_limit
