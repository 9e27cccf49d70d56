"""Shared fixtures: the actors every tenancy test needs, API clients, and the real services.

Services: tests marked `services` need PostgreSQL, Redis and a Celery worker. Under CI=true
a missing service fails the run; elsewhere those tests are skipped and the session says so
loudly at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
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


# --- Actors ----------------------------------------------------------------------------------
@pytest.fixture
def buyer_org(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(name="Acme Labs")


@pytest.fixture
def buyer(buyer_org):
    """An admin of the buyer organisation."""
    from tests.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="admin", user__username="alice")


@pytest.fixture
def colleague(buyer_org):
    """A reviewer in the same organisation as `buyer`."""
    from tests.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="reviewer", user__username="rob")


@pytest.fixture
def compliance(buyer_org):
    """A compliance officer: reads everything of the organisation, changes nothing."""
    from tests.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="compliance", user__username="cora")


@pytest.fixture
def outsider(db):
    """An admin of another buyer organisation, who must see nothing of Acme Labs."""
    from tests.factories import MembershipFactory, OrganizationFactory

    return MembershipFactory(organization=OrganizationFactory(name="Orbital Dynamics"),
                             role="admin", user__username="mallory")


@pytest.fixture
def vendor(buyer_org):
    from tests.factories import VendorFactory

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
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "diligence", "worker", "--loglevel=INFO",
         f"--concurrency={concurrency}", "-Q", queues, "--without-heartbeat",
         "--without-mingle", "--without-gossip", "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=worker_env(mail_dir), stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited at start-up:\n{log.read_text()}")
        if app.control.ping(timeout=0.5):
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
