"""Rendering reports, on their own `reports` queue.

A separate queue lets a deployment give reports their own worker (`-Q reports
--concurrency=1 --max-memory-per-child=...`): `worker_max_memory_per_child` is a setting of
the whole worker, so it cannot be tighter for reports than for scoring on a shared one.
Within a render, `render_isolated` enforces the per-report deadline and memory cap; the time
limits below back it up for the time spent before and after WeasyPrint runs, so a stuck
report can never hold a worker for longer than REPORT_TIME_LIMIT.
"""

from __future__ import annotations

from celery import shared_task

from ..reports.limits import task_time_limits
from ..services import reports
from .base import DB_RETRY

REPORT_SOFT_TIME_LIMIT, REPORT_TIME_LIMIT = task_time_limits()


@shared_task(queue="reports", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=REPORT_SOFT_TIME_LIMIT, time_limit=REPORT_TIME_LIMIT, **DB_RETRY)
def render_report(report_id: str) -> str | None:
    report = reports.report_render(report_id=report_id)
    return report.status if report is not None else None
