"""Reassessment on cadence and evidence expiry warnings, run by celery beat.

Both are idempotent (see assessments/services/reassessment.py), so a retry, a rerun or two beat
processes never issue two assessments or send a warning twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from questionnaires.assessments.services.reassessment import (
    evidence_expiry_notify,
    reassessment_issue_due,
)
from questionnaires.core import dispatch
from questionnaires.core.tasks import DB_RETRY


@shared_task(name=dispatch.ISSUE_DUE_REASSESSMENTS, **DB_RETRY)
def issue_due_reassessments() -> int:
    return len(reassessment_issue_due(today=timezone.localdate()))


@shared_task(name=dispatch.WARN_EXPIRING_EVIDENCE, **DB_RETRY)
def warn_expiring_evidence() -> int:
    return evidence_expiry_notify(today=timezone.localdate())
