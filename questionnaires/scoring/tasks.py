"""Scoring tasks: exactly once per (assessment, answers digest, engine version).

`score_job` (the task; the engine's function is scoring.engine.score_assessment) is
acknowledged only after it ran (acks_late) and goes back to the
queue when its worker dies (reject_on_worker_lost), so a killed worker loses nothing; the
service makes a second delivery harmless and counts every attempt, so a job that keeps
failing, or keeps killing its worker, ends `failed` after MAX_ATTEMPTS tries.

Database errors and the soft time limit are worth another try, with exponential backoff
and jitter; anything else (a custom scenario that no longer validates, a bug) would fail
the same way again, so the job is marked failed at once with the reason.
"""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError

from questionnaires.core import dispatch
from questionnaires.core.tasks import retry_countdown
from questionnaires.scoring.services import outbox
from questionnaires.scoring.services import runs as scoring

TRANSIENT = (DatabaseError, SoftTimeLimitExceeded)


@shared_task(name=dispatch.SCORE, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
             time_limit=settings.CELERY_TASK_TIME_LIMIT, max_retries=outbox.MAX_ATTEMPTS - 1)
def score_job(self, job_id: str) -> str | None:
    # ignore_result: the score run in PostgreSQL is the result. Publishing a task whose
    # result is kept also subscribes the publisher to the result store, which waits ~20 s
    # when Redis is down - in the submitting request.
    try:
        run = scoring.scoring_run(job_id=job_id)
    except TRANSIENT as exc:
        if _may_retry(self, job_id, exc):
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
        raise
    except Exception as exc:
        scoring.scoring_record_failure(job_id=job_id, error=_describe(exc), retryable=False)
        raise
    return str(run.pk) if run else None


def _may_retry(task, job_id: str, exc: BaseException) -> bool:
    retryable = task.request.retries < task.max_retries
    try:
        return scoring.scoring_record_failure(job_id=job_id, error=_describe(exc),
                                              retryable=retryable)
    except DatabaseError:
        # The database is still away, so the failure cannot be noted: the attempt count
        # written before the work bounds the tries once it is back (a job left dispatched
        # is swept again and refused past MAX_ATTEMPTS).
        return retryable


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


@shared_task(name=dispatch.SCORING_SWEEP, ignore_result=True)
def scoring_sweep_task() -> int:
    return outbox.scoring_sweep()
