"""Scoring tasks: exactly once per (assessment, answers digest, engine version)."""

from __future__ import annotations

from celery import shared_task

from ..services import scoring
from .base import DB_RETRY


@shared_task(acks_late=True, reject_on_worker_lost=True, **DB_RETRY)
def score_assessment(job_id: str) -> str | None:
    run = scoring.scoring_run(job_id=job_id)
    return str(run.pk) if run else None


@shared_task
def scoring_sweep_task() -> int:
    return scoring.scoring_sweep()
