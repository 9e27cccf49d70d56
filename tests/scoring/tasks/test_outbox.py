"""The outbox and the task, in this process: dispatch claims before it publishes, a broker
failure leaves jobs pending and stops the batch, a second run stores nothing, and a job
that keeps failing ends `failed` with the reason after at most three tries."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from questionnaires.scoring.models import Scenario, ScoreRun, ScoringJob
from questionnaires.scoring.services import outbox as scoring
from questionnaires.scoring.services import runs as scoring_runs
from questionnaires.scoring.tasks import score_job
from tests.support.scoring import job_of, scored, small_template, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(buyer_org):
    return small_template(buyer_org)


@pytest.fixture
def published(monkeypatch):
    """The task messages this process would have sent, instead of sending them."""
    sent: list[str] = []
    monkeypatch.setattr(score_job, "apply_async", lambda args, **kw: sent.append(args[0]))
    return sent


@pytest.fixture
def broker_down(monkeypatch):
    calls: list[str] = []

    def refuse(args, **kwargs):
        calls.append(args[0])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(score_job, "apply_async", refuse)
    return calls


def test_submission_records_one_pending_job_and_dispatches_it_after_commit(
        buyer, vendor, template, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
        assert job_of(assessment).status == "pending" and published == []
    job = job_of(assessment)
    assert published == [str(job.pk)]
    assert job.status == "dispatched" and job.dispatched_at is not None
    assert job.digest == assessment.answers_digest


def test_a_dead_broker_leaves_every_job_pending_and_stops_at_the_first_failure(
        buyer, vendor, template, broker_down):
    for _ in range(3):
        submitted(organization=buyer.organization, vendor=vendor, template=template)
    assert scoring.scoring_sweep() == 0
    # One refused publish is enough to know: the other two would each wait out the retry
    # policy too, in a beat tick or, worse, a request.
    assert len(broker_down) == 1
    assert set(ScoringJob.objects.values_list("status", flat=True)) == {"pending"}
    assert not ScoringJob.objects.filter(dispatched_at__isnull=False).exists()


def test_the_sweeper_dispatches_pending_jobs_and_stale_dispatched_ones_but_not_fresh_or_done(
        buyer, vendor, template, published):
    org = buyer.organization
    pending = job_of(submitted(organization=org, vendor=vendor, template=template))
    fresh = job_of(submitted(organization=org, vendor=vendor, template=template))
    stale = job_of(submitted(organization=org, vendor=vendor, template=template))
    done_assessment, _ = scored(organization=org, vendor=vendor, template=template)
    from django.utils import timezone

    ScoringJob.objects.filter(pk=fresh.pk).update(status="dispatched", dispatched_at=timezone.now())
    ScoringJob.objects.filter(pk=stale.pk).update(
        status="dispatched", dispatched_at=timezone.now() - scoring.redispatch_grace() * 2)

    assert scoring.scoring_sweep() == 2
    assert sorted(published) == sorted([str(pending.pk), str(stale.pk)])
    assert job_of(done_assessment).status == "done"
    assert scoring.scoring_sweep() == 0  # both are freshly dispatched now


def test_the_sweep_redispatches_a_job_dispatched_longer_ago_than_the_grace_but_not_a_fresh_one(
        buyer, vendor, template, published, settings):
    """SCORING_REDISPATCH_AFTER, read when the sweep runs: the recovery of a job whose
    message died with a killed worker, without waiting for Redis's visibility timeout."""
    import datetime

    from django.utils import timezone

    settings.SCORING_REDISPATCH_AFTER = 30
    org = buyer.organization
    old = job_of(submitted(organization=org, vendor=vendor, template=template))
    fresh = job_of(submitted(organization=org, vendor=vendor, template=template))
    now = timezone.now()
    ScoringJob.objects.filter(pk=old.pk).update(
        status="dispatched", dispatched_at=now - datetime.timedelta(seconds=31))
    ScoringJob.objects.filter(pk=fresh.pk).update(
        status="dispatched", dispatched_at=now - datetime.timedelta(seconds=29))

    assert scoring.scoring_sweep() == 1
    assert published == [str(old.pk)]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "dispatched" and old.dispatched_at >= now
    assert fresh.dispatched_at < now


def test_a_second_run_of_the_same_job_stores_nothing_and_counts_no_attempt(
        buyer, vendor, template):
    assessment, first = scored(organization=buyer.organization, vendor=vendor, template=template)
    job = job_of(assessment)
    again = scoring_runs.scoring_run(job_id=job.pk)
    assert again == first
    assert ScoreRun.objects.filter(assessment=assessment).count() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)


def test_two_jobs_for_the_same_answers_store_one_score_run(buyer, vendor, template):
    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    original = job_of(assessment)
    twin = ScoringJob.objects.create(assessment=assessment, digest=assessment.answers_digest)
    first = scoring_runs.scoring_run(job_id=original.pk)
    assert scoring_runs.scoring_run(job_id=twin.pk) == first
    assert ScoreRun.objects.filter(assessment=assessment).count() == 1
    assert set(ScoringJob.objects.filter(assessment=assessment)
               .values_list("status", flat=True)) == {"done"}


def test_resubmitting_unchanged_answers_adds_no_job(buyer, vendor, template, published):
    from questionnaires.scoring.services.outbox import scoring_enqueue

    assessment, _ = scored(organization=buyer.organization, vendor=vendor, template=template)
    job = scoring_enqueue(assessment=assessment, digest=assessment.answers_digest)
    assert job == job_of(assessment) and job.status == "done"
    assert ScoringJob.objects.filter(assessment=assessment).count() == 1


def test_a_failing_task_ends_failed_after_three_tries_with_the_error(
        buyer, vendor, template, monkeypatch):
    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    job = job_of(assessment)
    tries: list[str] = []

    def database_away(job_id):
        tries.append(job_id)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(scoring_runs, "_score", database_away)
    # Run here, eagerly: each retry runs at once (no countdown) instead of being queued.
    monkeypatch.setitem(score_job.app.conf, "task_eager_propagates", False)
    result = score_job.apply(args=[str(job.pk)])
    assert result.state == "FAILURE" and isinstance(result.result, OperationalError)
    job.refresh_from_db()
    assert len(tries) == 3
    assert (job.status, job.attempts) == ("failed", 3)
    assert "OperationalError: server closed the connection unexpectedly" in job.error
    assert job.finished_at is not None
    assert not ScoreRun.objects.filter(assessment=assessment).exists()


def test_an_error_that_would_recur_fails_the_job_at_once(buyer, vendor, template):
    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    # Written around the service, which would have refused it.
    Scenario.objects.create(organization=buyer.organization, key="broken", title="Broken",
                            definition={"key": "broken", "changes": {"fail_controls": "sec_mfa"}})
    job = job_of(assessment)
    with pytest.raises(ValueError, match="custom scenario 'broken'"):
        score_job.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert "ScenarioError" in job.error and "custom scenario 'broken'" in job.error


def test_a_job_whose_worker_died_three_times_is_refused_and_failed(buyer, vendor, template):
    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    job = job_of(assessment)
    # Three deliveries began and none finished: each killed its worker (out of memory, say).
    ScoringJob.objects.filter(pk=job.pk).update(status="dispatched", attempts=3)
    assert score_job.apply(args=[str(job.pk)]).get() is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 3)
    assert "gave up after 3 attempts" in job.error
    assert not ScoreRun.objects.filter(assessment=assessment).exists()


def test_answers_changed_after_submission_are_not_filed_under_the_old_digest(
        buyer, vendor, template):
    from questionnaires.assessments.models import Answer

    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    Answer.objects.filter(assessment=assessment, question__key="sec_mfa").update(value="no")
    assert scoring_runs.scoring_run(job_id=job_of(assessment).pk) is None
    job = job_of(assessment)
    assert job.status == "failed" and "answers changed" in job.error
    assert not ScoreRun.objects.exists()


def test_a_job_for_a_deleted_assessment_is_a_quiet_no_op(buyer, vendor, template):
    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    job_id = job_of(assessment).pk
    assessment.delete()
    assert score_job.apply(args=[str(job_id)]).get() is None


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_moment_store_one_score_run(buyer, vendor, template, published):
    # Committed for real, so each thread has its own connection and transaction; the
    # message the commit would publish is kept here, away from any worker.
    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    assert published == [str(job_of(assessment).pk)]
    job = job_of(assessment)
    start = threading.Barrier(2)
    runs, errors = [], []

    def deliver():
        try:
            start.wait(timeout=10)
            runs.append(scoring_runs.scoring_run(job_id=job.pk))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(runs) == 2 and runs[0] == runs[1] is not None
    assert ScoreRun.objects.filter(assessment=assessment).count() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.attempts in (1, 2)


def test_the_workers_snapshot_gives_the_digest_submission_computed(buyer, vendor):
    """The worker reads the answers as plain rows (fast); what it files the score under
    must stay exactly what submission computed, hidden answers, comments and evidence
    included."""
    import copy
    import hashlib

    from django.core.files.base import ContentFile

    from questionnaires.assessments.models import Evidence
    from questionnaires.assessments.services.lifecycle import answer_save
    from questionnaires.assessments.services.snapshot import answer_snapshot
    from questionnaires.authoring.models import Question
    from questionnaires.authoring.services.templates import compiled_template
    from tests.support.scoring import RESPONDENT, SMALL_SPEC, issue_answered

    spec = copy.deepcopy(SMALL_SPEC)
    spec["sections"][0]["questions"].append(
        {"key": "own_pct", "kind": "number", "text": "What share?", "show_if": 'own_equity == "yes"'})
    spec["sections"][1]["questions"].append(
        {"key": "sec_soc2", "kind": "file", "evidence": "optional", "text": "SOC 2 report"})
    template = small_template(buyer.organization, spec)
    assessment = issue_answered(organization=buyer.organization, vendor=vendor, template=template,
                                answers={"own_equity": "yes", "own_pct": 30, "sec_mfa": "yes",
                                         "sec_notify_hours": 12})
    versions = dict(assessment.answers.values_list("question__key", "version"))
    # Hidden from now on, but still stored: the digest leaves it out, the engine sees it.
    answer_save(assessment=assessment, question_key="own_equity", value="no",
                comment="Sold in 2024.", version=versions["own_equity"], by=RESPONDENT)
    content = b"%PDF-1.4 report"
    evidence = Evidence(assessment=assessment, name="soc2.pdf", size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content_type="application/pdf",
                        question=Question.objects.get(template=template, key="sec_soc2"),
                        uploaded_by=RESPONDENT)
    evidence.file.save("soc2.pdf", ContentFile(content), save=True)

    worker = answer_snapshot(assessment=assessment, compiled=compiled_template(template))
    values, hashes, digest = worker.values, worker.evidence, worker.digest
    assert digest == answer_snapshot(assessment=assessment).digest
    assert values["own_pct"] == 30 and hashes == {"sec_soc2": [evidence.sha256]}
