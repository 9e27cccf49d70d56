"""The embedded scheduler (manage.py run_scheduler): settings.CELERY_BEAT_SCHEDULE's tasks,
by their names, on celery's own intervals and crontabs, each once per period, one
scheduler at a time."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from questionnaires.core import dispatch
from questionnaires.management.scheduler import EmbeddedScheduler, SchedulerBusy, scheduler_lock

UTC = datetime.UTC
INTERVAL_TASKS = {dispatch.SCORING_SWEEP, dispatch.REPORT_SWEEP, dispatch.SEND_REMINDERS,
                  dispatch.AUDIT_CHECKPOINT}


class Clock:
    """The "now" the scheduler and celery's schedule objects read; moved by the test."""

    def __init__(self, start: datetime.datetime):
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += datetime.timedelta(**delta)


def scheduler_at(start: datetime.datetime, *, run=None) -> tuple[EmbeddedScheduler, Clock, list]:
    clock, ran = Clock(start), []

    def record(name: str):
        ran.append(name)
        return 0

    return EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE, clock=clock,
                             run=run or record), clock, ran


def ran_after(scheduler: EmbeddedScheduler, ran: list) -> list:
    before = len(ran)
    scheduler.tick()
    return ran[before:]


def test_it_schedules_every_beat_entry_by_its_task_name():
    scheduler, _, _ = scheduler_at(datetime.datetime(2030, 6, 10, 10, 5, tzinfo=UTC))
    assert {entry.name: entry.task for entry in scheduler.entries} == {
        name: spec["task"] for name, spec in settings.CELERY_BEAT_SCHEDULE.items()}


def test_interval_tasks_run_at_start_then_once_per_period_never_twice():
    scheduler, clock, ran = scheduler_at(datetime.datetime(2030, 6, 10, 10, 5, tzinfo=UTC))
    assert sorted(ran_after(scheduler, ran)) == sorted(INTERVAL_TASKS)
    clock.advance(seconds=1)
    assert ran_after(scheduler, ran) == []
    clock.advance(seconds=58)
    assert ran_after(scheduler, ran) == []  # 59 s: no minute has passed
    clock.advance(seconds=1)
    assert sorted(ran_after(scheduler, ran)) == [dispatch.REPORT_SWEEP, dispatch.SCORING_SWEEP]
    assert ran_after(scheduler, ran) == []  # the same instant again: nothing twice
    for _ in range(59):
        clock.advance(seconds=60)
        scheduler.tick()
    assert ran.count(dispatch.SEND_REMINDERS) == 2  # at start, and one hour later
    assert ran.count(dispatch.SCORING_SWEEP) == 61
    assert ran.count(dispatch.AUDIT_CHECKPOINT) == 13  # at start, then every 5 minutes


def test_crontab_tasks_wait_for_their_time_and_run_once_there():
    scheduler, clock, ran = scheduler_at(datetime.datetime(2030, 6, 10, 10, 5, tzinfo=UTC))
    scheduler.tick()
    assert dispatch.ISSUE_DUE_REASSESSMENTS not in ran  # due at minute 20, not at start
    clock.now = datetime.datetime(2030, 6, 10, 10, 20, tzinfo=UTC)
    assert dispatch.ISSUE_DUE_REASSESSMENTS in ran_after(scheduler, ran)
    clock.advance(seconds=30)
    assert dispatch.ISSUE_DUE_REASSESSMENTS not in ran_after(scheduler, ran)
    clock.now = datetime.datetime(2030, 6, 10, 11, 20, 1, tzinfo=UTC)
    assert dispatch.ISSUE_DUE_REASSESSMENTS in ran_after(scheduler, ran)
    assert dispatch.WARN_EXPIRING_EVIDENCE not in ran
    clock.now = datetime.datetime(2030, 6, 11, 6, 30, tzinfo=UTC)
    assert ran_after(scheduler, ran).count(dispatch.WARN_EXPIRING_EVIDENCE) == 1
    clock.advance(minutes=1)
    assert dispatch.WARN_EXPIRING_EVIDENCE not in ran_after(scheduler, ran)


def test_the_wait_until_the_next_check_is_bounded_by_the_nearest_due_task():
    scheduler, clock, _ = scheduler_at(datetime.datetime(2030, 6, 10, 10, 5, tzinfo=UTC))
    first = scheduler.tick()
    assert 0.5 <= first <= 30  # never longer than MAX_SLEEP, so a clock jump is noticed
    clock.advance(seconds=59.5)
    assert scheduler.tick() == pytest.approx(0.5)


def test_a_failing_task_does_not_stop_the_others_and_runs_again_next_period(caplog):
    calls = []

    def run(name):
        calls.append(name)
        if name == dispatch.SCORING_SWEEP:
            raise RuntimeError("database went away")
        return 1

    scheduler, clock, _ = scheduler_at(datetime.datetime(2030, 6, 10, 10, 5, tzinfo=UTC),
                                       run=run)
    scheduler.tick()
    assert set(calls) == INTERVAL_TASKS
    assert "scoring-outbox-sweep failed" in caplog.text
    clock.advance(seconds=1)
    scheduler.tick()
    assert calls.count(dispatch.SCORING_SWEEP) == 1  # not retried in a tight loop
    clock.advance(seconds=60)
    scheduler.tick()
    assert calls.count(dispatch.SCORING_SWEEP) == 2


def test_an_unknown_task_name_in_the_schedule_is_refused_naming_the_entry():
    with pytest.raises(ValueError, match=r"CELERY_BEAT_SCHEDULE\['typo'\].task"):
        EmbeddedScheduler({"typo": {"task": "questionnaires.tasks.nope", "schedule": 60.0}})


def test_only_one_scheduler_holds_the_lock(tmp_path):
    lock = tmp_path / "scheduler.lock"
    with scheduler_lock(lock, wait=False):
        with pytest.raises(SchedulerBusy), scheduler_lock(lock, wait=False):
            pass
        with pytest.raises(CommandError, match="another scheduler holds"):
            call_command("run_scheduler", "--once", "--lock", str(lock))
    with scheduler_lock(lock, wait=False):  # released when its holder ends
        pass


@pytest.mark.django_db
def test_the_scheduler_sends_a_due_reminder_once(buyer, vendor, mailoutbox, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    """The real tasks, eagerly, as run_scheduler runs them where there is no broker: an
    assessment issued ten days ago and due in three gets its reminder on the first round,
    and not again an hour later."""
    from diligence.celery import app
    from questionnaires.assessments.models import Invitation
    from tests.support.portal import SMALL_SPEC, issue, spec_template

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # no broker, as in make run
    # Between rounds the scheduler drops connections as Django does between requests; the
    # test's connection holds its open transaction, which Django's test client keeps too.
    monkeypatch.setattr("questionnaires.management.scheduler.close_old_connections",
                        lambda: None)
    template = spec_template(SMALL_SPEC, buyer.organization)
    issued = issue(organization=buyer.organization, vendor=vendor, template=template,
                   by=buyer.user, days=3)
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=10))
    mailoutbox.clear()  # the invitation itself
    clock = Clock(timezone.now())
    scheduler = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE, clock=clock)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.tick()
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([issued.invitation.email],
         f'Reminder: "{template.name}" for {buyer.organization.name} is due in 3 days')]
    issued.invitation.refresh_from_db()
    assert "3d" in issued.invitation.reminders_sent
    clock.advance(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.tick()
    assert len(mailoutbox) == 1  # the hourly rerun sends nothing twice


def test_only_runs_that_did_something_are_logged_at_info(caplog):
    results = {dispatch.SCORING_SWEEP: 0, dispatch.REPORT_SWEEP: {"dispatched": 0, "failed": 0},
               dispatch.SEND_REMINDERS: 1}
    scheduler, _, _ = scheduler_at(datetime.datetime(2030, 6, 10, 10, 5, tzinfo=UTC),
                                   run=results.__getitem__)
    with caplog.at_level("INFO", logger="questionnaires.management.scheduler"):
        scheduler.tick()
    assert [r.getMessage() for r in caplog.records if r.levelname == "INFO"] == [
        "scheduler: portal-reminders -> 1"]
