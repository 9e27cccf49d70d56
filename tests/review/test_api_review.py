"""POST /api/v1/assessments/{id}/review/: the decision API (API.md)."""

from __future__ import annotations

import datetime

import pytest

from tests.support import assessments as builders
from tests.support.actors import api_client_for

pytestmark = pytest.mark.django_db


def review_url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/review/"


def test_request_changes_reopens_the_questions_and_returns_the_new_round(api, submitted):
    response = api.post(review_url(submitted), {
        "decision": "request_changes", "note": "Which staff lack MFA?",
        "questions": ["sec_mfa"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["decision"] == "request_changes" and body["questions"] == ["sec_mfa"]
    assert body["assessment"] == {**body["assessment"], "status": "changes_requested",
                                  "round": 1, "reopened_keys": ["sec_mfa"]}
    assert body["reviewer"] == "alice"


def test_approve_with_conditions_returns_each_condition(api, submitted):
    due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = api.post(review_url(submitted), {
        "decision": "approve_with_conditions", "note": "ok",
        "conditions": [{"text": "Rotate keys yearly", "due_date": due}]}, format="json")
    assert response.status_code == 201
    conditions = response.json()["conditions"]
    assert [(c["text"], c["due_date"], c["status"]) for c in conditions] == [
        ("Rotate keys yearly", due, "open")]
    assert response.json()["assessment"]["status"] == "approved_with_conditions"


@pytest.mark.parametrize(("payload", "field"), [
    ({"decision": "approve", "note": ""}, "note"),
    ({"decision": "maybe", "note": "x"}, "decision"),
    ({"decision": "request_changes", "note": "x", "questions": []}, "questions"),
    ({"decision": "request_changes", "note": "x", "questions": ["sec_mfa", "nope"]},
     "questions[1]"),
    ({"decision": "approve_with_conditions", "note": "x", "conditions": []}, "conditions"),
    ({"decision": "approve_with_conditions", "note": "x",
      "conditions": [{"text": "t", "due_date": "2001-01-01"}]}, "conditions[0].due_date"),
    ({"decision": "approve_with_conditions", "note": "x",
      "conditions": [{"text": "t", "due_date": "soon"}]}, "conditions[0].due_date"),
    ({"decision": "approve_with_conditions", "note": "x",
      "conditions": [{"text": "", "due_date": "2099-01-01"}]}, "conditions[0].text"),
    ({"decision": "approve", "note": "x", "questions": ["sec_mfa"]}, "questions"),
    ({"decision": "reject", "note": "x",
      "conditions": [{"text": "t", "due_date": "2099-01-01"}]}, "conditions"),
])
def test_invalid_input_is_a_400_with_the_field_and_the_reason(api, submitted, payload, field):
    response = api.post(review_url(submitted), payload, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors] and all(e["message"] for e in errors)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_decision_the_status_does_not_allow_is_409(api, buyer, vendor, template):
    unanswered = builders.issue(organization=buyer.organization, vendor=vendor,
                                template=template)
    response = api.post(review_url(unanswered), {"decision": "reject", "note": "no"},
                        format="json")
    assert response.status_code == 409
    assert "cannot become rejected" in response.json()["errors"][0]["message"]


def test_compliance_may_not_decide(compliance, submitted):
    response = api_client_for(compliance).post(review_url(submitted),
                                               {"decision": "approve", "note": "x"},
                                               format="json")
    assert response.status_code == 403


def test_another_organisation_gets_404_and_anonymous_401(outsider_api, anonymous_api,
                                                          submitted):
    payload = {"decision": "approve", "note": "x"}
    assert outsider_api.post(review_url(submitted), payload, format="json").status_code == 404
    assert anonymous_api.post(review_url(submitted), payload, format="json").status_code == 401
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
