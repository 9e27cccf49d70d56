"""GET /api/v1/assessments/{id}/scores/ and /scoring-jobs/: what a buyer reads, who may
read it, and a bounded number of queries however many runs there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questionnaires.scoring.models import ScoreRun, ScoringJob
from tests.support.actors import api_client_for
from tests.support.scoring import custom_definition, job_of, scored, small_template, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(buyer_org):
    return small_template(buyer_org)


@pytest.fixture
def scored_assessment(buyer, vendor, template):
    from questionnaires.scoring.services.scenarios import scenario_create

    scenario_create(organization=buyer.organization, definition=custom_definition())
    assessment, _ = scored(organization=buyer.organization, vendor=vendor, template=template)
    return assessment


def scores_url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/scores/"


def jobs_url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/scoring-jobs/"


def test_scores_list_every_part_of_the_score_with_its_explanation(api, scored_assessment):
    response = api.get(scores_url(scored_assessment))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None
    run = body["results"][0]
    stored = ScoreRun.objects.get(assessment=scored_assessment)
    assert run["id"] == str(stored.pk) and run["engine_version"] == stored.engine_version
    assert run["digest"] == scored_assessment.answers_digest
    assert run["overall"] == stored.overall and run["tier"] in ("low", "medium", "high", "critical")
    assert [(s["key"], s["title"], s["weight"]) for s in run["sections"]] == [
        ("ownership", "Ownership", 1.0), ("security", "Security", 1.0)]
    assert run["flags"] == [{"severity": "high", "question": "own_equity",
                             "title": "A model builder holds equity",
                             "recommendation": "Ask for the cap table.", "penalty": 10.0}]
    keys = [scenario["key"] for scenario in run["scenarios"]]
    assert "vendor-breach" in keys and keys[-1] == "mfa-bypassed"
    custom = run["scenarios"][-1]
    assert custom["delta"] < 0 and [b["question"] for b in custom["broken"]] == ["sec_mfa"]
    assert custom["broken"][0]["why"] == "control marked failed"
    assert set(run["neutrality"]) == {"status", "penalty", "reason"}
    assert run["explanation"]["overall"].startswith("Base ")
    assert set(run["explanation"]["sections"]) == {"ownership", "security"}


def test_score_runs_come_newest_first(api, scored_assessment):
    older = ScoreRun.objects.get(assessment=scored_assessment)
    newer = ScoreRun.objects.create(assessment=scored_assessment, digest="0" * 64,
                                    engine_version=older.engine_version, overall=50, tier="high",
                                    result=older.result, scenarios=older.scenarios)
    ids = [run["id"] for run in api.get(scores_url(scored_assessment)).json()["results"]]
    assert ids == [str(newer.pk), str(older.pk)]


def test_an_unscored_assessment_has_no_score_runs_yet(api, buyer, vendor, template):
    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    body = api.get(scores_url(assessment)).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_compliance_and_colleagues_read_scores_and_jobs(colleague, compliance, scored_assessment):
    for member in (colleague, compliance):
        client = api_client_for(member)
        assert client.get(scores_url(scored_assessment)).json()["count"] == 1
        assert client.get(jobs_url(scored_assessment)).json()["count"] == 1


def test_an_outsider_gets_404_for_scores_and_jobs_like_for_a_made_up_id(
        outsider_api, scored_assessment):
    import uuid

    for url in (scores_url(scored_assessment), jobs_url(scored_assessment)):
        response = outsider_api.get(url)
        assert response.status_code == 404
        made_up = outsider_api.get(url.replace(str(scored_assessment.pk), str(uuid.uuid4())))
        assert response.json() == made_up.json()
        assert response.json()["errors"][0]["field"] is None


def test_anonymous_callers_get_401(anonymous_api, scored_assessment):
    assert anonymous_api.get(scores_url(scored_assessment)).status_code == 401
    assert anonymous_api.get(jobs_url(scored_assessment)).status_code == 401


def test_scores_are_read_only(api, scored_assessment):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)(scores_url(scored_assessment)).status_code == 405


def test_the_jobs_listing_shows_a_failed_job_with_its_attempts_and_reason(
        api, buyer, vendor, template):
    from questionnaires.scoring.models import Scenario
    from questionnaires.scoring.services.runs import scoring_record_failure

    assessment = submitted(organization=buyer.organization, vendor=vendor, template=template)
    Scenario.objects.create(organization=buyer.organization, key="x", title="x", definition={})
    job = job_of(assessment)
    ScoringJob.objects.filter(pk=job.pk).update(attempts=1)
    scoring_record_failure(job_id=job.pk, error="ScenarioError: custom scenario 'x': bad",
                           retryable=False)
    row = api.get(jobs_url(assessment)).json()["results"][0]
    assert row["id"] == str(job.pk) and row["digest"] == assessment.answers_digest
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert row["error"] == "ScenarioError: custom scenario 'x': bad"
    assert row["finished_at"] is not None


def test_reading_scores_takes_the_same_queries_for_one_run_or_many(api, scored_assessment):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(scores_url(scored_assessment)).status_code == 200
        return len(captured)

    one = queries()
    run = ScoreRun.objects.get(assessment=scored_assessment)
    ScoreRun.objects.bulk_create([
        ScoreRun(assessment=scored_assessment, digest=f"{n:064d}", engine_version="1",
                 overall=run.overall, tier=run.tier, result=run.result, scenarios=run.scenarios)
        for n in range(30)])
    assert queries() == one <= 6
