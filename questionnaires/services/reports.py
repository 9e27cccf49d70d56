"""Reports: requested in a request, rendered in a worker, downloaded and verified.

A request only writes a pending row and queues the render after commit; WeasyPrint never
runs inside an HTTP request. The render is idempotent: a second delivery of the same task
finds the report no longer pending (or locked by the first) and does nothing.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ..models import Assessment, Organization, Report, ScoreRun
from ..reports.verify import Verification, digest_stream, verify_digest
from . import Conflict, DomainError
from .audit import audit_record

logger = logging.getLogger(__name__)

VERIFY_MAX_BYTES = 100 * 1024 * 1024  # far above any report; a bound on what we hash


class TooLarge(DomainError):
    status_code = 413


def report_score_run(assessment: Assessment) -> ScoreRun | None:
    """The score of the answers as last submitted, newest engine first.

    Matching the assessment's digest means a report never presents the score of an
    earlier round as the score of the current answers.
    """
    runs = ScoreRun.objects.filter(assessment=assessment).order_by("-created_at")
    if assessment.answers_digest:
        runs = runs.filter(digest=assessment.answers_digest)
    return runs.first()


@transaction.atomic
def report_request(*, assessment: Assessment, by=None) -> Report:
    """A pending report of the assessment's current score; rendered by a worker after
    commit. Conflict (409) when the current answers have not been scored yet.

    While a report of the same score is still pending, asking again returns it instead of
    queueing another render: a double click, or a script retrying, costs one render."""
    # The row lock serialises two requests for the same assessment, so both see the same
    # pending report rather than each creating one.
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    run = report_score_run(assessment)
    if run is None:
        raise Conflict("this assessment has not been scored yet: a report needs the score of "
                       "the submitted answers", field="assessment")
    pending = Report.objects.filter(assessment=assessment, score_run=run,
                                    status=Report.Status.PENDING).first()
    if pending is not None:
        return pending
    report = Report.objects.create(
        organization=assessment.organization, assessment=assessment, score_run=run,
        requested_by=by if by is not None and by.is_authenticated else None)
    audit_record(organization=assessment.organization, action="report.requested", actor=by,
                 obj=report, data={"assessment": str(assessment.pk),
                                   "score_run": str(run.pk)})
    report_id = str(report.pk)
    transaction.on_commit(lambda: report_dispatch(report_id=report_id))
    return report


def report_dispatch(*, report_id: str) -> bool:
    """Queue the render. A broker that cannot take it fails the report with the reason,
    rather than leaving it pending for ever: the person asks again when it is back."""
    from ..tasks import render_report

    try:
        render_report.apply_async(args=[report_id])
    except Exception as exc:  # kombu raises many types; all mean "not queued"
        logger.warning("report %s not queued: %s", report_id, exc)
        Report.objects.filter(pk=report_id, status=Report.Status.PENDING).update(
            status=Report.Status.FAILED, finished_at=timezone.now(),
            error="the rendering could not be queued (the task broker is unavailable); "
                  "request the report again")
        return False
    return True


def report_render(*, report_id: str) -> Report | None:
    """Render one pending report and store it privately with its SHA-256 and page count.

    The row stays locked while it renders, so two deliveries never render twice; a failed
    render is recorded with its reason. Database errors propagate, for the task to retry.
    """
    from ..reports.context import report_context
    from ..reports.render import RenderFailed, render_isolated, report_html

    with transaction.atomic():
        report = (Report.objects.select_for_update(skip_locked=True, of=("self",))
                  .select_related("assessment__vendor", "organization")
                  .filter(pk=report_id).first())
        if report is None or report.status != Report.Status.PENDING:
            return report
        try:
            rendered = render_isolated(report_html(report_context(report)))
            pages = _page_count(rendered.pdf)
        except RenderFailed as exc:
            return _fail(report, str(exc))
        except SoftTimeLimitExceeded:
            return _fail(report, "the report took longer than the task's time limit")
        except DatabaseError:
            raise
        except Exception as exc:  # a bug must still end the report, visibly
            logger.exception("report %s failed", report.pk)
            return _fail(report, f"unexpected error while building the report "
                                 f"({type(exc).__name__}); the details are in the worker log")
        report.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
        report.file.save(f"{report.pk}.pdf", ContentFile(rendered.pdf), save=False)
        report.pages, report.status = pages, Report.Status.READY
        report.finished_at, report.error = timezone.now(), ""
        report.save(update_fields=["sha256", "file", "pages", "status", "finished_at", "error"])
        audit_record(organization=report.organization, action="report.rendered",
                     actor_label="report worker", obj=report,
                     data={"assessment": str(report.assessment_id), "sha256": report.sha256,
                           "pages": pages, "seconds": round(rendered.seconds, 2),
                           "peak_rss_mb": round(rendered.peak_rss_mb, 1)})
    return report


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _fail(report: Report, reason: str) -> Report:
    report.status, report.error, report.finished_at = (Report.Status.FAILED, reason,
                                                       timezone.now())
    report.save(update_fields=["status", "error", "finished_at"])
    audit_record(organization=report.organization, action="report.failed",
                 actor_label="report worker", obj=report, data={"reason": reason})
    return report


@dataclass(frozen=True)
class Download:
    stream: IO[bytes]
    filename: str
    size: int


def report_filename(report: Report) -> str:
    """`diligence-report-<vendor-slug>-<date>.pdf`, the name a download is saved under."""
    day = timezone.localtime(report.finished_at or report.created_at).date()
    vendor = slugify(report.assessment.vendor.name) or "vendor"
    return f"diligence-report-{vendor}-{day.isoformat()}.pdf"


def report_download(*, report: Report, by) -> Download:
    """The stored PDF, opened for streaming, under the name it is saved as; the download is
    recorded in the audit trail. Conflict (409) while it is pending or when it failed."""
    if report.status != Report.Status.READY:
        detail = f": {report.error}" if report.error else ""
        raise Conflict(f"the report is {report.status}{detail}", field=None)
    try:
        stream = report.file.open("rb")
    except OSError:
        logger.error("report %s is ready but its file %s is missing", report.pk, report.file.name)
        raise Conflict("the stored PDF of this report is missing; request a new report",
                       field=None) from None
    audit_record(organization=report.organization, action="report.downloaded", actor=by,
                 obj=report, data={"assessment": str(report.assessment_id),
                                   "sha256": report.sha256})
    return Download(stream, report_filename(report), report.file.size)


def report_verify(*, stream: IO[bytes], size: int | None = None,
                  organization: Organization | None, by=None) -> Verification:
    """Whether an uploaded file is a PDF this organisation was issued (or any, for the
    command line, which passes no organisation). Recorded when an organisation asks."""
    if size is not None and size > VERIFY_MAX_BYTES:
        raise TooLarge(f"at most {VERIFY_MAX_BYTES // (1024 * 1024)} MB", field="file")
    sha256, head = digest_stream(stream)
    result = verify_digest(sha256, head, organization=organization)
    if organization is not None:
        audit_record(organization=organization, action="report.verified", actor=by,
                     obj=result.report, data={"sha256": sha256, "valid": result.valid})
    return result
