"""Scoring on real Celery workers and a real Redis: exactly once, nothing lost.

- a worker killed with SIGKILL in the middle of 100 submissions: a new worker finishes,
  the killed one's messages come back, the outbox sweep re-dispatches any job whose message
  died with it, and every assessment has exactly one score run;
- Redis down: submissions still succeed in well under 5 s, their jobs wait in the outbox,
  and the sweeper has them all scored once Redis is back; the email to the buyer's members
  that a submission also queues must not undo that;
- Redis paused (it accepts connections and answers nothing): submissions through the API
  still answer 200 within 5 s, and once it resumes the sweeper has them scored once, by a
  worker whose acknowledgement went unanswered during the pause;
- the same message delivered twice stores one score run;
- a task that always fails ends `failed`, with its reason, after at most three tries.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.utils import timezone

from questionnaires.audit.models import AuditEvent
from questionnaires.scoring.models import Scenario, ScoreRun, ScoringJob
from questionnaires.scoring.services.outbox import MAX_ATTEMPTS, redispatch_grace, scoring_sweep
from tests.support.actors import api_client_for
from tests.support.scoring import (
    RESPONDENT,
    SCORE_TASK,
    issue_answered,
    job_of,
    small_template,
    submit,
)
from tests.support.waiting import wait_for
from tests.support.workers import discard_worker, kill_hard, start_worker, stop_worker, table_locked, waiting_for_lock

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_invitation_email")]

SUBMISSIONS = 100
KILL_AFTER = 30  # score runs stored when the first worker is killed
SUBMIT_DEADLINE = 5.0  # seconds a submission may take with the broker down


def answered(buyer, vendor, count: int) -> list:
    template = small_template(buyer.organization)
    with transaction.atomic():  # one commit for the set-up; each submission commits alone
        return [issue_answered(organization=buyer.organization, vendor=vendor, template=template)
                for _ in range(count)]


def settled(predicate, *, what: str, assessments, workers=(), timeout: float = 60,
            interval: float = 0.2):
    """wait_for, and on a timeout say where things stood: the jobs and the workers' logs."""
    try:
        return wait_for(predicate, timeout=timeout, interval=interval, what=what)
    except AssertionError as error:
        jobs = ScoringJob.objects.filter(assessment__in=assessments)
        states = sorted(set(jobs.values_list("status", "attempts", "error")))
        logs = "\n".join(f"--- {w.log.name}\n{w.log.read_text()[-3000:]}" for w in workers)
        raise AssertionError(f"{error}\njobs (status, attempts, error): {states[:10]}\n"
                             f"{runs_of(assessments)} score runs\n{logs}") from None


def runs_of(assessments) -> int:
    return ScoreRun.objects.filter(assessment__in=assessments).count()


def all_done(assessments) -> bool:
    jobs = ScoringJob.objects.filter(assessment__in=assessments)
    return jobs.count() == len(assessments) and not jobs.exclude(status="done").exists()


def assert_scored_exactly_once(assessments) -> None:
    runs = ScoreRun.objects.filter(assessment__in=assessments)
    assert runs.count() == len(assessments)
    assert runs.values("assessment").distinct().count() == len(assessments)
    for run in runs.select_related("assessment"):
        assert run.digest == run.assessment.answers_digest
    jobs = ScoringJob.objects.filter(assessment__in=assessments)
    assert jobs.count() == len(assessments)
    assert set(jobs.values_list("status", flat=True)) == {"done"}
    # The side effects of a scoring happened once too.
    events = AuditEvent.objects.filter(action="assessment.scored",
                                       object_id__in=[str(a.pk) for a in assessments])
    assert events.count() == len(assessments)


def test_a_worker_killed_mid_run_loses_nothing_and_doubles_nothing(
        buyer, vendor, tmp_path, private_broker, settings):
    assessments = answered(buyer, vendor, SUBMISSIONS)
    for assessment in assessments:
        submit(assessment)  # committed; published right after the commit
    assert private_broker.queued(SCORE_TASK) == SUBMISSIONS
    assert ScoringJob.objects.filter(status="dispatched").count() == SUBMISSIONS

    first = start_worker(mail_dir=tmp_path / "first", queues="celery")
    try:
        settled(lambda: runs_of(assessments) >= KILL_AFTER, interval=0.01,
                what=f"{KILL_AFTER} score runs from the first worker", assessments=assessments,
                workers=[first])
        kill_hard(first.process)
    finally:
        if first.process.poll() is None:
            stop_worker(first)
    stored_at_kill = runs_of(assessments)
    abandoned = private_broker.in_flight_tags(SCORE_TASK)
    assert KILL_AFTER <= stored_at_kill < SUBMISSIONS
    # What the dead worker had taken and not acknowledged, for Redis to deliver again.
    assert abandoned

    second = start_worker(mail_dir=tmp_path / "second", queues="celery")
    try:
        # The second worker has emptied the queue (with whatever Redis gave back of the dead
        # worker's messages) and holds none of its own: nothing Redis will deliver soon.
        settled(lambda: private_broker.queued(SCORE_TASK) == 0
                and private_broker.in_flight_tags(SCORE_TASK) <= abandoned, timeout=90,
                what="the queue emptied by the second worker", assessments=assessments,
                workers=[first, second])
        # Jobs still not done have their message only among the dead worker's (Redis gives
        # those back after the visibility timeout, later still when the killed worker held
        # kombu's restore lock) or nowhere (taken off the queue, not yet recorded). The
        # outbox sweep re-dispatches them: driven here as beat would, with a short grace.
        settings.SCORING_REDISPATCH_AFTER = 1
        jobs = ScoringJob.objects.filter(assessment__in=assessments)
        stuck = set(jobs.exclude(status="done").values_list("pk", flat=True))
        swept_at = timezone.now()
        assert not jobs.filter(pk__in=stuck,
                               dispatched_at__gte=swept_at - redispatch_grace()).exists()
        assert scoring_sweep() <= len(stuck)  # less only if one got done meanwhile
        # Each is done or was just published again; none is left waiting on Redis.
        assert not jobs.filter(pk__in=stuck, dispatched_at__lt=swept_at).exclude(
            status="done").exists()
        settled(lambda: all_done(assessments), timeout=90, assessments=assessments,
                what="every job done by the second worker", workers=[first, second])
        # What Redis still holds of the dead worker's comes back now (kombu's restore, as
        # a live worker runs it), and is handled without scoring anything twice.
        private_broker.restore(private_broker.in_flight_tags(SCORE_TASK) & abandoned)
        settled(lambda: private_broker.in_flight(SCORE_TASK) == 0
                and private_broker.queued(SCORE_TASK) == 0,
                what="no message left to deliver", assessments=assessments,
                workers=[first, second])
    finally:
        stop_worker(second)
    assert_scored_exactly_once(assessments)
    assert ScoringJob.objects.filter(attempts__gt=MAX_ATTEMPTS).count() == 0


def test_submissions_succeed_fast_while_redis_is_down_and_are_scored_once_it_returns(
        buyer, vendor, tmp_path, private_broker):
    # Only the scoring outbox here: the email to the buyer's members on submission takes
    # another path, checked by the next test.
    buyer.notifications = {"assessment_submitted": False}
    buyer.save(update_fields=["notifications"])
    assessments = answered(buyer, vendor, 10)
    worker = start_worker(mail_dir=tmp_path / "worker", queues="celery")
    try:
        private_broker.stop()
        took = []
        for assessment in assessments:
            started = time.monotonic()
            submitted = submit(assessment)
            took.append(time.monotonic() - started)
            assert submitted.status == "submitted"
        assert max(took) < SUBMIT_DEADLINE, took
        jobs = ScoringJob.objects.filter(assessment__in=assessments)
        assert set(jobs.values_list("status", flat=True)) == {"pending"}

        private_broker.start()
        assert scoring_sweep() == len(assessments)  # what celery beat runs every minute
        settled(lambda: all_done(assessments), assessments=assessments, workers=[worker],
                what="the swept jobs scored by the worker, reconnected to Redis")
    finally:
        if not private_broker.running:
            private_broker.start()  # the worker stops cleanly only with its broker up
        stop_worker(worker)
    assert_scored_exactly_once(assessments)


def test_a_submission_while_redis_is_down_succeeds_although_members_are_to_be_emailed(
        buyer, vendor, private_broker):
    """The buyer's members are emailed on each submission (by default); with the broker
    down that email cannot be queued, which must not turn a committed submission into an
    error for the vendor, nor hold the request past the deadline; and the email is not
    lost either: it is sent from the request instead of by a worker."""
    from django.core import mail

    [assessment] = answered(buyer, vendor, 1)
    mail.outbox.clear()
    private_broker.stop()
    started = time.monotonic()
    try:
        submitted = submit(assessment)
    finally:
        took = time.monotonic() - started
        private_broker.start()
    assert submitted.status == "submitted" and took < SUBMIT_DEADLINE, took
    assert job_of(assessment).status == "pending"
    [email] = [m for m in mail.outbox if vendor.name in m.subject]
    assert email.to == [buyer.user.email] and str(assessment.pk) in email.body


def test_submissions_through_the_api_answer_fast_while_redis_is_paused_and_are_scored_once_it_resumes(
        buyer, vendor, tmp_path, private_broker, anonymous_api):
    """Paused, Redis completes every connection and answers nothing, so each client waits
    out its socket timeout: the invitation limit's cache read and the submission's two
    publishes (the scoring job, the members' email) must still fit in the deadline, and
    the vendor must get their 200, not a 500. The worker finishes a task during the pause,
    so its acknowledgement goes unanswered: it must still take work once Redis resumes."""
    from questionnaires.assessments.services.lifecycle import invitation_create

    assessments = answered(buyer, vendor, 3)
    tokens = [invitation_create(assessment=a, email=RESPONDENT, send=False).token
              for a in assessments]

    def submit_through_the_api(token: str) -> tuple[int, float]:
        anonymous_api.credentials(HTTP_AUTHORIZATION=f"Invite {token}")
        started = time.monotonic()
        status = anonymous_api.post("/api/v1/respond/submit/").status_code
        return status, time.monotonic() - started

    # One slot: a single unanswered acknowledgement would be enough to stop it for good.
    worker = start_worker(mail_dir=tmp_path / "worker", concurrency=1, queues="celery")
    try:
        with table_locked(ScoreRun):
            # While Redis answers, so that this process holds live pooled connections, as
            # a web process does when Redis stops answering; its scoring waits on the lock.
            assert submit_through_the_api(tokens[0])[0] == 200
            wait_for(lambda: waiting_for_lock(ScoreRun), timeout=30,
                     what="the worker's score run waiting on the lock")
            private_broker.pause()
        settled(lambda: "Couldn't ack" in worker.log.read_text(), assessments=assessments,
                workers=[worker], what="the worker's acknowledgement unanswered")
        during = [submit_through_the_api(token) for token in tokens[1:]]
        assert [status for status, _ in during] == [200] * len(during)
        assert max(took for _, took in during) < SUBMIT_DEADLINE, during
        jobs = ScoringJob.objects.filter(assessment__in=assessments[1:])
        assert set(jobs.values_list("status", flat=True)) == {"pending"}

        private_broker.resume()
        assert scoring_sweep() == len(during)  # what celery beat runs every minute
        settled(lambda: all_done(assessments), assessments=assessments, workers=[worker],
                what="every job scored by the worker that lived through the pause")
    finally:
        discard_worker(worker)
    assert_scored_exactly_once(assessments)


def test_the_same_message_delivered_twice_stores_one_score_run(
        buyer, vendor, tmp_path, private_broker):
    from questionnaires.scoring.tasks import score_job

    [assessment] = answered(buyer, vendor, 1)
    submit(assessment)
    job = job_of(assessment)
    score_job.apply_async(args=[str(job.pk)])  # the same job, a second message
    assert private_broker.queued(SCORE_TASK) == 2
    worker = start_worker(mail_dir=tmp_path / "worker", concurrency=2, queues="celery")
    try:
        settled(lambda: private_broker.queued(SCORE_TASK) == 0 and private_broker.in_flight(SCORE_TASK) == 0
                and all_done([assessment]), what="both deliveries handled",
                assessments=[assessment], workers=[worker])
    finally:
        stop_worker(worker)
    assert_scored_exactly_once([assessment])


def test_a_task_that_always_fails_ends_failed_with_its_reason_after_at_most_three_tries(
        buyer, vendor, tmp_path, private_broker):
    [assessment] = answered(buyer, vendor, 1)
    # A custom scenario written around the service's validation: every scoring of this
    # organisation would fail on it.
    Scenario.objects.create(organization=buyer.organization, key="broken", title="Broken",
                            definition={"key": "broken", "title": "Broken"})
    submit(assessment)
    worker = start_worker(mail_dir=tmp_path / "worker", queues="celery")
    try:
        settled(lambda: job_of(assessment).status == "failed", what="the job marked failed",
                assessments=[assessment], workers=[worker])
        settled(lambda: private_broker.queued(SCORE_TASK) == 0 and private_broker.in_flight(SCORE_TASK) == 0,
                what="the message acknowledged, not redelivered", assessments=[assessment],
                workers=[worker])
    finally:
        stop_worker(worker)
    job = job_of(assessment)
    assert 1 <= job.attempts <= MAX_ATTEMPTS
    assert "custom scenario 'broken'" in job.error and "required field missing" in job.error
    assert not ScoreRun.objects.filter(assessment=assessment).exists()
    listed = api_client_for(buyer).get(f"/api/v1/assessments/{assessment.pk}/scoring-jobs/")
    assert listed.json()["results"][0]["status"] == "failed"
    assert "custom scenario 'broken'" in listed.json()["results"][0]["error"]
