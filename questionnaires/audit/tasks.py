"""The audit trail's periodic task: sign each chain's head (celery beat, every few minutes)."""

from __future__ import annotations

from celery import shared_task

from questionnaires.audit.services import audit_checkpoint
from questionnaires.core import dispatch
from questionnaires.core.tasks import DB_RETRY


@shared_task(name=dispatch.AUDIT_CHECKPOINT, ignore_result=True, **DB_RETRY)
def audit_checkpoint_task() -> int:
    return len(audit_checkpoint())
