"""Shared task settings, the worker heartbeat, and sending email from templates/emails/."""

from __future__ import annotations

import socket

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError
from django.template.loader import render_to_string

from questionnaires.audit.services import audit_record
from questionnaires.core import dispatch

# Database hiccups are retried with backoff; anything else is a bug and fails visibly.
DB_RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 2, "retry_backoff_max": 60,
            "max_retries": 3}
BACKOFF_FACTOR = 2  # seconds before the first retry, doubling after
BACKOFF_MAX = 60  # far below the broker's visibility timeout, so a retry is never doubled


def retry_countdown(retries: int) -> float:
    """Seconds before the next try: exponential with full jitter, so the retries of many
    tasks that failed together (the database went away) do not all come back together."""
    return get_exponential_backoff_interval(BACKOFF_FACTOR, retries, BACKOFF_MAX,
                                            full_jitter=True)


@shared_task(name=dispatch.WORKER_HEARTBEAT, **DB_RETRY)
def worker_heartbeat(marker: str) -> str:
    """Proves a worker is alive end to end: it writes to the database the web reads."""
    hostname = socket.gethostname()
    audit_record(organization=None, action="worker.heartbeat", actor_label=f"worker {hostname}",
                 data={"marker": marker})
    return hostname


@shared_task(name=dispatch.PING)
def ping() -> str:
    """Does nothing: its round trip (broker, worker, result store) is what every task pays
    on top of its own work, the floor bench/bench_submit_to_score.py measures against."""
    return "pong"


# ignore_result: nothing reads it, and with Redis down storing it would hang the caller.
@shared_task(name=dispatch.SEND_EMAIL, autoretry_for=(OSError,), retry_backoff=5, max_retries=5, ignore_result=True)
def send_email(recipients: list[str], template: str, context: dict) -> int:
    subject = render_to_string(f"{template}_subject.txt", context).strip().replace("\n", " ")
    body = render_to_string(f"{template}_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
