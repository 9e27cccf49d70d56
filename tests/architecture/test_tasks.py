"""Queued work is addressed by stable task names (questionnaires/core/dispatch.py)."""

from __future__ import annotations

from django.conf import settings

from diligence.celery import app
from questionnaires.core import dispatch


def test_every_dispatch_name_is_a_registered_task_and_every_task_has_one():
    ours = {name for name in app.tasks if name.startswith("questionnaires.")}
    assert ours == set(dispatch.NAMES)


def test_the_beat_schedule_names_registered_tasks():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in dispatch.NAMES, entry
        assert entry["task"] in app.tasks


def test_names_did_not_change_with_the_layout():
    """Messages in flight and django-celery-beat rows from before the domain packages keep
    working: the names are the ones the first layout gave."""
    assert dispatch.SCORE == "questionnaires.tasks.scoring.score_assessment"
    assert dispatch.RENDER_REPORT == "questionnaires.tasks.reports.render_report"
    assert dispatch.SEND_EMAIL == "questionnaires.tasks.email.send_email"
