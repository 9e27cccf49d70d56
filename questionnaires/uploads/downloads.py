"""Serving private files: always an attachment, never sniffed, never scripted, never cached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse

if TYPE_CHECKING:  # uploads sits below assessments: the type only, never the import
    from questionnaires.assessments.models import Evidence


def evidence_attachment(evidence: Evidence) -> FileResponse:
    """A vendor's uploaded file as a download, whoever is allowed to fetch it (the portal
    session or a buyer's member): the same headers on every path that serves one."""
    response = FileResponse(evidence.file.open("rb"), as_attachment=True,
                            filename=evidence.name, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser rendered it, a sandboxed document with no sources runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
