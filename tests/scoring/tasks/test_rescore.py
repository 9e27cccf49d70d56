"""Re-scoring a template's submitted assessments through the outbox: the API (202 with the
number of new jobs, the caller's organisation only), the command, batches, and idempotence:
a second request queues nothing."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from questionnaires.audit.models import AuditEvent
from questionnaires.scoring.models import ScoreRun, ScoringJob
from questionnaires.scoring.services import outbox as scoring
from questionnaires.scoring.services import runs
from tests.support.actors import api_client_for
from tests.support.factories import VendorFactory
from tests.support.scoring import issue_answered, job_of, scored, small_template, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(buyer_org):
    return small_template(buyer_org)


def url(template) -> str:
    return f"/api/v1/templates/{template.pk}/rescore/"


def fail(assessment) -> None:
    ScoringJob.objects.filter(assessment=assessment).update(status="failed", attempts=1,
                                                            error="ScenarioError: ...")


def test_rescore_queues_a_job_for_each_submitted_assessment_without_a_score(
        api, buyer, vendor, template, django_capture_on_commit_callbacks, monkeypatch):
    org = buyer.organization
    lost = submitted(organization=org, vendor=vendor, template=template)
    fail(lost)
    done, _ = scored(organization=org, vendor=vendor, template=template)
    queued = submitted(organization=org, vendor=vendor, template=template)  # job pending
    issue_answered(organization=org, vendor=vendor, template=template)  # not submitted
    dispatched: list = []
    monkeypatch.setattr(scoring, "scoring_dispatch", lambda job_ids: dispatched.extend(job_ids))

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url(template), format="json")
    assert response.status_code == 202 and response.json() == {"jobs": 1}
    new = job_of(lost)
    assert new.status == "pending" and new.digest == lost.answers_digest and new.attempts == 0
    assert dispatched == [new.pk]
    assert ScoringJob.objects.filter(assessment=done).count() == 1
    assert ScoringJob.objects.filter(assessment=queued).count() == 1

    event = AuditEvent.objects.get(action="template.rescored", organization=org)
    assert event.actor == buyer.user and event.data["jobs"] == 1

    # Queued already: asking again adds nothing.
    assert api.post(url(template), format="json").json() == {"jobs": 0}


def test_the_new_job_scores_the_assessment_and_then_there_is_nothing_left(
        api, buyer, vendor, template):
    lost = submitted(organization=buyer.organization, vendor=vendor, template=template)
    fail(lost)
    assert api.post(url(template)).json() == {"jobs": 1}
    run = runs.scoring_run(job_id=job_of(lost).pk)
    assert run is not None and run.digest == lost.answers_digest
    assert api.post(url(template)).json() == {"jobs": 0}


def test_all_engine_also_rescores_answers_scored_only_by_an_older_engine(
        api, buyer, vendor, template):
    from questionnaires.scoring import ENGINE_VERSION

    assessment, run = scored(organization=buyer.organization, vendor=vendor, template=template)
    ScoreRun.objects.filter(pk=run.pk).update(engine_version="0-old")
    assert api.post(url(template), format="json").json() == {"jobs": 0}
    assert api.post(url(template), {"all_engine": True}, format="json").json() == {"jobs": 1}
    assert api.post(url(template), {"all_engine": True}, format="json").json() == {"jobs": 0}
    fresh = runs.scoring_run(job_id=job_of(assessment).pk)
    assert fresh.engine_version == ENGINE_VERSION
    assert ScoreRun.objects.filter(assessment=assessment).count() == 2
    assert api.post(url(template), {"all_engine": True}, format="json").json() == {"jobs": 0}


def test_rescore_touches_only_the_callers_organisation(api, buyer, vendor, outsider):
    library = small_template(None)  # shared: both organisations issue it
    mine = submitted(organization=buyer.organization, vendor=vendor, template=library)
    other_org = outsider.organization
    theirs = submitted(organization=other_org, vendor=VendorFactory(organization=other_org),
                       template=library)
    fail(mine)
    fail(theirs)
    assert api.post(url(library)).json() == {"jobs": 1}
    assert job_of(mine).status == "pending" and job_of(theirs).status == "failed"


def test_rescore_refuses_compliance_and_hides_other_organisations_templates(
        compliance, colleague, outsider_api, template, anonymous_api):
    assert api_client_for(compliance).post(url(template)).status_code == 403
    assert api_client_for(colleague).post(url(template)).status_code == 202
    response = outsider_api.post(url(template))
    assert response.status_code == 404
    assert response.json() == outsider_api.post(
        f"/api/v1/templates/{uuid.uuid4()}/rescore/").json()
    assert anonymous_api.post(url(template)).status_code == 401


def test_a_bad_all_engine_value_is_a_located_400(api, template):
    response = api.post(url(template), {"all_engine": "sometimes"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "all_engine"


def test_rescoring_works_through_batches_each_dispatched_after_its_own_commit(
        buyer, vendor, template, django_capture_on_commit_callbacks, monkeypatch):
    assessments = [submitted(organization=buyer.organization, vendor=vendor, template=template)
                   for _ in range(5)]
    for assessment in assessments:
        fail(assessment)
    batches: list[list] = []
    monkeypatch.setattr(scoring, "scoring_dispatch", lambda job_ids: batches.append(job_ids))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = scoring.scoring_rescore(template=template, batch_size=2)
    assert created == 5 and len(callbacks) == 3
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert {job_of(a).pk for a in assessments} == {pk for batch in batches for pk in batch}


def test_the_command_rescores_every_organisations_assessments_of_the_template(
        buyer, vendor, template, outsider):
    lost = submitted(organization=buyer.organization, vendor=vendor, template=template)
    fail(lost)
    out = StringIO()
    call_command("rescore", "--template", str(template.pk), stdout=out)
    assert "Queued 1 scoring job(s)" in out.getvalue()
    assert f"in batches of {scoring.RESCORE_BATCH}" in out.getvalue()
    assert job_of(lost).status == "pending"
    again = StringIO()
    call_command("rescore", "--template", str(template.pk), "--all-engine", stdout=again)
    assert "Queued 0 scoring job(s)" in again.getvalue()


def test_the_command_can_be_limited_to_one_organisation(buyer, vendor, template, outsider):
    lost = submitted(organization=buyer.organization, vendor=vendor, template=template)
    fail(lost)
    out = StringIO()
    call_command("rescore", "--template", str(template.pk), "--organization",
                 outsider.organization.name, stdout=out)
    assert "Queued 0 scoring job(s) for the assessments of Orbital Dynamics" in out.getvalue()


@pytest.mark.parametrize("args, message", [
    (["--template", "not-a-uuid"], "no such template"),
    (["--template", str(uuid.uuid4())], "no such template"),
])
def test_the_command_refuses_an_unknown_template(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rescore", *args)


def test_the_command_refuses_an_unknown_organisation(template):
    with pytest.raises(CommandError, match="no such buyer organisation"):
        call_command("rescore", "--template", str(template.pk), "--organization", "Nobody")
