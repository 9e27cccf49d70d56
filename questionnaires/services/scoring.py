"""Scoring jobs: the outbox written with the submission, dispatched after commit.

A submission must succeed even when Redis is down. So the job is a row written in the
submission's transaction; dispatching is attempted after commit with a short, bounded
publish retry, and `scoring_sweep` (celery beat) dispatches whatever is still pending.

Exactly once is the score run's unique key (assessment, digest, engine version): a message
delivered twice, a job dispatched twice, two jobs for the same answers all end with one
score run. Every delivery that starts work is counted on the job before the work begins,
so a job that keeps failing - or keeps killing its worker - stops after MAX_ATTEMPTS and is
marked `failed` with the reason, instead of being redelivered forever.
"""

from __future__ import annotations

import datetime
import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..models import Assessment, ScoreRun, ScoringJob, Template

logger = logging.getLogger(__name__)
Status = ScoringJob.Status

# A dispatched job not done after this long is dispatched again (the task is idempotent).
# Longer than the hard time limit plus a queue backlog, so a job is rarely sent twice.
REDISPATCH_AFTER = datetime.timedelta(minutes=10)
SWEEP_BATCH = 500  # bounded work per beat tick; the next tick takes the rest
# Tries per job, redeliveries after a lost worker included. Scoring is deterministic: what
# failed three times for a transient reason (database, time limit) needs a person to look.
MAX_ATTEMPTS = 3
ERROR_LIMIT = 2000  # characters of an error kept on the job: enough for the reason


# --- Enqueueing and dispatching -----------------------------------------------------------------
def scoring_enqueue(*, assessment: Assessment, digest: str) -> ScoringJob:
    """Record that these answers must be scored; published to the broker after commit.

    An open job for the same answers is reused, and answers already scored by the current
    engine get no new job (a resubmission of unchanged answers), so the latest job is
    returned as it is."""
    from ..scoring import ENGINE_VERSION

    jobs = ScoringJob.objects.filter(assessment=assessment, digest=digest).order_by("-created_at")
    job = jobs.filter(status__in=[Status.PENDING, Status.DISPATCHED]).first()
    if job is None:
        scored = ScoreRun.objects.filter(assessment=assessment, digest=digest,
                                         engine_version=ENGINE_VERSION).exists()
        latest = jobs.first() if scored else None
        if latest is not None:
            return latest
        job = ScoringJob.objects.create(assessment=assessment, digest=digest)
    job_id = job.pk
    # robust: whatever happens while dispatching, the submission has committed and succeeds.
    transaction.on_commit(lambda: scoring_dispatch(job_ids=[job_id]), robust=True)
    return job


def scoring_dispatch(*, job_ids: list) -> int:
    """Publish the jobs among `job_ids` that are still pending; the number published.

    Never raises: a broker (or database) failure leaves the jobs pending for the sweeper."""
    try:
        claimed = _claim(ScoringJob.objects.filter(pk__in=list(job_ids), status=Status.PENDING))
    except DatabaseError as exc:
        logger.warning("scoring jobs not claimed for dispatch (%s); the sweeper will retry", exc)
        return 0
    return _publish(claimed)


def scoring_sweep(*, redispatch_after: datetime.timedelta = REDISPATCH_AFTER) -> int:
    """Dispatch pending jobs (the broker was down at submission) and re-dispatch those
    dispatched long ago and still not finished (the message died with Redis or a worker)."""
    stale = timezone.now() - redispatch_after
    due = ScoringJob.objects.filter(Q(status=Status.PENDING)
                                    | Q(status=Status.DISPATCHED, dispatched_at__lt=stale))
    return _publish(_claim(due.order_by("created_at")))


def _claim(jobs: QuerySet) -> list:
    """Mark up to SWEEP_BATCH jobs dispatched *before* publishing them, skipping rows another
    dispatcher holds: two sweepers, or a sweep racing a submission's own dispatch, never
    publish the same job twice. A crash after the claim leaves the job dispatched without a
    message; the sweeper re-dispatches it after REDISPATCH_AFTER."""
    with transaction.atomic():
        ids = list(jobs.select_for_update(skip_locked=True)
                   .values_list("pk", flat=True)[:SWEEP_BATCH])
        if ids:
            ScoringJob.objects.filter(pk__in=ids).update(status=Status.DISPATCHED,
                                                         dispatched_at=timezone.now())
    return ids


def _publish(job_ids: list) -> int:
    from ..tasks.scoring import score_assessment

    for index, job_id in enumerate(job_ids):
        try:
            score_assessment.apply_async(args=[str(job_id)])
        except Exception as exc:  # kombu raises many types; all mean "not published"
            # The broker is down: every other publish would wait out the retry policy too.
            unsent = job_ids[index:]
            ScoringJob.objects.filter(pk__in=unsent, status=Status.DISPATCHED).update(
                status=Status.PENDING, dispatched_at=None)
            logger.warning("%d scoring job(s) not dispatched (%s: %s); the sweeper will retry",
                           len(unsent), type(exc).__name__, exc)
            return index
    return len(job_ids)


# --- Running a job --------------------------------------------------------------------------------
def scoring_run(*, job_id) -> ScoreRun | None:
    """Score one job's assessment: the score run, or None when there is nothing to score.

    A second delivery of the same job stores nothing new and returns the run the first one
    stored. Raises whatever scoring raised; the task decides between retry and failure."""
    go, run = _attempt_begin(job_id)
    if not go:
        return run
    return _score(job_id)


def _attempt_begin(job_id) -> tuple[bool, ScoreRun | None]:
    """Count this attempt, committed on its own, so the count survives the work failing or
    the worker dying mid-way. (go on?, the run already stored)."""
    # The usual case in one statement: an open job with tries left.
    if ScoringJob.objects.filter(pk=job_id, status__in=[Status.PENDING, Status.DISPATCHED],
                                 attempts__lt=MAX_ATTEMPTS).update(attempts=F("attempts") + 1):
        return True, None
    with transaction.atomic():  # why not: finished, failed, gone, or out of tries
        job = ScoringJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:  # the assessment was deleted since
            return False, None
        run = _stored_run(job)
        if run is not None:
            if job.status != Status.DONE:
                _finish(job)
            return False, run
        if job.status in (Status.PENDING, Status.DISPATCHED):
            reason = job.error or "the worker was lost or hit the hard time limit each time"
            _fail(job, f"gave up after {job.attempts} attempts; last: {reason}")
    return False, None


def _stored_run(job: ScoringJob) -> ScoreRun | None:
    from ..scoring import ENGINE_VERSION

    return ScoreRun.objects.filter(assessment_id=job.assessment_id, digest=job.digest,
                                   engine_version=ENGINE_VERSION).first()


@transaction.atomic
def _score(job_id) -> ScoreRun | None:
    from ..scoring import ENGINE_VERSION, run_scenarios, score_assessment
    from .audit import audit_record
    from .ownership import vendor_graph, vendor_neutrality
    from .templates import compiled_template

    # The row lock serialises two deliveries of the same message (Redis delivers again
    # after a lost worker); the unique key on the score run is the backstop across jobs.
    job = (ScoringJob.objects.select_for_update(of=("self",))
           .select_related("assessment", "assessment__template", "assessment__vendor",
                           "assessment__organization").filter(pk=job_id).first())
    if job is None:
        return None
    if job.status in (Status.DONE, Status.FAILED):  # another delivery finished it meanwhile
        return _stored_run(job)
    assessment = job.assessment
    compiled = compiled_template(assessment.template)
    answers, evidence, digest = _snapshot(assessment, compiled)
    if digest != job.digest:
        # Only a clarification round reopens answers; scoring them now would file the new
        # answers under the old digest. The next submission brings its own job.
        _fail(job, "the answers changed after this submission (changes were requested); "
                   "the next submission is scored instead")
        return None
    evidence_counts = {key: len(hashes) for key, hashes in evidence.items()}
    # The registry is read once; the baseline and every scenario analyse copies of it.
    graph = vendor_graph(assessment.vendor)

    def neutrality_fn(extra_stakes):
        return vendor_neutrality(vendor=assessment.vendor, answers=answers,
                                 extra_stakes=extra_stakes, graph=graph)

    baseline_neutrality = neutrality_fn([])
    result = score_assessment(compiled, answers, evidence=evidence_counts,
                              neutrality=baseline_neutrality)
    scenarios = run_scenarios(compiled, answers, evidence_counts, neutrality_fn,
                              _scenarios_for(assessment), baseline=result)
    try:
        with transaction.atomic():
            run = ScoreRun.objects.create(
                assessment=assessment, digest=job.digest, engine_version=ENGINE_VERSION,
                overall=result["overall"], tier=result["tier"],
                neutrality_status=(baseline_neutrality or {}).get("status", "neutral"),
                result=result, scenarios=scenarios)
    except IntegrityError:  # another job for the same answers stored it first
        _finish(job)
        return _stored_run(job)
    _finish(job)
    audit_record(organization=assessment.organization, action="assessment.scored",
                 actor_label="scoring worker", obj=assessment,
                 data={"overall": run.overall, "tier": run.tier, "digest": job.digest,
                       "engine_version": ENGINE_VERSION})
    return run


def _snapshot(assessment: Assessment, compiled) -> tuple[dict, dict, str]:
    """(every stored answer, evidence hashes by question, digest): what
    `submission_snapshot` computes, from plain rows in two queries. Building 500 Answer
    and Question objects took 45 ms of a 500-question scoring; the digest must stay the
    one submission computed (a test pins them together)."""
    from ..models import Answer
    from .answers import answers_digest

    values, comments = {}, {}
    for key, value, comment in (Answer.objects.filter(assessment=assessment)
                                .values_list("question__key", "value", "comment")):
        values[key], comments[key] = value, comment
    evidence: dict[str, list[str]] = {}
    for key, sha in assessment.evidence.values_list("question__key", "sha256"):
        evidence.setdefault(key, []).append(sha)
    # The engine applies visibility itself, so it gets every stored answer; the digest
    # covers the effective ones, as at submission.
    effective = compiled.effective_answers(values)
    return values, evidence, answers_digest(effective, comments, evidence)


def _scenarios_for(assessment: Assessment) -> list[dict]:
    """The built-in scenarios, then the buyer's own. A custom definition that no longer
    validates raises ScenarioError: the job fails visibly rather than store a score that
    silently left one of the buyer's stress tests out."""
    from .scenarios import scenarios_for_scoring

    return scenarios_for_scoring(organization=assessment.organization)


def scoring_record_failure(*, job_id, error: str, retryable: bool) -> bool:
    """Note a failed attempt on the job: True when another attempt is allowed (the caller
    retries), False when the job is now `failed` for good - or already has its score."""
    with transaction.atomic():
        job = ScoringJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Status.DONE, Status.FAILED):
            return False
        if _stored_run(job) is not None:  # another delivery succeeded meanwhile
            _finish(job)
            return False
        if retryable and job.attempts < MAX_ATTEMPTS:
            job.error = error[:ERROR_LIMIT]
            job.save(update_fields=["error"])
            return True
        _fail(job, error)
        return False


def _finish(job: ScoringJob) -> None:
    job.status, job.finished_at = Status.DONE, timezone.now()
    job.save(update_fields=["status", "finished_at"])


def _fail(job: ScoringJob, error: str) -> None:
    job.status, job.finished_at, job.error = Status.FAILED, timezone.now(), error[:ERROR_LIMIT]
    job.save(update_fields=["status", "finished_at", "error"])
    logger.warning("scoring job %s failed after %d attempt(s): %s", job.pk, job.attempts,
                   job.error)


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
    from .audit import audit_record

    audit_record(organization=organization, action="template.rescored", actor=by,
                 actor_label="" if by is not None else "manage.py rescore", obj=template,
                 data={"jobs": created, "all_engine": all_engine,
                       "version": template.version})
    return created


@transaction.atomic
def _rescore_batch(batch: list[tuple], *, all_engine: bool) -> int:
    from ..scoring import ENGINE_VERSION

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
        transaction.on_commit(lambda: scoring_dispatch(job_ids=job_ids), robust=True)
    return len(job_ids)
