"""Rendering reports, on their own `reports` queue.

A separate queue lets a deployment give reports their own worker (`-Q reports
--concurrency=1 --max-memory-per-child=...`): `worker_max_memory_per_child` is a setting of
the whole worker, so it cannot be tighter for reports than for scoring on a shared one.
Within a render, `render_isolated` enforces the per-report deadline and memory cap; the time
limits below back it up for the time spent before and after WeasyPrint runs, so a stuck
report can never hold a worker for longer than REPORT_TIME_LIMIT.

`render_report` is acknowledged only after it ran (acks_late) and goes back to the queue
when its worker dies (reject_on_worker_lost); the service's row lock makes a second
delivery harmless. Database errors are retried with backoff, and after MAX_ATTEMPTS tries
the report is failed with the last error as its reason.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from questionnaires.core import dispatch
from questionnaires.core.tasks import retry_countdown
from questionnaires.reports import services as reports
from questionnaires.reports.limits import task_time_limits

REPORT_SOFT_TIME_LIMIT, REPORT_TIME_LIMIT = task_time_limits()


# ignore_result: the Report row is the result. A task whose result is kept subscribes its
# publisher to the result store, which waits ~20 s when Redis is down - in the request.
@shared_task(name=dispatch.RENDER_REPORT, bind=True, queue="reports", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True, soft_time_limit=REPORT_SOFT_TIME_LIMIT,
             time_limit=REPORT_TIME_LIMIT, max_retries=reports.MAX_ATTEMPTS - 1)
def render_report(self, report_id: str) -> str | None:
    try:
        report = reports.report_render(report_id=report_id)
    except DatabaseError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
        _give_up(report_id, exc)
        raise
    return report.status if report is not None else None


def _give_up(report_id: str, exc: DatabaseError) -> None:
    # The first line only: PostgreSQL's DETAIL lines can quote the whole row.
    lines = str(exc).strip().splitlines()
    last = f"{type(exc).__name__}: {lines[0] if lines else ''}"
    try:
        reports.report_give_up(report_id=report_id, reason=(
            f"the database failed on each of {reports.MAX_ATTEMPTS} attempts to render and "
            f"store the report; last: {last}"))
    except DatabaseError:
        pass  # still away: the sweeper fails the report once it is too old to wait for


@shared_task(name=dispatch.REPORT_SWEEP, ignore_result=True)
def report_sweep_task() -> dict:
    return reports.report_sweep()._asdict()
