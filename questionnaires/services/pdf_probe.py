"""The pypdf part of the PDF check, run in a short-lived child process with its own limits.

pypdf's own parsing is not bounded: a PDF whose trailer holds one long hex string costs it
about 0.55 s of CPU a megabyte to open, so a 25 MB upload held a web thread for some 14 s, and
anyone holding an invitation can send one. So file_checks.check_pdf_document runs in a child,
`python -m questionnaires.services.pdf_probe SECONDS MEGABYTES`, which caps its own CPU time and
address space before it imports pypdf, reads the PDF on stdin and prints {"refused": null} or
{"refused": "why"}. The parent waits EVIDENCE_PDF_CHECK_SECONDS at most, then kills it.

Why a new interpreter and not os.fork(): gunicorn's gthread workers are multi-threaded, and a
forked child inherits locks (the import lock, logging's) that another thread may hold at that
moment; subprocess's preexec_fn runs in such a child too. The child imports no Django, so it
starts in about 120 ms, most of it importing pypdf. The CPU limit is for a child the parent
never kills (its worker died): it ends on its own a second after the deadline.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

# `python -m` finds the package from the working directory: the project root.
ROOT = Path(__file__).resolve().parents[2]
EXIT_OUT_OF_MEMORY = 3
# The child parses hostile bytes: it gets none of the server's secrets (SECRET_KEY, database
# URLs), only what finding Python and its packages may need.
CHILD_ENVIRONMENT = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "PYTHONDONTWRITEBYTECODE")
MB = 1024 * 1024


def pdf_document_refusal(upload: IO[bytes]) -> str | None:
    """Why file_checks.check_pdf_document refuses this PDF, run in a bounded child, or None.
    A child that runs out of time or memory, or fails in any other way, is a refusal too."""
    from django.conf import settings

    seconds = settings.EVIDENCE_PDF_CHECK_SECONDS
    megabytes = settings.EVIDENCE_PDF_CHECK_MEMORY_MB
    upload.seek(0)
    data = upload.read()
    environment = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
    try:
        done = subprocess.run([sys.executable, "-m", __name__, str(seconds), str(megabytes)],
                              input=data, capture_output=True, timeout=seconds, cwd=ROOT,
                              env=environment, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child and reaped it
        log.warning("PDF check: killed after %s s (%s bytes)", seconds, len(data))
        return _too_slow(seconds)
    if done.returncode == 0:
        try:
            return json.loads(done.stdout.splitlines()[-1])["refused"]
        except (IndexError, ValueError, KeyError, TypeError):
            pass
    stderr = done.stderr[-2000:].decode("utf-8", "replace")
    log.warning("PDF check: the child ended with %s (%s bytes): %s", done.returncode, len(data),
                stderr)
    if done.returncode == EXIT_OUT_OF_MEMORY:
        return (f"the PDF needs more than {megabytes} MB of memory to check; it may be damaged "
                "or built to be costly to read - save it again (print to PDF) and upload it")
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # over its CPU limit
        return _too_slow(seconds)
    return ("the PDF could not be checked; it may be damaged or built to be hard to read - "
            "save it again (print to PDF) and upload it")


def _too_slow(seconds: int) -> str:
    return (f"the PDF could not be checked within {seconds} seconds; it may be damaged or built "
            "to be slow to read - save it again (print to PDF) and upload it")


def _limit(which: int, soft: int, hard: int) -> None:
    """Lower a limit, never above the hard limit the process was started under."""
    _, ceiling = resource.getrlimit(which)
    if ceiling != resource.RLIM_INFINITY:
        soft, hard = min(soft, ceiling), min(hard, ceiling)
    resource.setrlimit(which, (soft, hard))


def main(argv: list[str]) -> int:
    seconds, megabytes = int(argv[0]), int(argv[1])
    # Limits first, before pypdf is imported or a byte of the file is read.
    _limit(resource.RLIMIT_CORE, 0, 0)  # SIGXCPU would otherwise dump core
    _limit(resource.RLIMIT_CPU, seconds, seconds + 1)  # SIGXCPU, then SIGKILL
    _limit(resource.RLIMIT_AS, megabytes * MB, megabytes * MB)
    try:
        from questionnaires.services.file_checks import EvidenceRefused, check_pdf_document

        # pypdf logs each oddity of a damaged file: the refusal says what matters.
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        data = sys.stdin.buffer.read()
        try:
            check_pdf_document(io.BytesIO(data))
            refused = None
        except EvidenceRefused as exc:
            refused = exc.message
    except MemoryError:
        os._exit(EXIT_OUT_OF_MEMORY)  # no clean-up: it could need memory too
    print(json.dumps({"refused": refused}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
