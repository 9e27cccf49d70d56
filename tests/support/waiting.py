"""Synchronising on an observable outcome, never on a guessed duration."""

from __future__ import annotations

import time


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
