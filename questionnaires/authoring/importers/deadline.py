"""A deadline for one import, checked in the importers' loops.

Each loop is bounded (rows, cells, tokens), but their product and the checks after them
still add up: a hostile file could hold a web worker past the server's timeout. The caller
opens ``import_deadline(seconds)`` around an import; ``check_deadline(where)`` in a loop
then refuses the file, saying where reading had got to, once the time is spent. Outside an
``import_deadline`` it does nothing (exports, tests of one step).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from questionnaires.authoring.importers.errors import Where, fail

# (the monotonic time to stop at, the seconds allowed) of the import under way.
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("import_deadline", default=None)


@contextmanager
def import_deadline(seconds: float) -> Iterator[None]:
    """Everything inside must finish within ``seconds``, or ImportFailed says so."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def deadline_passed() -> bool:
    """Whether the import under way is out of time (for a loop whose location is costly
    to work out: it calls check_deadline only then)."""
    deadline = _DEADLINE.get()
    return deadline is not None and time.monotonic() > deadline[0]


def check_deadline(where: Where | None = None) -> None:
    """Refuse the import, located at ``where``, once its deadline has passed."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise fail(f"reading the file took more than {deadline[1]:g} s, the most an import "
                   "may take; it stopped here. Split the file or remove what is not needed",
                   where=where or {})
