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

import os
import resource
import subprocess
import sys
from collections.abc import Sequence
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
