"""Untrusted work runs in a bounded child process: this module is how, for every caller.

Two things parse hostile bytes: pypdf, on an uploaded evidence PDF (in a web request), and
WeasyPrint, on a report whose text vendors wrote (in a worker). Each runs in a child with a
CPU limit, an address-space cap and a deadline the parent enforces, and none of the
server's secrets. The primitives here are shared; the two ways of starting a child are:

- `run_module`: a new interpreter (`python -m module`). For web processes: gunicorn's
  gthread workers are multi-threaded, and a forked child inherits locks (the import lock,
  logging's) that another thread may hold at that moment; subprocess's preexec_fn runs in
  such a child too. It costs an interpreter start (about 120 ms for the PDF probe).
- a fork (reports/render.py): for a Celery prefork child, which is single-threaded, so a
  fork is safe and keeps WeasyPrint's fonts and imports warm (a fresh interpreter would
  add about a second to every report).

Either child calls `lower_limit` on itself before touching the input. This module imports no
Django, so a child importing it stays free of the server's settings and secrets."""

from __future__ import annotations

import io
import math
import os
import resource
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# `python -m` finds the package from the working directory: the project root.
ROOT = Path(__file__).resolve().parents[2]
EXIT_OUT_OF_MEMORY = 3
MB = 1024 * 1024
# The child parses hostile bytes: it gets none of the server's secrets (SECRET_KEY, database
# URLs), only what finding Python and its packages may need.
CHILD_ENVIRONMENT = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "PYTHONDONTWRITEBYTECODE")


def lower_limit(which: int, soft: int, hard: int) -> None:
    """Lower a resource limit of this process, never above the hard limit it started under."""
    _, ceiling = resource.getrlimit(which)
    if ceiling != resource.RLIM_INFINITY:
        soft, hard = min(soft, ceiling), min(hard, ceiling)
    resource.setrlimit(which, (soft, hard))


def run_module(module: str, argv: Sequence[str], data: bytes, *,
               seconds: float) -> subprocess.CompletedProcess:
    """Run `python -m module argv...` with `data` on stdin and a clean environment; its
    completed process. Raises subprocess.TimeoutExpired after `seconds` (the child is
    killed and reaped by then)."""
    environment = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
    return subprocess.run([sys.executable, "-m", module, *argv], input=data,
                          capture_output=True, timeout=seconds, cwd=ROOT, env=environment,
                          check=False)


# --- Forked children ----------------------------------------------------------------------------
OK, ERROR = b"K", b"E"  # the first byte a forked child writes: its work's bytes, or a reason
CPU_GRACE = 5  # seconds of CPU past the deadline before the kernel stops an orphaned child
_CHUNK = 1 << 16


class ChildFailed(Exception):
    """Raised by a forked child's work to report a reason (sent back word for word)."""


@dataclass(frozen=True)
class Forked:
    payload: bytes | None  # OK or ERROR, then the bytes; None when the deadline passed
    status: int  # as os.wait4 gives it
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float


def run_forked(work: Callable[[], bytes], *, seconds: float, memory_mb: int,
               out_of_memory: str) -> Forked:
    """Run `work` in a forked child that may add at most `memory_mb` of address space to
    what the parent maps, and is killed at `seconds`. Only for single-threaded parents (a
    Celery prefork child), where a fork inherits no lock another thread holds.

    Any exception raised here while waiting (a Celery soft time limit) kills the child
    first, so nothing is left running."""
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, write the result to the pipe, never return
        os.close(read_fd)
        _child(work, write_fd, memory_mb, seconds, out_of_memory)
    os.close(write_fd)
    try:
        payload = _collect(read_fd, deadline=started + seconds)
    except BaseException:
        _reap(pid, kill=True)
        raise
    finally:
        os.close(read_fd)
    status, usage = _reap(pid, kill=payload is None)
    return Forked(payload, status, time.monotonic() - started,
                  usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _child(work: Callable[[], bytes], write_fd: int, memory_mb: int, seconds: float,
           out_of_memory: str) -> None:
    # Built before the cap is set, so that reporting a lack of memory needs none.
    no_memory = ERROR + out_of_memory.encode()
    kind, body = ERROR, b"the child failed unexpectedly"
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        # A cap on address space relative to what the parent already maps: fonts and
        # libraries are mapped already, so the budget is what the work itself may add.
        limit = _address_space() + memory_mb * MB
        lower_limit(resource.RLIMIT_AS, limit, limit)
        # The parent kills us at the deadline; should the parent itself be killed first (a
        # hard task time limit), the kernel still stops us once the CPU time runs out.
        cpu = math.ceil(seconds) + CPU_GRACE
        lower_limit(resource.RLIMIT_CPU, cpu, cpu + CPU_GRACE)
        try:
            kind, body = OK, work()
        except MemoryError:
            kind, body = no_memory[:1], no_memory[1:]
        except ChildFailed as exc:
            kind, body = ERROR, str(exc).encode()
    except MemoryError:
        kind, body = no_memory[:1], no_memory[1:]
    except BaseException:  # noqa: S110 - the parent reports "failed unexpectedly"
        pass
    try:
        _write_all(write_fd, kind)
        _write_all(write_fd, body)
    finally:
        os._exit(0 if kind == OK else 1)  # skip atexit and the parent's cleanup: not ours


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:_CHUNK]):]


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _collect(read_fd: int, *, deadline: float) -> bytes | None:
    """Everything the child writes, or None if it is not done by `deadline`."""
    buffer = io.BytesIO()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(read_fd, _CHUNK)
        if not chunk:
            return buffer.getvalue()
        buffer.write(chunk)


def _reap(pid: int, *, kill: bool) -> tuple[int, resource.struct_rusage]:
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status, usage = os.wait4(pid, 0)
    return status, usage
