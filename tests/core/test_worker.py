"""A real Celery worker on Redis runs a task and its result reaches PostgreSQL."""

import uuid

import pytest

from questionnaires.audit.models import AuditEvent
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_a_task_and_its_write_reaches_postgresql(celery_worker_process):
    from questionnaires.core.tasks import worker_heartbeat

    marker = uuid.uuid4().hex
    result = worker_heartbeat.delay(marker)
    hostname = result.get(timeout=30)
    event = wait_for(lambda: AuditEvent.objects.filter(data__marker=marker).first(),
                     what="the heartbeat event in PostgreSQL")
    assert event.actor_label == f"worker {hostname}"
    from django.db import connection

    assert connection.vendor == "postgresql"
