"""The root of the suite: the shared fixtures as plugins (tests/support/), and what happens
when the real services are missing.

Services: tests marked `services` need PostgreSQL, Redis and a Celery worker. Under CI=true
a missing service fails the run; elsewhere those tests are skipped and the session says so
loudly at the end.
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings

from tests.support.workers import services_missing

# Fixtures every folder shares; the folders' conftest files keep only their own.
pytest_plugins = ["tests.support.actors", "tests.support.workers",
                  "tests.support.assessments_fixtures", "tests.support.hypothesis_profiles"]
IN_CI = os.environ.get("CI", "").lower() == "true"
_SKIPPED_FOR_SERVICES: list[str] = []


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
