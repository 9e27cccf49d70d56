"""The size limit of an evidence upload, and the 413 that names it (read by the streaming
upload handler before a body is taken in, and by the evidence service)."""

from __future__ import annotations

from django.conf import settings

from questionnaires.core.errors import DomainError


class EvidenceTooLarge(DomainError):
    status_code = 413

    def __init__(self, message: str):
        super().__init__(message, field="file")


def evidence_too_large(size: int, *, what: str = "the file", more_than: bool = False
                       ) -> EvidenceTooLarge:
    """The 413 for `size` bytes against settings.EVIDENCE_MAX_BYTES. With `more_than`, `size`
    is where reading stopped, not the whole."""
    limit = settings.EVIDENCE_MAX_BYTES
    # In bytes too: one byte over reads "25.0 MB" on both sides otherwise.
    return EvidenceTooLarge(f"{what} is {'more than ' if more_than else ''}{_megabytes(size)} "
                            f"({size:,} bytes); the limit is {_megabytes(limit)} ({limit:,} bytes)")

def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
