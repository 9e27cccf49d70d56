"""A redis-server of a test's own: started, stopped, paused and restarted by the test.

The queue-fault tests kill workers and take the broker down. On the shared Redis that would
cut off every other test run using it (and the session's worker would take these tests'
tasks and make the timing of a kill meaningless); on a private instance nothing else is
touched, and the broker can be stopped or paused for real, not imitated.
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

from tests.support.waiting import wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """One redis-server process on a free port, without persistence (like the shared one):
    stopping it loses whatever it held, exactly what the outboxes must survive."""

    def __init__(self, log: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not on PATH (make services installs and starts it)")
        self.binary, self.log, self.port = binary, log, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.paused = False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        wait_for(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()  # a stopped process would keep SIGTERM pending
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel completes them) but
        nothing answers - a frozen machine, or a partition that drops packets."""
        assert self.running, "pause a running redis-server"
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.paused and self.running:
            os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

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

    def in_flight(self, task: str) -> int:
        """Messages of `task` taken by a worker and not yet acknowledged."""
        return len(self.in_flight_tags(task))

    def in_flight_tags(self, task: str) -> set[str]:
        """The delivery tags of those messages (a redelivered message gets a new one)."""
        return {tag.decode() for tag, raw in self.client().hgetall("unacked").items()
                if _task_of(json.loads(raw)[0]) == task}

    def restore(self, tags: set[str]) -> None:
        """Put unacknowledged messages back on their queue with kombu's own restore, as a
        live worker does once their visibility timeout passed."""
        from diligence.celery import app

        with app.connection_for_write() as connection:
            qos = connection.default_channel.qos
            for tag in tags:
                qos.restore_by_tag(tag)

    def queued(self, task: str, queue: str = "celery") -> int:
        """Messages of `task` waiting in `queue` (a submission also queues emails)."""
        return sum(_task_of(raw) == task for raw in self.client().lrange(queue, 0, -1))


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
