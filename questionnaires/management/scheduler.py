"""The embedded scheduler: celery beat's periodic work for a deployment with no broker.

Without REDIS_URL there is no worker and no beat, yet reminders, reassessments, evidence
warnings and the outbox sweeps must still run. `manage.py run_scheduler` runs beside the
web server and calls the tasks of settings.CELERY_BEAT_SCHEDULE, by the same names and on
the same intervals and crontabs (celery's own schedule objects decide what is due),
in-process. A file lock keeps it to one scheduler per DILIGENCE_VAR_DIR.

An interval task that never ran in this process is due at once (every periodic task is
idempotent and made to catch up after downtime); a crontab task waits for its time.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import fcntl
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from celery.schedules import BaseSchedule, maybe_schedule
from django.db import close_old_connections
from django.utils import timezone

from questionnaires.core import dispatch

logger = logging.getLogger(__name__)
# The longest the loop sleeps: a wall-clock jump (a suspended laptop) is noticed this soon.
MAX_SLEEP = 30.0


class SchedulerBusy(RuntimeError):
    """Another scheduler holds the lock."""


@contextlib.contextmanager
def scheduler_lock(path: Path, *, wait: bool) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the block. With wait=False a held lock raises
    SchedulerBusy at once; with wait=True this blocks until the holder exits (it is freed
    by the kernel when that process dies, however it dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise SchedulerBusy(f"another scheduler holds {path}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_task(name: str) -> object:
    """Call a registered task in this process (eagerly) and return its result."""
    # A long-lived process: drop connections the database closed meanwhile, as Django
    # does around each request.
    close_old_connections()
    try:
        return dispatch.task(name).apply(throw=True).get()
    finally:
        close_old_connections()


@dataclass
class Entry:
    name: str
    task: str
    schedule: BaseSchedule
    last_run_at: datetime.datetime | None = None

    def due(self, now: datetime.datetime) -> tuple[bool, float]:
        """(due now, seconds until it should be checked again), celery's own answer."""
        if self.last_run_at is None:
            if _is_interval(self.schedule):
                return True, self.schedule.run_every.total_seconds()
            # A crontab measures from a last run: from now, so it waits for its next time.
            self.last_run_at = now
        return self.schedule.is_due(self.last_run_at)


def _is_interval(schedule: BaseSchedule) -> bool:
    return hasattr(schedule, "run_every")


@dataclass
class EmbeddedScheduler:
    """settings.CELERY_BEAT_SCHEDULE, run in this process. `clock` is what celery's
    schedules read as "now" (timezone-aware), so the loop and its tests share one clock."""

    beat_schedule: dict
    clock: Callable[[], datetime.datetime] = timezone.now
    run: Callable[[str], object] = run_task
    entries: list[Entry] = field(init=False)

    def __post_init__(self) -> None:
        self.entries = [self._entry(name, spec) for name, spec in self.beat_schedule.items()]

    def _entry(self, name: str, spec: dict) -> Entry:
        schedule = copy.copy(maybe_schedule(spec["schedule"]))
        schedule.nowfun = self.clock
        if spec["task"] not in dispatch.NAMES:
            raise ValueError(f"CELERY_BEAT_SCHEDULE[{name!r}].task: unknown task "
                             f"{spec['task']!r}")
        return Entry(name=name, task=spec["task"], schedule=schedule)

    def tick(self) -> float:
        """Run every entry due now, once each; return the seconds until the next check."""
        now = self.clock()
        waits = []
        for entry in self.entries:
            is_due, wait = entry.due(now)
            if is_due:
                self._run(entry)
                entry.last_run_at = now
                is_due, wait = entry.due(now)
            waits.append(wait)
        return max(0.5, min([MAX_SLEEP, *waits]))

    def _run(self, entry: Entry) -> None:
        try:
            result = self.run(entry.task)
        except Exception:
            # One failing task must not stop the others; it runs again next period.
            logger.exception("scheduler: %s failed", entry.name)
            return
        # A line when a task did something (sent reminders, dispatched a job); the quiet
        # runs, every minute for the sweeps, only at DEBUG.
        log = logger.info if did_work(result) else logger.debug
        log("scheduler: %s -> %s", entry.name, result)


def did_work(result: object) -> bool:
    """A task's result says it did something: a non-zero count, or a mapping of counts
    with any non-zero ({"dispatched": 0, "failed": 0} is a quiet run)."""
    if isinstance(result, dict):
        return any(result.values())
    return bool(result)
