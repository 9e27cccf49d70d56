"""Is this PDF one Diligence issued? Yes exactly when its SHA-256 is a stored report's.

A hash, not a signature: the question compliance asks is "is this the file you gave us,
unchanged?", and one changed byte changes the SHA-256. Reading is streamed, so a large
upload never sits in memory whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from questionnaires.core.models import Organization
from questionnaires.reports.models import Report

_CHUNK = 1 << 16
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Verification:
    valid: bool
    report: Report | None
    sha256: str
    reason: str


def digest_stream(stream: IO[bytes] | Iterable[bytes]) -> tuple[str, bytes]:
    """(SHA-256 hex of everything read, the first bytes) of a file object or chunks."""
    digest = hashlib.sha256()
    head = b""
    chunks = iter(lambda: stream.read(_CHUNK), b"") if hasattr(stream, "read") else stream
    for chunk in chunks:
        if len(head) < len(PDF_MAGIC):
            head += chunk[:len(PDF_MAGIC)]
        digest.update(chunk)
    return digest.hexdigest(), head


def verify_digest(sha256: str, head: bytes, *,
                  organization: Organization | None) -> Verification:
    """Look the hash up among ready reports (of `organization` only, when given).

    The reason says what matched, or why nothing could: not a PDF at all, or a PDF no
    report of the organisation has (changed after issue, or never issued).
    """
    reports = Report.objects.filter(sha256=sha256, status=Report.Status.READY)
    if organization is not None:
        reports = reports.filter(organization=organization)
    report = (reports.select_related("assessment__vendor", "organization")
              .order_by("created_at").first())
    if report is not None:
        issued = (report.finished_at or report.created_at).date().isoformat()
        return Verification(True, report, sha256,
                            f"identical to report {report.pk} on {report.assessment.vendor.name}, "
                            f"issued to {report.organization.name} on {issued}")
    if not head.startswith(PDF_MAGIC):
        return Verification(False, None, sha256, "not a PDF file")
    whose = "of your organisation " if organization is not None else ""
    return Verification(False, None, sha256,
                        f"no report {whose}issued by Diligence has SHA-256 {sha256}: the file "
                        "was changed after it was issued, or it was never issued")
