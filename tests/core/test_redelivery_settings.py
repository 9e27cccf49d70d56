"""CELERY_VISIBILITY_TIMEOUT: how soon Redis gives a dead worker's tasks to another one.
It must exceed the hard time limit, or a task still running would be delivered twice."""

from __future__ import annotations

from tests.core.test_settings import start_django


def test_a_visibility_timeout_not_above_the_hard_time_limit_fails_start_up():
    result = start_django(CELERY_VISIBILITY_TIMEOUT="180", CELERY_TASK_TIME_LIMIT="180")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CELERY_VISIBILITY_TIMEOUT: must exceed CELERY_TASK_TIME_LIMIT (180)" in result.stderr


def test_a_short_visibility_timeout_with_a_shorter_time_limit_starts():
    result = start_django(CELERY_VISIBILITY_TIMEOUT="6", CELERY_TASK_TIME_LIMIT="5",
                          CELERY_TASK_SOFT_TIME_LIMIT="4",
                          DATABASE_URL="sqlite:////tmp/diligence-settings-test.sqlite3")
    assert result.returncode == 0, result.stderr


def test_abandoned_tasks_are_looked_for_ten_times_per_visibility_timeout():
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.CELERY_VISIBILITY_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT
    assert options["unacked_restore_interval"] * 10 <= settings.CELERY_VISIBILITY_TIMEOUT
