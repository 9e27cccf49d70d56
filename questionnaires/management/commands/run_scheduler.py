"""manage.py run_scheduler: the periodic tasks, in-process, where there is no celery beat."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questionnaires.management.scheduler import EmbeddedScheduler, SchedulerBusy, scheduler_lock


class Command(BaseCommand):
    help = ("Run settings.CELERY_BEAT_SCHEDULE's tasks in this process, on their intervals "
            "and crontabs: the scheduler of a deployment with no Redis (make run starts it). "
            "One per DILIGENCE_VAR_DIR: a second one waits for the first to stop.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="run what is due now, then exit (refused while another runs)")
        parser.add_argument("--lock", type=Path, default=None,
                            help="the lock file (default: DILIGENCE_VAR_DIR/scheduler.lock)")
        parser.add_argument("--ready-file", type=Path, default=None,
                            help="written once the first round of due tasks has run (make run "
                                 "waits for it, so their output comes before its last lines)")

    def handle(self, *args, once: bool, lock: Path | None, ready_file: Path | None, **options):
        # Celery logs every task it runs at INFO; the scheduler logs the runs that did
        # something, so its minutely sweeps do not fill the terminal.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        lock = lock or Path(settings.VAR_DIR) / "scheduler.lock"
        self.ready_file = ready_file
        scheduler = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE)
        try:
            with scheduler_lock(lock, wait=False):
                self._run(scheduler, once=once)
                return
        except SchedulerBusy as busy:
            if once:
                raise CommandError(str(busy)) from None
            self.stdout.write(f"Scheduler: {busy}; waiting to take over when it stops")
        with scheduler_lock(lock, wait=True):
            self._run(scheduler, once=False)

    def _run(self, scheduler: EmbeddedScheduler, *, once: bool) -> None:
        if once:
            scheduler.tick()
        else:
            self._loop(scheduler)

    def _loop(self, scheduler: EmbeddedScheduler) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        wait = scheduler.tick()
        if self.ready_file is not None:
            self.ready_file.write_text("ready\n")
        while not stop.is_set():
            # Waiting on the event, not sleeping: a stop signal ends the wait at once.
            stop.wait(wait)
            if not stop.is_set():
                wait = scheduler.tick()
