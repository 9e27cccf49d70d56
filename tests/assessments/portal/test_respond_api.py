"""The vendor side over HTTP with `Authorization: Invite <token>`."""

from __future__ import annotations

import pytest

from questionnaires.assessments.models import Answer, Invitation
from tests.support.actors import api_client_for
from tests.support.files import tiny_pdf, upload
from tests.support.portal import VENDOR_EMAIL, invite_client

pytestmark = pytest.mark.django_db


def put(client, key: str, value, version=0, **extra):
    return client.put(f"/api/v1/respond/answers/{key}/",
                      {"value": value, "version": version, **extra}, format="json")


def answer_all_required(client) -> None:
    for key, value in (("company", "LabelWorks GmbH"), ("headcount", 120),
                       ("has_investors", "no")):
        assert put(client, key, value).status_code == 200


def test_the_questionnaire_lists_sections_visible_questions_and_progress(respond):
    body = respond.get("/api/v1/respond/").json()
    assert body["assessment"]["buyer"] == "Acme Labs" and body["assessment"]["open"] is True
    assert [s["key"] for s in body["sections"]] == ["basics", "security"]
    basics = [q["key"] for q in body["sections"][0]["questions"]]
    assert basics == ["company", "headcount", "founded", "has_investors"]  # investor_names hidden
    headcount = body["sections"][0]["questions"][1]
    assert headcount["kind"] == "number" and headcount["required"] is True
    assert headcount["min"] == 0 and headcount["max"] == 100000
    certs = body["sections"][1]["questions"][0]
    # Option keys and labels, never how the buyer scores them.
    assert certs["options"][0] == {"key": "soc2", "label": "SOC 2 Type II"}
    assert body["progress"] == 0.0 and body["answers"] == {}
    assert body["missing_required"] == ["company", "headcount", "has_investors"]


def test_saving_returns_the_new_version_progress_and_what_appeared(respond):
    response = put(respond, "has_investors", "yes")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 1 and body["shown"] == ["investor_names"] and body["hidden"] == []
    assert body["progress"] == pytest.approx(1 / 4)
    again = put(respond, "has_investors", "no", version=1).json()
    assert again["version"] == 2 and again["hidden"] == ["investor_names"] and again["shown"] == []
    listing = respond.get("/api/v1/respond/").json()
    assert listing["answers"]["has_investors"]["version"] == 2
    assert listing["answers"]["has_investors"]["answered_by"] == VENDOR_EMAIL


def test_an_answer_to_a_question_that_becomes_hidden_is_kept_but_not_counted(respond, issued):
    put(respond, "has_investors", "yes")
    put(respond, "investor_names", "Orbital Ventures 12%")
    put(respond, "has_investors", "no", version=1)
    kept = Answer.objects.get(assessment=issued.assessment, question__key="investor_names")
    assert kept.value == "Orbital Ventures 12%"
    body = respond.get("/api/v1/respond/").json()
    assert body["answers"]["investor_names"]["visible"] is False
    assert "investor_names" not in body["missing_required"]


def test_an_invalid_value_is_400_on_the_value_field_and_changes_nothing(respond, issued):
    put(respond, "headcount", 10)
    response = put(respond, "headcount", 250000, version=1)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "value",
                                          "message": "must be at most 100000; got 250000"}]
    bad_date = put(respond, "founded", "2020-13-45")
    assert bad_date.status_code == 400 and bad_date.json()["errors"][0]["field"] == "value"
    assert Answer.objects.get(assessment=issued.assessment, question__key="headcount").value == 10


def test_a_stale_version_is_409_and_the_saved_answer_is_unchanged(respond, issued):
    put(respond, "company", "LabelWorks GmbH")
    assert put(respond, "company", "LabelWorks AG", version=1).status_code == 200
    stale = put(respond, "company", "Someone else's edit", version=1)
    assert stale.status_code == 409
    assert "changed since you loaded it" in stale.json()["errors"][0]["message"]
    answer = Answer.objects.get(assessment=issued.assessment, question__key="company")
    assert (answer.value, answer.version) == ("LabelWorks AG", 2)


def test_an_unknown_question_key_is_a_located_400(respond):
    response = put(respond, "no_such_question", "x")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "question"


def test_submit_lists_each_required_visible_question_unanswered(respond):
    put(respond, "has_investors", "yes")
    response = respond.post("/api/v1/respond/submit/")
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["company", "headcount", "investor_names"]


def test_submit_succeeds_then_answers_are_409(respond, issued, django_capture_on_commit_callbacks):
    answer_all_required(respond)
    with django_capture_on_commit_callbacks(execute=False):
        response = respond.post("/api/v1/respond/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    issued.assessment.refresh_from_db()
    assert response.json()["answers_digest"] == issued.assessment.answers_digest
    late = put(respond, "company", "Changed", version=1)
    assert late.status_code == 409
    assert respond.post("/api/v1/respond/submit/").status_code == 409
    assert respond.get("/api/v1/respond/").json()["assessment"]["open"] is False


def test_evidence_upload_returns_id_name_size_and_sha256(respond, issued):
    import hashlib

    content = tiny_pdf()
    response = respond.post("/api/v1/respond/evidence/",
                            {"question": "policy", "file": upload("policy.pdf", content)},
                            format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "policy.pdf" and body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert issued.assessment.evidence.get().uploaded_by == VENDOR_EMAIL


def test_an_executable_renamed_pdf_is_refused_with_a_reason(respond, issued):
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 400
    response = respond.post("/api/v1/respond/evidence/",
                            {"question": "policy", "file": upload("policy.pdf", elf)},
                            format="multipart")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "file" and "Linux program" in error["message"]
    assert not issued.assessment.evidence.exists()


def test_a_file_over_the_limit_is_413(respond, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    response = respond.post("/api/v1/respond/evidence/",
                            {"question": "policy", "file": upload("big.txt", b"a" * 2048)},
                            format="multipart")
    assert response.status_code == 413 and response.json()["errors"][0]["field"] == "file"


def test_a_file_answer_accepts_only_evidence_of_its_own_assessment(respond, other_issued):
    put(respond, "certs", ["soc2"])
    theirs = invite_client(other_issued.token)
    theirs.put("/api/v1/respond/answers/certs/", {"value": ["soc2"], "version": 0}, format="json")
    foreign = theirs.post("/api/v1/respond/evidence/",
                          {"question": "soc2_report", "file": upload("soc2.pdf", tiny_pdf())},
                          format="multipart").json()
    response = put(respond, "soc2_report", [foreign["id"]])
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "value"


def test_a_token_reaches_only_its_own_assessment(respond, issued, other_issued):
    put(respond, "company", "LabelWorks GmbH")
    theirs = invite_client(other_issued.token).get("/api/v1/respond/").json()
    assert theirs["assessment"]["id"] == str(other_issued.assessment.pk)
    assert theirs["assessment"]["buyer"] == "Beta Buyer" and theirs["answers"] == {}
    mine = respond.get("/api/v1/respond/").json()
    assert mine["assessment"]["id"] == str(issued.assessment.pk)


def test_a_buyer_token_and_no_credentials_are_refused_on_the_respond_api(api, anonymous_api):
    for client in (api, anonymous_api):
        assert client.get("/api/v1/respond/").status_code == 401
        assert client.put("/api/v1/respond/answers/company/", {"value": "x"},
                          format="json").status_code == 401
        assert client.post("/api/v1/respond/submit/").status_code == 401


def test_a_buyer_session_is_refused_on_the_respond_api(client, buyer, issued):
    client.force_login(buyer.user)
    assert client.get("/api/v1/respond/").status_code in (401, 403)


def test_a_bad_invite_header_is_401_with_the_same_message_as_any_bad_link(anonymous_api):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Invite " + "x" * 43)
    response = anonymous_api.get("/api/v1/respond/")
    assert response.status_code == 401
    assert "not valid" in response.json()["errors"][0]["message"]
    assert response["WWW-Authenticate"].startswith("Invite")


def test_a_respondent_invites_a_colleague_whose_answers_carry_their_email(respond, issued,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = respond.post("/api/v1/respond/colleagues/",
                                {"email": "sam@labelworks.test", "name": "Sam"}, format="json")
    assert response.status_code == 201, response.json()
    assert len(callbacks) == 1  # the colleague's invitation email, queued after commit
    invited = Invitation.objects.get(pk=response.json()["id"])
    assert invited.invited_by == issued.invitation and "invite" not in str(response.json())
    again = respond.post("/api/v1/respond/colleagues/", {"email": "sam@labelworks.test"},
                         format="json")
    assert again.status_code == 409


def test_a_colleagues_answers_record_who_gave_them(respond, issued, api):
    from questionnaires.assessments.services.lifecycle import colleague_invite

    sam = colleague_invite(invitation=issued.invitation, email="sam@labelworks.test")
    token = _token_for(sam)
    put(invite_client(token), "company", "LabelWorks GmbH")
    put(respond, "hosting", "eu")
    answers = {a["question"]: a["answered_by"] for a in
               api.get(f"/api/v1/assessments/{issued.assessment.pk}/answers/").json()["results"]}
    assert answers == {"company": "sam@labelworks.test", "hosting": VENDOR_EMAIL}


def _token_for(invitation) -> str:
    """Colleague tokens are only emailed; give this one a known token for the test."""
    from questionnaires.assessments.services.lifecycle import token_hash

    token = "colleague-token-for-tests-0123456789abcdef"
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash(token))
    return token


def test_the_questionnaire_read_is_bounded_for_a_large_questionnaire(
        buyer, vendor, django_assert_max_num_queries):
    from tests.support.portal import issue, spec_template

    sections = [{"key": f"s{s}", "title": f"Section {s}", "questions": [
        {"key": f"q{s}_{q}", "text": f"Question {q}", "kind": "yes_no", "required": True,
         **({"show_if": f'q{s}_0 == "yes"'} if q else {})} for q in range(30)]}
        for s in range(10)]
    big = spec_template({"format": "diligence/v1", "key": "big", "name": "Big",
                         "sections": sections}, buyer.organization)
    client = invite_client(issue(organization=buyer.organization, vendor=vendor,
                                 template=big).token)
    client.get("/api/v1/respond/")  # warms the per-process compiled-template cache
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/respond/").json()
    assert sum(len(s["questions"]) for s in body["sections"]) == 10


def test_compliance_cannot_use_the_respond_api(compliance):
    assert api_client_for(compliance).get("/api/v1/respond/").status_code == 401


def test_a_nul_character_is_a_400_not_a_500(respond, issued):
    response = put(respond, "company", "Label\u0000Works")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "value"
    comment = put(respond, "company", "LabelWorks", comment="a\u0000b")
    assert comment.status_code == 400 and comment.json()["errors"][0]["field"] == "comment"
    assert not Answer.objects.filter(assessment=issued.assessment).exists()


def test_an_overlong_colleague_email_is_a_located_400(respond):
    response = respond.post("/api/v1/respond/colleagues/",
                            {"email": "a" * 250 + "@labelworks.test"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "email"


def test_the_portal_session_reaches_the_respond_api_with_csrf_enforced(issued):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get(issued.url_path)  # sets the CSRF cookie, as the confirm page does
    opened = browser.post(issued.url_path,
                          {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert opened.status_code == 302
    assert browser.get("/api/v1/respond/").json()["assessment"]["id"] == str(issued.assessment.pk)
    forged = browser.put("/api/v1/respond/answers/company/", {"value": "x", "version": 0},
                         content_type="application/json")
    assert forged.status_code == 403
    csrf = browser.cookies["csrftoken"].value
    allowed = browser.put("/api/v1/respond/answers/company/", {"value": "x", "version": 0},
                          content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert allowed.status_code == 200, allowed.json()
