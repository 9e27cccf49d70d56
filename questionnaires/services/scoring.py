"""Scoring jobs: the outbox written with the submission, dispatched after commit.

A submission must succeed even when Redis is down. So the job is a row written in the
submission's transaction; dispatching is attempted after commit with a short, bounded
publish retry, and `scoring_sweep` (celery beat) dispatches whatever is still pending.
Exactly once is the score run's unique key (assessment, digest, engine version)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from ..models import Assessment, ScoreRun, ScoringJob

logger = logging.getLogger(__name__)
# A dispatched job not done after this long is dispatched again (the task is idempotent).
REDISPATCH_AFTER = datetime.timedelta(minutes=10)
SWEEP_BATCH = 500  # bounded work per beat tick; the next tick takes the rest


def scoring_enqueue(*, assessment: Assessment, digest: str) -> ScoringJob:
    job, _ = ScoringJob.objects.get_or_create(
        assessment=assessment, digest=digest, defaults={"status": ScoringJob.Status.PENDING})
    transaction.on_commit(lambda: scoring_dispatch(job_ids=[job.pk]))
    return job


def scoring_dispatch(*, job_ids: list) -> int:
    """Publish each job; a broker failure leaves it pending for the sweeper. Never raises."""
    from ..tasks import score_assessment

    sent = 0
    for job_id in job_ids:
        try:
            score_assessment.apply_async(args=[str(job_id)])
        except Exception as exc:  # kombu raises many types; all mean "not published"
            logger.warning("scoring job %s not dispatched (%s); the sweeper will retry",
                           job_id, type(exc).__name__)
            continue
        ScoringJob.objects.filter(pk=job_id, status=ScoringJob.Status.PENDING).update(
            status=ScoringJob.Status.DISPATCHED, dispatched_at=timezone.now())
        sent += 1
    return sent


def scoring_sweep() -> int:
    """Dispatch pending jobs and re-dispatch ones lost after dispatch."""
    stale = timezone.now() - REDISPATCH_AFTER
    ids = list(ScoringJob.objects.filter(status=ScoringJob.Status.PENDING)
               .values_list("pk", flat=True)[:SWEEP_BATCH])
    ids += list(ScoringJob.objects.filter(status=ScoringJob.Status.DISPATCHED,
                                          dispatched_at__lt=stale)
                .values_list("pk", flat=True)[:SWEEP_BATCH])
    if ids:
        ScoringJob.objects.filter(pk__in=ids).update(status=ScoringJob.Status.PENDING)
    return scoring_dispatch(job_ids=ids)


def _library_and_custom_scenarios(assessment: Assessment) -> list[dict]:
    from ..models import Scenario
    from ..scoring import load_library_scenarios, load_scenario

    scenarios = list(load_library_scenarios())
    for custom in Scenario.objects.filter(organization=assessment.organization):
        scenarios.append(load_scenario(custom.definition))
    return scenarios


@transaction.atomic
def scoring_run(*, job_id) -> ScoreRun | None:
    """Score one job's assessment; a second delivery of the same job stores nothing new.

    The row lock on the job serialises two deliveries of the same message (Redis can
    deliver twice after a lost worker); the unique key on the score run is the backstop."""
    from ..scoring import ENGINE_VERSION, run_scenarios, score_assessment
    from .assessments import submission_snapshot
    from .ownership import vendor_neutrality
    from .templates import compiled_template

    job = (ScoringJob.objects.select_for_update().select_related(
        "assessment", "assessment__template", "assessment__vendor").filter(pk=job_id).first())
    if job is None:
        return None
    existing = ScoreRun.objects.filter(assessment=job.assessment, digest=job.digest,
                                       engine_version=ENGINE_VERSION).first()
    if existing is not None:
        _finish(job)
        return existing
    assessment = job.assessment
    job.attempts += 1
    job.save(update_fields=["attempts"])
    compiled = compiled_template(assessment.template)
    effective, evidence, _ = submission_snapshot(assessment)
    evidence_counts = {key: len(hashes) for key, hashes in evidence.items()}
    # The engine applies visibility itself; it gets every stored answer.
    from .assessments import answer_values, current_answers

    answers = answer_values(current_answers(assessment))

    def neutrality_fn(extra_stakes):
        return vendor_neutrality(vendor=assessment.vendor, answers=answers,
                                 extra_stakes=extra_stakes)

    baseline_neutrality = neutrality_fn([])
    result = score_assessment(compiled, answers, evidence=evidence_counts,
                              neutrality=baseline_neutrality)
    scenarios = run_scenarios(compiled, answers, evidence_counts, neutrality_fn,
                              _library_and_custom_scenarios(assessment), baseline=result)
    run = ScoreRun.objects.create(
        assessment=assessment, digest=job.digest, engine_version=ENGINE_VERSION,
        overall=result["overall"], tier=result["tier"],
        neutrality_status=(baseline_neutrality or {}).get("status", "neutral"),
        result=result, scenarios=scenarios)
    _finish(job)
    from .audit import audit_record

    audit_record(organization=assessment.organization, action="assessment.scored",
                 actor_label="scoring worker", obj=assessment,
                 data={"overall": run.overall, "tier": run.tier, "digest": job.digest,
                       "engine_version": ENGINE_VERSION})
    return run


def _finish(job: ScoringJob) -> None:
    job.status, job.finished_at = ScoringJob.Status.DONE, timezone.now()
    job.save(update_fields=["status", "finished_at"])
