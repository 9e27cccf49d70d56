"""Reports: requested in a request, rendered in a worker, downloaded and verified.

A request only writes a pending row and queues the render after commit; WeasyPrint never
runs inside an HTTP request. The pending row is its own outbox: when the broker cannot take
the render (Redis stopped or not answering), the report stays pending and `report_sweep`
(celery beat) queues it again; one pending for longer than REPORT_PENDING_MAX_AGE is failed
with the reason, so nothing stays pending for ever. The render is idempotent: a second
delivery of the same task - or a sweep racing a slow queue - finds the report no longer
pending (or locked by the first) and does nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from dataclasses import dataclass
from typing import IO, NamedTuple

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from questionnaires.assessments.models import Assessment
from questionnaires.audit.services import audit_record
from questionnaires.core import dispatch
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.core.models import Organization
from questionnaires.core.outbox import publish, publish_after_commit
from questionnaires.reports.models import Report
from questionnaires.reports.verify import Verification, digest_stream, verify_digest
from questionnaires.scoring.models import ScoreRun

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500  # bounded work per beat tick; the next tick takes the rest
# Tries of one render that the database keeps failing. What failed three times for a
# transient reason needs a person to look; a lost worker is not counted (there is no
# column for it), and the sweeper's age limit bounds that case instead.
MAX_ATTEMPTS = 3


class TooLarge(DomainError):
    status_code = 413


def verify_too_large(size: int, *, what: str = "the file", more_than: bool = False) -> TooLarge:
    """The 413 for a file to verify of ``size`` bytes against REPORT_VERIFY_MAX_BYTES (with
    ``more_than``, ``size`` is where reading stopped): no report Diligence issues is that
    large, so nothing over it is read, let alone hashed."""
    limit = settings.REPORT_VERIFY_MAX_BYTES
    return TooLarge(f"{what} is {'more than ' if more_than else ''}{size:,} bytes; "
                    f"no report is over {limit:,} bytes", field="file")


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
    # robust: the request has committed and succeeds whatever happens while queueing.
    publish_after_commit(lambda ids: report_dispatch(report_ids=ids), [report_id])
    return report


def report_dispatch(*, report_ids: list) -> int:
    """Queue the renders of `report_ids`; the number queued.

    Never raises: a broker that cannot take one leaves it - and the rest, which would only
    wait out the same timeout - pending for the sweeper to queue again."""
    # No claim: a report stays pending until rendered, and the render's row lock makes a
    # second message harmless, so unsent reports simply stay pending for the sweeper.
    return publish(dispatch.RENDER_REPORT, report_ids, what="report render(s)")


class Swept(NamedTuple):
    dispatched: int
    failed: int


def report_sweep(*, now: datetime.datetime | None = None) -> Swept:
    """Queue again the reports pending for longer than REPORT_DISPATCH_GRACE (their render
    was never queued, or its message died with Redis), and fail those pending for longer
    than REPORT_PENDING_MAX_AGE: by then the person has long stopped waiting, and a report
    must not sit pending for ever. A report queued twice still renders once."""
    now = now or timezone.now()
    oldest = now - datetime.timedelta(seconds=settings.REPORT_PENDING_MAX_AGE)
    failed = _fail_abandoned(created_before=oldest)
    due = (Report.objects.filter(status=Report.Status.PENDING, created_at__gte=oldest,
                                 created_at__lt=now - datetime.timedelta(
                                     seconds=settings.REPORT_DISPATCH_GRACE))
           .order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    return Swept(report_dispatch(report_ids=list(due)), failed)


def _fail_abandoned(*, created_before: datetime.datetime) -> int:
    reason = (f"not rendered within {_duration(settings.REPORT_PENDING_MAX_AGE)} of the "
              "request: no report worker took it (the task broker or the workers were "
              "unavailable); request the report again")
    with transaction.atomic():
        # skip_locked: a report a worker is rendering right now is left to finish.
        abandoned = list(Report.objects.select_for_update(skip_locked=True, of=("self",))
                         .select_related("organization")
                         .filter(status=Report.Status.PENDING, created_at__lt=created_before)
                         .order_by("created_at")[:SWEEP_BATCH])
        for report in abandoned:
            _fail(report, reason, by="report sweeper")
    return len(abandoned)


def _duration(seconds: int) -> str:
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def report_render(*, report_id: str) -> Report | None:
    """Render one pending report and store it privately with its SHA-256 and page count.

    The row stays locked while it renders, so two deliveries never render twice; a failed
    render is recorded with its reason. Database errors propagate, for the task to retry
    (and the PDF of an attempt that could not be recorded is removed).
    """
    from questionnaires.reports.context import report_context
    from questionnaires.reports.render import RenderFailed, render_isolated, report_html

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
        _store_pdf(report, rendered.pdf)
        report.pages, report.status = pages, Report.Status.READY
        report.finished_at, report.error = timezone.now(), ""
        try:
            report.save(update_fields=["sha256", "file", "pages", "status", "finished_at",
                                       "error"])
            audit_record(organization=report.organization, action="report.rendered",
                         actor_label="report worker", obj=report,
                         data={"assessment": str(report.assessment_id),
                               "sha256": report.sha256, "pages": pages,
                               "seconds": round(rendered.seconds, 2),
                               "peak_rss_mb": round(rendered.peak_rss_mb, 1)})
        except DatabaseError:
            report.file.storage.delete(report.file.name)
            raise
    return report


def _store_pdf(report: Report, pdf: bytes) -> None:
    """Write the PDF under the report's own name. A render killed after writing it and
    before its commit left that file behind; this render holds the row lock, so it is the
    only writer of this report and replaces the file instead of storing a second copy."""
    name = f"{report.pk}.pdf"
    report.file.storage.delete(report.file.field.generate_filename(report, name))
    report.file.save(name, ContentFile(pdf), save=False)


def report_give_up(*, report_id: str, reason: str) -> Report | None:
    """Fail a report whose task will not try again; None when it is no longer pending or
    another delivery is rendering it."""
    with transaction.atomic():
        report = (Report.objects.select_for_update(skip_locked=True, of=("self",))
                  .select_related("organization")
                  .filter(pk=report_id, status=Report.Status.PENDING).first())
        return _fail(report, reason) if report is not None else None


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _fail(report: Report, reason: str, *, by: str = "report worker") -> Report:
    report.status, report.error, report.finished_at = (Report.Status.FAILED, reason,
                                                       timezone.now())
    report.save(update_fields=["status", "error", "finished_at"])
    audit_record(organization=report.organization, action="report.failed",
                 actor_label=by, obj=report, data={"reason": reason})
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
    if size is not None and size > settings.REPORT_VERIFY_MAX_BYTES:
        raise verify_too_large(size)
    sha256, head = digest_stream(stream)
    result = verify_digest(sha256, head, organization=organization)
    if organization is not None:
        audit_record(organization=organization, action="report.verified", actor=by,
                     obj=result.report, data={"sha256": sha256, "valid": result.valid})
    return result
