"""Running a scoring job: the engine on the submitted answers, the scenarios, the score run.

Jobs are written and published by the outbox (scoring.services.outbox). Exactly once is
the score run's unique key (assessment, digest, engine version): a message
delivered twice, a job dispatched twice, two jobs for the same answers all end with one
score run. Every delivery that starts work is counted on the job before the work begins,
so a job that keeps failing - or keeps killing its worker - stops after MAX_ATTEMPTS and is
marked `failed` with the reason, instead of being redelivered forever.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from questionnaires.assessments.models import Assessment
from questionnaires.assessments.services.snapshot import answer_snapshot
from questionnaires.scoring.models import ScoreRun, ScoringJob
from questionnaires.scoring.services.outbox import MAX_ATTEMPTS

logger = logging.getLogger(__name__)
Status = ScoringJob.Status

ERROR_LIMIT = 2000  # characters of an error kept on the job: enough for the reason


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
    from questionnaires.scoring import ENGINE_VERSION

    return ScoreRun.objects.filter(assessment_id=job.assessment_id, digest=job.digest,
                                   engine_version=ENGINE_VERSION).first()


@transaction.atomic
def _score(job_id) -> ScoreRun | None:
    from questionnaires.audit.services import audit_record
    from questionnaires.authoring.services.templates import compiled_template
    from questionnaires.ownership.services.neutrality import vendor_graph, vendor_neutrality
    from questionnaires.scoring import ENGINE_VERSION, run_scenarios, score_assessment

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
    snapshot = answer_snapshot(assessment=assessment, compiled=compiled)
    # The engine applies visibility itself, so it gets every stored answer.
    answers, evidence = snapshot.values, snapshot.evidence
    if snapshot.digest != job.digest:
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


def _scenarios_for(assessment: Assessment) -> list[dict]:
    """The built-in scenarios, then the buyer's own. A custom definition that no longer
    validates raises ScenarioError: the job fails visibly rather than store a score that
    silently left one of the buyer's stress tests out."""
    from questionnaires.scoring.services.scenarios import scenarios_for_scoring

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
