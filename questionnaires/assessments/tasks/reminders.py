"""Due-date reminders to respondents, run daily by celery beat."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from questionnaires.assessments.services.reminders import reminders_send
from questionnaires.core import dispatch
from questionnaires.core.tasks import DB_RETRY


@shared_task(name=dispatch.SEND_REMINDERS, **DB_RETRY)
def send_reminders() -> int:
    """Idempotent: each reminder kind is recorded on its invitation when queued."""
    return reminders_send(today=timezone.localdate())
