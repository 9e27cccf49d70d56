"""The real services: a Celery worker subprocess on the test database, a private Redis of
a test's own as broker, killing workers as a machine dies, and holding table locks.
Registered as a plugin in tests/conftest.py; the helpers are imported by the tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.paths import ROOT


def services_missing() -> list[str]:
    """What of PostgreSQL and Redis this run does not have."""
    if not settings.configured:  # pure tests run with -p no:django
        return []
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL")
    if not settings.REDIS_URL:
        missing.append("Redis")
    return missing


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` subprocess on the test database and a private Redis database.

    Tests that use it must be `django_db(transaction=True)`: the worker sees only committed
    rows. The fixture waits for the worker to answer a ping (a bounded poll, not a sleep).
    """
    if services_missing():
        pytest.skip(f"needs {', '.join(services_missing())}")
    from diligence.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    worker = start_worker(mail_dir=mail_dir)
    yield worker
    stop_worker(worker)


def worker_env(mail_dir: Path) -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"),
        "REDIS_URL": settings.REDIS_URL,
        "DILIGENCE_VAR_DIR": str(settings.VAR_DIR),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    })
    return env


class Worker:
    def __init__(self, process: subprocess.Popen, mail_dir: Path, log: Path):
        self.process, self.mail_dir, self.log = process, mail_dir, log

    def sent_mail(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.mail_dir.glob("*.log")))


def start_worker(*, mail_dir: Path, concurrency: int = 2, queues: str = "celery,reports") -> Worker:
    from diligence.celery import app

    log = mail_dir.parent / f"worker-{time.monotonic_ns()}.log"
    name = f"test-{os.getpid()}-{time.monotonic_ns()}@{socket.gethostname()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "diligence", "worker", "--loglevel=INFO",
         f"--concurrency={concurrency}", "-Q", queues, "--without-heartbeat",
         "--without-mingle", "--without-gossip", "-n", name],
        cwd=ROOT, env=worker_env(mail_dir), stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited at start-up:\n{log.read_text()}")
        # This worker's answer, not any other's on the same broker, and as soon as it
        # comes. A connection of its own, closed after: the reply consumer a ping leaves
        # on a pooled connection would make this process's next publish read it first.
        with app.connection_for_write() as connection:
            if app.control.ping([name], timeout=0.25, limit=1, connection=connection):
                return Worker(process, mail_dir, log)
    process.kill()
    raise RuntimeError(f"celery worker did not answer a ping in 60 s:\n{log.read_text()}")


def stop_worker(worker: Worker) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


def discard_worker(worker: Worker) -> None:
    """The end of a worker on a private Redis once the test has checked its work: killed,
    because a warm shutdown spends about two seconds closing its pool, and what it would
    tidy up (messages it holds) dies with the test's Redis anyway."""
    if worker.process.poll() is None:
        kill_hard(worker.process)




# --- Queue faults: a private Redis and killed workers -----------------------------------------
# Messages of a killed worker come back after this many seconds instead of the production
# default (four times the hard time limit); the hard limit must stay under it, or settings
# refuse to start. Tasks of these tests take milliseconds, a small report about a second.
FAST_REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_TASK_TIME_LIMIT": "5",
                   "CELERY_TASK_SOFT_TIME_LIMIT": "4"}


@pytest.fixture
def private_redis(tmp_path):
    """A running redis-server of this test's own (tests/private_redis.py), gone after it."""
    from tests.support.private_redis import PrivateRedis

    redis = PrivateRedis(tmp_path / "redis.log")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def private_broker(private_redis, settings, monkeypatch):
    """The private Redis as broker, result store and cache of this process and of the
    workers started with `start_worker` (one Redis for all three, as in a deployment),
    with a short redelivery horizon."""
    from tests.support.private_redis import broker_at

    settings.REDIS_URL = private_redis.url  # worker_env hands it to the workers
    settings.CACHES = {"default": {**settings.CACHES["default"],
                                   "LOCATION": private_redis.url}}
    for name, value in FAST_REDELIVERY.items():
        monkeypatch.setenv(name, value)
    with broker_at(private_redis.url):
        yield private_redis


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (a worker's prefork pool, and a report render's child),
    read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the worker and everything under it at once, as when its machine or
    container dies: the tasks running die mid-transaction and nothing is acknowledged."""
    for pid in [process.pid, *descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextlib.contextmanager
def table_locked(model, mode: str = "SHARE"):
    """Hold a lock on `model`'s table from a PostgreSQL connection of its own (the test's
    connection is the one the code under test commits on), until the block ends. SHARE
    lets everything read the table and makes a writer wait: a point where a worker's task
    stops, mid-transaction, for as long as the test needs."""
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                         password=db["PASSWORD"] or None, dbname=db["NAME"]) as side:
        side.execute(f'LOCK TABLE "{model._meta.db_table}" IN {mode} MODE')
        yield
        side.rollback()


def waiting_for_lock(model) -> list[int]:
    """The PostgreSQL backends waiting for a lock on `model`'s table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
                       [model._meta.db_table])
        return [pid for (pid,) in cursor.fetchall()]
