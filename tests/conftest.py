"""Shared fixtures: the actors every tenancy test needs, API clients, and the real services.

Services: tests marked `services` need PostgreSQL, Redis and a Celery worker. Under CI=true
a missing service fails the run; elsewhere those tests are skipped and the session says so
loudly at the end.
"""

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

ROOT = Path(__file__).resolve().parent.parent
# Fixtures every folder shares; the folders' conftest files keep only their own.
pytest_plugins = ["tests.support.workspace_fixtures"]
IN_CI = os.environ.get("CI", "").lower() == "true"
_SKIPPED_FOR_SERVICES: list[str] = []


def services_missing() -> list[str]:
    if not settings.configured:  # pure tests run with -p no:django
        return []
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL")
    if not settings.REDIS_URL:
        missing.append("Redis")
    return missing


def pytest_collection_modifyitems(config, items):
    missing = services_missing()
    if not missing:
        return
    if IN_CI:
        raise pytest.UsageError(
            f"CI=true but {', '.join(missing)} is not reachable: the suite must run against "
            "the real services (make test starts them when installed)")
    marker = pytest.mark.skip(reason=f"needs {', '.join(missing)} (not running here)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(marker)
            _SKIPPED_FOR_SERVICES.append(item.nodeid)


def pytest_terminal_summary(terminalreporter):
    if _SKIPPED_FOR_SERVICES:
        terminalreporter.write_sep("!", "SKIPPED: real services missing", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_SKIPPED_FOR_SERVICES)} tests did not run because "
            f"{', '.join(services_missing())} is missing. Install and start them, then run "
            "`make test` again.", red=True)


@pytest.fixture(autouse=True)
def audit_checkpoints_of_this_test(monkeypatch, tmp_path_factory):
    """Each test its own audit checkpoint file: the file outlives the test's database rows,
    and checkpoints of chains rolled back with another test would read as chains deleted."""
    if settings.configured:
        base = tmp_path_factory.getbasetemp() / "audit-checkpoints"
        monkeypatch.setattr(settings, "AUDIT_CHECKPOINT_DIR", base / str(time.monotonic_ns()))


# --- Actors ----------------------------------------------------------------------------------
@pytest.fixture
def buyer_org(db):
    from tests.support.factories import OrganizationFactory

    return OrganizationFactory(name="Acme Labs")


@pytest.fixture
def buyer(buyer_org):
    """An admin of the buyer organisation."""
    from tests.support.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="admin", user__username="alice")


@pytest.fixture
def colleague(buyer_org):
    """A reviewer in the same organisation as `buyer`."""
    from tests.support.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="reviewer", user__username="rob")


@pytest.fixture
def compliance(buyer_org):
    """A compliance officer: reads everything of the organisation, changes nothing."""
    from tests.support.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="compliance", user__username="cora")


@pytest.fixture
def outsider(db):
    """An admin of another buyer organisation, who must see nothing of Acme Labs."""
    from tests.support.factories import MembershipFactory, OrganizationFactory

    return MembershipFactory(organization=OrganizationFactory(name="Orbital Dynamics"),
                             role="admin", user__username="mallory")


@pytest.fixture
def vendor(buyer_org):
    from tests.support.factories import VendorFactory

    return VendorFactory(organization=buyer_org, name="LabelWorks")


def api_client_for(membership):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    if membership is not None:
        token, _ = Token.objects.get_or_create(user=membership.user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(buyer):
    return api_client_for(buyer)


@pytest.fixture
def outsider_api(outsider):
    return api_client_for(outsider)


@pytest.fixture
def anonymous_api():
    from rest_framework.test import APIClient

    return APIClient()


# --- Real services ---------------------------------------------------------------------------
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


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.05, what: str = ""):
    """Poll until predicate() is truthy; fail with `what` after timeout. Synchronises on an
    observable outcome, never on a guessed duration."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


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
