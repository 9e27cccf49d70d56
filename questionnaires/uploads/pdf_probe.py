"""The child side of the PDF check: `python -m questionnaires.uploads.pdf_probe SECONDS MB`.

pypdf's own parsing is not bounded: a PDF whose trailer holds one long hex string costs it
about 0.55 s of CPU a megabyte to open, so a 25 MB upload held a web thread for some 14 s, and
anyone holding an invitation can send one. So checks.check_pdf_document runs here, in a
child started through core.sandbox.run_module (by checks.pdf_document_refusal), which caps
its own CPU time and address space before it imports pypdf, reads the PDF on stdin and
prints {"refused": null} or {"refused": "why"}.

The child imports no Django, so it starts in about 120 ms, most of it importing pypdf. The
CPU limit is for a child the parent never kills (its worker died): it ends on its own a
second after the deadline.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import sys

from questionnaires.core.sandbox import EXIT_OUT_OF_MEMORY, MB, ROOT, lower_limit

__all__ = ["ROOT", "main"]


def main(argv: list[str]) -> int:
    seconds, megabytes = int(argv[0]), int(argv[1])
    # Limits first, before pypdf is imported or a byte of the file is read.
    lower_limit(resource.RLIMIT_CORE, 0, 0)  # SIGXCPU would otherwise dump core
    lower_limit(resource.RLIMIT_CPU, seconds, seconds + 1)  # SIGXCPU, then SIGKILL
    lower_limit(resource.RLIMIT_AS, megabytes * MB, megabytes * MB)
    try:
        from questionnaires.uploads.checks import EvidenceRefused, check_pdf_document

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
