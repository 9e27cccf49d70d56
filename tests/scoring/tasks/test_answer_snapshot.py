"""One answer snapshot: submission, the scoring worker and the report all file and cite the
same digest for the same answers, hidden answers, comments and evidence included."""

from __future__ import annotations

import copy
import hashlib

import pytest

from tests.support.scoring import RESPONDENT, SMALL_SPEC, issue_answered, job_of, small_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(buyer, vendor):
    """Answered with a comment, a file, and an answer that a later answer hid."""
    from django.core.files.base import ContentFile

    from questionnaires.assessments.models import Evidence
    from questionnaires.assessments.services.lifecycle import answer_save
    from questionnaires.authoring.models import Question

    spec = copy.deepcopy(SMALL_SPEC)
    spec["sections"][0]["questions"].append(
        {"key": "own_pct", "kind": "number", "text": "What share?",
         "show_if": 'own_equity == "yes"'})
    spec["sections"][1]["questions"].append(
        {"key": "sec_soc2", "kind": "file", "evidence": "optional", "text": "SOC 2 report"})
    template = small_template(buyer.organization, spec)
    assessment = issue_answered(organization=buyer.organization, vendor=vendor,
                                template=template,
                                answers={"own_equity": "yes", "own_pct": 30, "sec_mfa": "yes",
                                         "sec_notify_hours": 12})
    version = assessment.answers.get(question__key="own_equity").version
    answer_save(assessment=assessment, question_key="own_equity", value="no",
                comment="Sold in 2024.", version=version, by=RESPONDENT)
    content = b"%PDF-1.4 report"
    evidence = Evidence(assessment=assessment, name="soc2.pdf", size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(),
                        content_type="application/pdf",
                        question=Question.objects.get(template=template, key="sec_soc2"),
                        uploaded_by=RESPONDENT)
    evidence.file.save("soc2.pdf", ContentFile(content), save=True)
    return assessment, evidence


def test_the_snapshot_keeps_hidden_answers_but_digests_only_the_visible_ones(answered):
    from questionnaires.assessments.services.answers import answers_digest
    from questionnaires.assessments.services.snapshot import answer_snapshot

    assessment, evidence = answered
    snapshot = answer_snapshot(assessment=assessment)
    assert snapshot.values["own_pct"] == 30  # stored, hidden since own_equity became "no"
    assert snapshot.effective == {"own_equity": "no", "sec_mfa": "yes", "sec_notify_hours": 12}
    assert snapshot.comments["own_equity"] == "Sold in 2024."
    assert snapshot.evidence == {"sec_soc2": [evidence.sha256]}
    assert snapshot.digest == answers_digest(
        {"own_equity": "no", "sec_mfa": "yes", "sec_notify_hours": 12},
        {"own_equity": "Sold in 2024."}, {"sec_soc2": [evidence.sha256]})


def test_submission_scoring_and_the_report_agree_on_the_digest(answered, buyer):
    from questionnaires.assessments.services.lifecycle import assessment_submit
    from questionnaires.reports.context import report_context
    from questionnaires.reports.models import Report
    from questionnaires.scoring.services.runs import scoring_run

    assessment, _ = answered
    submitted = assessment_submit(assessment=assessment, by=RESPONDENT)
    run = scoring_run(job_id=job_of(submitted).pk)
    # A worker whose snapshot disagreed with submission's would fail the job, storing no run.
    assert run is not None and run.digest == submitted.answers_digest
    report = Report.objects.create(organization=buyer.organization, assessment=submitted,
                                   score_run=run)
    integrity = report_context(report)["integrity"]
    assert integrity["shown_digest"] == submitted.answers_digest
    assert integrity["answers_changed"] is False


def test_a_changed_comment_changes_the_digest_and_the_report_says_so(answered, buyer):
    from questionnaires.assessments.services.lifecycle import assessment_submit
    from questionnaires.reports.context import report_context
    from questionnaires.reports.models import Report
    from questionnaires.scoring.services.runs import scoring_run

    assessment, _ = answered
    submitted = assessment_submit(assessment=assessment, by=RESPONDENT)
    run = scoring_run(job_id=job_of(submitted).pk)
    answer = submitted.answers.get(question__key="sec_mfa")
    answer.comment = "Hardware keys since March."  # the report must notice, however it changed
    answer.save(update_fields=["comment"])
    report = Report.objects.create(organization=buyer.organization, assessment=submitted,
                                   score_run=run)
    integrity = report_context(report)["integrity"]
    assert integrity["shown_digest"] != run.digest and integrity["answers_changed"] is True
