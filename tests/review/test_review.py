"""Reviewing an assessment: the page, clarification rounds, decisions with conditions,
comments, evidence, reports; the rules enforced by services.reviews for page and API alike."""

from __future__ import annotations

import datetime

import pytest

from questionnaires.assessments.models import AnswerRevision, Comment, RemediationItem, Review
from questionnaires.assessments.services.lifecycle import answer_save
from questionnaires.core.errors import Conflict
from tests.support import assessments as builders

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


def url(assessment, tail: str = "") -> str:
    return f"/assessments/{assessment.pk}/{tail}"


def test_the_review_page_shows_answers_by_section_with_flags_and_evidence(
        reviewer_client, submitted):
    soc2 = builders.evidence(submitted)
    response = reviewer_client.get(url(submitted))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('id="s-ownership"') < html.index('id="s-security"')
    assert "A model builder holds equity" in html and "flag-critical" in html
    assert "Breach notification slower than 72 hours" in html
    assert f"/portal/evidence/{soc2.pk}/" in html
    assert {f["question"] for f in response.context["page"].flags} == {"own_equity",
                                                                       "sec_notify_hours"}


def test_a_buyer_downloads_evidence_through_the_portals_authorised_view(
        reviewer_client, outsider_client, submitted):
    soc2 = builders.evidence(submitted)
    response = reviewer_client.get(f"/portal/evidence/{soc2.pk}/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert outsider_client.get(f"/portal/evidence/{soc2.pk}/").status_code == 404


def _clarify(client, assessment, questions=("sec_mfa", "sec_notify_hours"),
             note="Please explain the MFA exceptions and the notification delay."):
    return client.post(url(assessment, "decision/"), {
        "decision": "request_changes", "note": note, "questions": list(questions)})


def test_requesting_clarification_reopens_only_the_chosen_questions_for_a_new_round(
        reviewer_client, submitted, colleague, sent_mail):
    with sent_mail() as outbox:
        response = _clarify(reviewer_client, submitted)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "changes_requested" and submitted.round == 1
    assert submitted.reopened_keys == ["sec_mfa", "sec_notify_hours"]
    review = Review.objects.get(assessment=submitted)
    assert review.decision == "request_changes" and review.reviewer == colleague.user
    to_vendor = [m for m in outbox if builders.RESPONDENT in m.to]
    assert len(to_vendor) == 1
    assert "clarify" in to_vendor[0].subject and "Please explain the MFA" in to_vendor[0].body
    assert "http" not in to_vendor[0].body  # they use the link they already hold
    answer_save(assessment=submitted, question_key="sec_mfa", value="yes", comment="Now enforced",
                version=1, by=builders.RESPONDENT)
    with pytest.raises(Conflict, match="only the questions the reviewer reopened"):
        answer_save(assessment=submitted, question_key="own_equity", value="no", comment=None,
                    version=1, by=builders.RESPONDENT)


def test_earlier_answers_stay_readable_after_a_clarification_round(reviewer_client, submitted):
    _clarify(reviewer_client, submitted)
    answer_save(assessment=submitted, question_key="sec_mfa", value="yes", comment=None,
                version=1, by=builders.RESPONDENT)
    revision = AnswerRevision.objects.get(answer__question__key="sec_mfa")
    assert revision.value == "no" and revision.round == 1
    response = reviewer_client.get(url(submitted))
    row = next(r for r in response.context["page"].rows if r.key == "sec_mfa")
    assert row.text == "Yes" and [(r.version, r.text) for r in row.revisions] == [(1, "No")]
    assert "Earlier answers (1)" in response.content.decode()


def test_a_clarification_keeps_an_expired_link_working_long_enough_to_answer(
        reviewer_client, submitted):
    from django.utils import timezone

    submitted.invitations.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    _clarify(reviewer_client, submitted)
    link = submitted.invitations.get()
    assert link.expires_at > timezone.now() + datetime.timedelta(days=29)


def test_approving_with_conditions_creates_remediation_items_and_tells_the_vendor(
        reviewer_client, submitted, sent_mail):
    due = (TODAY() + datetime.timedelta(days=45)).isoformat()
    with sent_mail() as outbox:
        response = reviewer_client.post(url(submitted, "decision/"), {
            "decision": "approve_with_conditions", "note": "Acceptable with a notice clause.",
            "condition_text": ["Add a change-of-control notice clause", ""],
            "condition_due": [due, ""]})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "approved_with_conditions" and submitted.decided_at
    item = RemediationItem.objects.get(assessment=submitted)
    assert item.text == "Add a change-of-control notice clause" and item.due_date.isoformat() == due
    vendor_mail = next(m for m in outbox if builders.RESPONDENT in m.to)
    assert "change-of-control" in vendor_mail.body and due in vendor_mail.body


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_approve_and_reject_record_the_decision(reviewer_client, submitted, decision):
    response = reviewer_client.post(url(submitted, "decision/"),
                                    {"decision": decision, "note": "Checked the SOC 2 report."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == {"approve": "approved", "reject": "rejected"}[decision]


def test_every_decision_needs_a_note(reviewer_client, submitted):
    response = reviewer_client.post(url(submitted, "decision/"), {"decision": "approve",
                                                                  "note": "   "})
    assert response.status_code == 400
    assert "decision_form" in response.context and response.context["decision_form"].errors
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_clarification_without_questions_or_with_unknown_ones_is_refused(
        reviewer_client, submitted):
    assert _clarify(reviewer_client, submitted, questions=()).status_code == 400
    response = _clarify(reviewer_client, submitted, questions=("no_such_question",))
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_ticked_questions_with_an_approval_are_refused_not_dropped(reviewer_client, submitted):
    response = reviewer_client.post(url(submitted, "decision/"), {
        "decision": "approve", "note": "ok", "questions": ["sec_mfa"]})
    assert response.status_code == 400
    assert "only by a request for clarification" in response.content.decode()
    assert 'value="sec_mfa" form="decision-form" checked' in response.content.decode()


def test_a_condition_due_in_the_past_is_refused_and_named(reviewer_client, submitted):
    response = reviewer_client.post(url(submitted, "decision/"), {
        "decision": "approve_with_conditions", "note": "ok",
        "condition_text": ["Fix it"], "condition_due": ["2001-01-01"]})
    assert response.status_code == 400
    assert "Condition 1: the due date is in the past" in response.content.decode()


def test_an_illegal_transition_answers_409_with_a_message(reviewer_client, buyer, vendor,
                                                          template):
    unanswered = builders.issue(organization=buyer.organization, vendor=vendor,
                                template=template)
    response = reviewer_client.post(url(unanswered, "decision/"),
                                    {"decision": "approve", "note": "Looks fine"})
    assert response.status_code == 409
    assert "cannot become approved" in response.content.decode()


def test_a_second_decision_on_a_decided_assessment_is_a_conflict(reviewer_client, submitted):
    reviewer_client.post(url(submitted, "decision/"), {"decision": "reject", "note": "No."})
    again = reviewer_client.post(url(submitted, "decision/"), {"decision": "approve",
                                                               "note": "Yes."})
    assert again.status_code == 409


def test_marking_in_review_moves_a_submitted_assessment(reviewer_client, submitted):
    assert reviewer_client.post(url(submitted, "start-review/")).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "in_review"


# --- Comments ---------------------------------------------------------------------------------
def test_comments_are_internal_unless_marked_visible_to_the_vendor(reviewer_client, submitted):
    from questionnaires.review.services import vendor_visible_comments

    internal = reviewer_client.post(url(submitted, "questions/sec_mfa/comments/"),
                                    {"body": "Check with legal"}, HTTP_HX_REQUEST="true")
    shared = reviewer_client.post(url(submitted, "questions/sec_mfa/comments/"),
                                  {"body": "Which staff are exempt?", "visible_to_vendor": "on"},
                                  HTTP_HX_REQUEST="true")
    assert internal.status_code == shared.status_code == 201
    html = shared.content.decode()
    assert html.startswith('<div class="comments" id="comments-sec_mfa">')
    assert "Check with legal" in html and "Which staff are exempt?" in html
    assert [c.body for c in vendor_visible_comments(submitted)] == ["Which staff are exempt?"]
    assert Comment.objects.get(body="Check with legal").internal is True


def test_an_empty_comment_is_refused_in_place(reviewer_client, submitted):
    response = reviewer_client.post(url(submitted, "questions/sec_mfa/comments/"),
                                    {"body": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "required" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_on_an_unknown_question_is_404(reviewer_client, submitted):
    response = reviewer_client.post(url(submitted, "questions/nope/comments/"), {"body": "x"})
    assert response.status_code == 404


# --- Conditions and evidence ------------------------------------------------------------------
def _approved_with_condition(submitted, colleague):
    from questionnaires.review.services import Condition, review_decide

    review_decide(assessment=submitted, by=colleague.user, decision="approve_with_conditions",
                  note="ok", conditions=[Condition("Encrypt backups", TODAY())])
    return RemediationItem.objects.get(assessment=submitted)


def test_the_vendor_answers_a_condition_and_the_buyer_is_told(
        submitted, colleague, buyer, compliance, sent_mail):
    from questionnaires.review.services import remediation_respond

    compliance.notifications = {"remediation_answered": False}
    compliance.save()
    item = _approved_with_condition(submitted, colleague)
    with sent_mail() as outbox:
        remediation_respond(item=item, response="Backups are encrypted with KMS since May.",
                            by=builders.RESPONDENT)
    item.refresh_from_db()
    assert item.status == "answered" and item.responded_at
    recipients = {address for m in outbox for address in m.to}
    assert buyer.user.email in recipients and colleague.user.email in recipients
    assert compliance.user.email not in recipients  # turned off in their settings


def test_a_closed_condition_can_no_longer_be_answered(reviewer_client, submitted, colleague):
    from questionnaires.review.services import remediation_respond

    item = _approved_with_condition(submitted, colleague)
    response = reviewer_client.post(url(submitted, f"conditions/{item.pk}/close/"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed"
    with pytest.raises(Conflict):
        remediation_respond(item=item, response="late", by=builders.RESPONDENT)


def test_setting_an_evidence_expiry_date(reviewer_client, submitted):
    soc2 = builders.evidence(submitted)
    due = (TODAY() + datetime.timedelta(days=20)).isoformat()
    response = reviewer_client.post(url(submitted, f"evidence/{soc2.pk}/expiry/"),
                                    {"expires_on": due})
    assert response.status_code == 302
    soc2.refresh_from_db()
    assert soc2.expires_on.isoformat() == due


# --- Reports panel ----------------------------------------------------------------------------
def test_the_reports_panel_requests_a_report_and_polls_while_it_renders(
        reviewer_client, submitted):
    response = reviewer_client.post(url(submitted, "reports/"), HTTP_HX_REQUEST="true")
    assert response.status_code == 202
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html and "rendering" in html
    assert submitted.reports.get().status == "pending"


def test_the_reports_panel_lists_a_ready_report_with_its_download(reviewer_client, submitted):
    from questionnaires.reports.models import Report

    Report.objects.create(organization=submitted.organization, assessment=submitted,
                          status="ready", sha256="a" * 64, pages=3)
    html = reviewer_client.get(url(submitted, "reports/")).content.decode()
    report = submitted.reports.get()
    assert f"/api/v1/reports/{report.pk}/pdf/" in html and "every 2s" not in html


def test_a_report_of_an_unscored_assessment_is_refused_in_the_panel(
        reviewer_client, buyer, vendor, template):
    unscored = builders.issue(organization=buyer.organization, vendor=vendor, template=template)
    response = reviewer_client.post(url(unscored, "reports/"), HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "not been scored" in response.content.decode()


# --- Colleagues are told, as their settings say -----------------------------------------------
def test_colleagues_are_emailed_a_decision_unless_they_turned_it_off(
        reviewer_client, submitted, buyer, colleague, compliance, sent_mail):
    buyer.notifications = {"assessment_decided": False}
    buyer.save()
    with sent_mail() as outbox:
        reviewer_client.post(url(submitted, "decision/"), {"decision": "approve", "note": "ok"})
    to_members = {a for m in outbox if "approved" in m.subject for a in m.to}
    assert compliance.user.email in to_members
    assert buyer.user.email not in to_members       # turned off
    assert colleague.user.email not in to_members   # made the decision


# --- Queries ----------------------------------------------------------------------------------
def test_the_review_page_runs_the_same_number_of_queries_for_a_small_and_a_large_questionnaire(
        buyer, vendor, reviewer_client, django_assert_num_queries):
    from questionnaires.authoring.services.templates import compiled_template

    def build(extra):
        template = builders.template_for(buyer.organization, key=f"size-{extra}",
                                         extra_questions=extra)
        compiled_template(template)  # parsed once per process: keep it out of the count
        answers = {**builders.RISKY, **{f"note_{n}": f"control {n}" for n in range(extra)}}
        assessment = builders.scored(organization=buyer.organization, vendor=vendor,
                                     template=template, answers=answers)
        for n in range(min(extra, 40)):
            Comment.objects.create(assessment=assessment, author_label="rob", body="x",
                                   question=assessment.template.questions.get(key=f"note_{n}"))
            builders.evidence(assessment, name=f"f{n}.pdf")
        return assessment

    small, large = build(1), build(120)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert reviewer_client.get(url(small)).status_code == 200
    with django_assert_num_queries(len(captured)):
        assert reviewer_client.get(url(large)).status_code == 200
