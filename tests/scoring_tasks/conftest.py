"""A broker of these tests' own: a redis-server this test starts, stops and restarts.

The worker tests kill workers and take the broker down. On the shared Redis that would cut
off every other test run using it (and the session's worker would take these tests' tasks
and make the timing of a kill meaningless); on a private instance nothing else is touched,
and the broker can be stopped for real, not imitated.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import wait_for

SCORE_TASK = "questionnaires.tasks.scoring.score_assessment"
# Messages of a killed worker come back after this many seconds instead of the production
# default (four times the hard time limit); the hard limit must stay under it, or settings
# refuse to start. Tasks of these tests take milliseconds.
FAST_REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_TASK_TIME_LIMIT": "5",
                   "CELERY_TASK_SOFT_TIME_LIMIT": "4"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """One redis-server process on a free port, without persistence (like the shared one):
    stopping it loses whatever it held, exactly what the outbox must survive."""

    def __init__(self, log: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not on PATH (make services installs and starts it)")
        self.binary, self.log, self.port = binary, log, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        wait_for(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def in_flight(self, task: str = SCORE_TASK) -> int:
        """Messages of `task` taken by a worker and not yet acknowledged."""
        return sum(_task_of(json.loads(raw)[0]) == task
                   for raw in self.client().hvals("unacked"))

    def queued(self, task: str = SCORE_TASK) -> int:
        """Messages of `task` waiting in the queue (submission also queues emails)."""
        return sum(_task_of(raw) == task for raw in self.client().lrange("celery", 0, -1))


def _task_of(message: bytes | str | dict) -> str:
    body = json.loads(message) if isinstance(message, (bytes, str)) else message
    return body["headers"]["task"]


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """This process's Celery app uses `url` as broker and result store meanwhile, one Redis
    for both as in a deployment (its pools and result backend are rebuilt)."""
    from diligence.celery import app

    saved = (app.conf.broker_url, app.conf.result_backend)

    def switch(broker: str, results: str) -> None:
        # Only let go of the pools: kombu keeps them in a registry by broker URL, and the
        # shared broker's pool must still work when this process switches back to it.
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url, app.conf.result_backend = broker, results
        app._backend = app._get_backend()

    switch(url, url)
    try:
        yield
    finally:
        switch(*saved)


@pytest.fixture
def private_broker(settings, tmp_path, monkeypatch) -> Iterator[PrivateRedis]:
    """A running private Redis that this process publishes to and that workers started with
    `start_worker` consume from, with a short redelivery horizon."""
    redis = PrivateRedis(tmp_path / "redis.log")
    redis.start()
    settings.REDIS_URL = redis.url  # worker_env hands it to the workers
    for name, value in FAST_REDELIVERY.items():
        monkeypatch.setenv(name, value)
    try:
        with broker_at(redis.url):
            yield redis
    finally:
        redis.stop()


@pytest.fixture
def no_invitation_email(monkeypatch):
    """Issuing emails each respondent after commit; these tests are about scoring."""
    from questionnaires.services import assessments

    monkeypatch.setattr(assessments, "email_later", lambda **kwargs: None)


def pool_processes(pid: int) -> list[int]:
    """The worker's children (its prefork pool), read from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool at once, as when its machine or container dies: the
    tasks running die mid-transaction and nothing is acknowledged."""
    pids = [process.pid, *pool_processes(process.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)
