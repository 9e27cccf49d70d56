"""The scoring outbox: a job row written with the submission, published after commit.

A submission must succeed even when Redis is down. So the job is a row written in the
submission's transaction; publishing is attempted after commit with a short, bounded
publish retry, and `scoring_sweep` (celery beat, every minute) publishes whatever is still
pending, and publishes again what was dispatched more than SCORING_REDISPATCH_AFTER seconds
ago and is still not done (its message died with Redis, or with a worker killed before it
acknowledged the message: Redis would only deliver that again after the whole visibility
timeout). The pattern is the one every outbox follows (core.outbox).

Why the re-dispatch, found when the worker-kill test failed on a busy machine: after a
worker was SIGKILLed, one of 100 jobs stayed `dispatched` with 0 attempts for the test's
whole 90 s. Redis does not give a dead worker's messages back promptly in every case: one
it had taken off the queue but not yet recorded as unacknowledged is in no Redis structure
at all, and the unacknowledged ones come back only after the visibility timeout (in
production 4 x the hard time limit), later still when the killed worker held kombu's
restore lock (it expires after 300 s). The same happens in production. The sweep is the
bound: a job dispatched more than SCORING_REDISPATCH_AFTER seconds ago (default the hard
time limit + 60) and still not done is published again; scoring is idempotent and counts
attempts, so a second message costs a no-op, never a second score run.

This module imports no scoring engine and no other domain's services, so issuing and
submission (assessments) can write jobs without depending on what scoring reads."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from questionnaires.assessments.models import Assessment
from questionnaires.audit.services import audit_record
from questionnaires.authoring.models import Template
from questionnaires.core import dispatch
from questionnaires.core.outbox import claim, publish, publish_after_commit
from questionnaires.scoring.models import ScoreRun, ScoringJob
from questionnaires.scoring.rules import ENGINE_VERSION

logger = logging.getLogger(__name__)
Status = ScoringJob.Status

SWEEP_BATCH = 500  # bounded work per beat tick; the next tick takes the rest
# Tries per job, redeliveries after a lost worker included. Scoring is deterministic: what
# failed three times for a transient reason (database, time limit) needs a person to look.
MAX_ATTEMPTS = 3


def redispatch_grace() -> datetime.timedelta:
    """How long a dispatched job may stay unfinished before the sweeper publishes it again
    (the task is idempotent, so a slow job published twice still scores once)."""
    return datetime.timedelta(seconds=settings.SCORING_REDISPATCH_AFTER)


def scoring_enqueue(*, assessment: Assessment, digest: str) -> ScoringJob:
    """Record that these answers must be scored; published to the broker after commit.

    An open job for the same answers is reused, and answers already scored by the current
    engine get no new job (a resubmission of unchanged answers), so the latest job is
    returned as it is."""
    jobs = ScoringJob.objects.filter(assessment=assessment, digest=digest).order_by("-created_at")
    job = jobs.filter(status__in=[Status.PENDING, Status.DISPATCHED]).first()
    if job is None:
        scored = ScoreRun.objects.filter(assessment=assessment, digest=digest,
                                         engine_version=ENGINE_VERSION).exists()
        latest = jobs.first() if scored else None
        if latest is not None:
            return latest
        job = ScoringJob.objects.create(assessment=assessment, digest=digest)
    publish_after_commit(lambda ids: scoring_dispatch(job_ids=ids), [job.pk])
    return job


def scoring_dispatch(*, job_ids: list) -> int:
    """Publish the jobs among `job_ids` that are still pending; the number published.

    Never raises: a broker (or database) failure leaves the jobs pending for the sweeper."""
    return _publish(_claim(ScoringJob.objects.filter(pk__in=list(job_ids),
                                                     status=Status.PENDING)))


def scoring_sweep(*, redispatch_after: datetime.timedelta | None = None) -> int:
    """Dispatch pending jobs (the broker was down at submission) and re-dispatch those
    dispatched long ago and still not finished (the message died with Redis or a worker)."""
    stale = timezone.now() - (redispatch_after if redispatch_after is not None
                              else redispatch_grace())
    due = ScoringJob.objects.filter(Q(status=Status.PENDING)
                                    | Q(status=Status.DISPATCHED, dispatched_at__lt=stale))
    return _publish(_claim(due.order_by("created_at")))


def _claim(jobs) -> list:
    """Mark jobs dispatched *before* publishing them: two sweepers, or a sweep racing a
    submission's own dispatch, never publish the same job twice. A crash after the claim
    leaves the job dispatched without a message; the sweeper re-dispatches it after
    SCORING_REDISPATCH_AFTER."""
    return claim(jobs, batch=SWEEP_BATCH, status=Status.DISPATCHED, dispatched_at=timezone.now())


def _publish(job_ids: list) -> int:
    def back_to_pending(unsent: list) -> None:
        ScoringJob.objects.filter(pk__in=unsent, status=Status.DISPATCHED).update(
            status=Status.PENDING, dispatched_at=None)

    return publish(dispatch.SCORE, job_ids, what="scoring job(s)", on_unsent=back_to_pending)


# --- Re-scoring -------------------------------------------------------------------------------
# Assessments per transaction when re-scoring a template: each batch is one page read, two
# lookups, one bulk insert and one dispatch after its commit, so a template with tens of
# thousands of assessments neither holds one long transaction nor publishes in one burst
# that a broker outage would turn into minutes of waiting (the dispatch stops at the first
# failed publish and the sweeper takes over).
RESCORE_BATCH = 500
# Statuses in which the answers are frozen as submitted. A clarification round reopens
# them, and a cancelled assessment is not scored again.
SCORABLE = [Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW,
            Assessment.Status.APPROVED, Assessment.Status.APPROVED_WITH_CONDITIONS,
            Assessment.Status.REJECTED]


def scoring_rescore(*, template: Template, organization=None, all_engine: bool = False,
                    by=None, batch_size: int = RESCORE_BATCH) -> int:
    """Queue scoring jobs for the template's submitted assessments (of `organization`, or
    of every organisation when None); the number of new jobs.

    Idempotent: an assessment gets a job only when its submitted answers have no score
    run yet and no job is already pending or dispatched for them. By default that means
    answers never scored at all (a failed job, a lost message); with `all_engine`, also
    answers scored only by an older engine version, which the current engine re-scores.
    The unique key (assessment, digest, engine version) makes a second score by the same
    engine impossible, so there is nothing else to force."""
    assessments = Assessment.objects.filter(template=template, status__in=SCORABLE).exclude(
        answers_digest="")
    if organization is not None:
        assessments = assessments.filter(organization=organization)
    created, after = 0, None
    while True:
        page = assessments.order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        batch = list(page.values_list("pk", "answers_digest")[:batch_size])
        if not batch:
            break
        created += _rescore_batch(batch, all_engine=all_engine)
        after = batch[-1][0]
    audit_record(organization=organization, action="template.rescored", actor=by,
                 actor_label="" if by is not None else "manage.py rescore", obj=template,
                 data={"jobs": created, "all_engine": all_engine,
                       "version": template.version})
    return created


@transaction.atomic
def _rescore_batch(batch: list[tuple], *, all_engine: bool) -> int:
    ids = [pk for pk, _ in batch]
    runs = ScoreRun.objects.filter(assessment_id__in=ids)
    if all_engine:
        runs = runs.filter(engine_version=ENGINE_VERSION)
    scored = set(runs.values_list("assessment_id", "digest"))
    open_jobs = set(ScoringJob.objects.filter(
        assessment_id__in=ids, status__in=[Status.PENDING, Status.DISPATCHED])
        .values_list("assessment_id", "digest"))
    jobs = ScoringJob.objects.bulk_create([
        ScoringJob(assessment_id=pk, digest=digest) for pk, digest in batch
        if (pk, digest) not in scored and (pk, digest) not in open_jobs])
    job_ids = [job.pk for job in jobs]
    if job_ids:
        publish_after_commit(lambda ids: scoring_dispatch(job_ids=ids), job_ids)
    return len(job_ids)
