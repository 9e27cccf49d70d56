"""Issuing assessments through the buyer API: who may, what comes back, what is refused."""

from __future__ import annotations

import datetime

import pytest

from questionnaires.assessments.models import Assessment, Invitation
from questionnaires.assessments.services.lifecycle import invitation_resolve
from questionnaires.audit.models import AuditEvent
from questionnaires.scoring.models import ScoreRun
from tests.support.actors import api_client_for
from tests.support.factories import OrganizationFactory, VendorFactory, due_in
from tests.support.portal import SMALL_SPEC, invite_client, spec_template

pytestmark = pytest.mark.django_db


def issue_body(vendor, template, **extra) -> dict:
    return {"vendor": str(vendor.pk), "template": str(template.pk),
            "due_date": due_in(21).isoformat(), "respondent_email": "vera@labelworks.test",
            "respondent_name": "Vera", **extra}


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_issuing_returns_201_with_status_sent_and_a_working_invite_url(api, vendor, template):
    response = api.post("/api/v1/assessments/", issue_body(vendor, template), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "sent" and body["vendor"] == str(vendor.pk)
    assert body["invite_url"].startswith("http") and "/invite/" in body["invite_url"]
    invitation = invitation_resolve(token_of(body["invite_url"]))
    assert invitation is not None and str(invitation.assessment_id) == body["id"]
    assert invitation.email == "vera@labelworks.test"
    # Only the hash is stored: the token appears nowhere in the database row.
    assert token_of(body["invite_url"]) not in invitation.token_hash
    # The link works until 30 days after the due date.
    assert invitation.expires_at.date() == due_in(21) + datetime.timedelta(days=30)
    assert AuditEvent.objects.filter(action="assessment.issued", object_id=body["id"]).exists()


def test_the_invite_url_is_shown_once_and_never_in_later_reads(api, vendor, template):
    created = api.post("/api/v1/assessments/", issue_body(vendor, template), format="json").json()
    detail = api.get(f"/api/v1/assessments/{created['id']}/").json()
    listing = api.get("/api/v1/assessments/").json()
    token = token_of(created["invite_url"])
    assert "invite_url" not in detail and token not in str(detail) and token not in str(listing)


def test_issuing_accepts_a_list_of_respondents_each_with_a_link(api, vendor, template):
    body = issue_body(vendor, template, respondents=[{"email": "sam@labelworks.test",
                                                      "name": "Sam"}])
    response = api.post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 201, response.json()
    links = response.json()["invitations"]
    assert [link["email"] for link in links] == ["vera@labelworks.test", "sam@labelworks.test"]
    assert all(invitation_resolve(token_of(link["invite_url"])) for link in links)


def test_issuing_with_no_respondent_names_the_field(api, vendor, template):
    body = issue_body(vendor, template)
    del body["respondent_email"]
    response = api.post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "respondent_email"
    assert not Assessment.objects.exists()


def test_another_organisations_vendor_is_refused_naming_the_field(api, template):
    foreign = VendorFactory(organization=OrganizationFactory(name="Elsewhere"))
    response = api.post("/api/v1/assessments/", issue_body(foreign, template), format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["vendor"]
    assert not Assessment.objects.exists()


def test_another_organisations_template_is_refused_but_the_library_is_allowed(api, vendor):
    foreign = spec_template(SMALL_SPEC, OrganizationFactory(name="Elsewhere"))
    refused = api.post("/api/v1/assessments/", issue_body(vendor, foreign), format="json")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["template"]
    library = spec_template({**SMALL_SPEC, "key": "library-small"}, None)
    allowed = api.post("/api/v1/assessments/", issue_body(vendor, library), format="json")
    assert allowed.status_code == 201, allowed.json()


def test_a_draft_template_cannot_be_issued(api, vendor, buyer_org):
    from questionnaires.authoring.services.templates import template_clone

    draft = template_clone(template=spec_template(SMALL_SPEC, buyer_org), organization=buyer_org)
    response = api.post("/api/v1/assessments/", issue_body(vendor, draft), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "template"


def test_a_past_due_date_and_a_malformed_id_are_located_errors(api, vendor, template):
    past = api.post("/api/v1/assessments/", issue_body(vendor, template, due_date="2001-01-01"),
                    format="json")
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "due_date"
    bad = api.post("/api/v1/assessments/", {**issue_body(vendor, template), "vendor": "nope"},
                   format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "vendor"


def test_compliance_cannot_issue(compliance, vendor, template):
    response = api_client_for(compliance).post("/api/v1/assessments/",
                                               issue_body(vendor, template), format="json")
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_compliance_reads_assessments(compliance, issued):
    client = api_client_for(compliance)
    assert client.get(f"/api/v1/assessments/{issued.assessment.pk}/").status_code == 200
    assert client.get(f"/api/v1/assessments/{issued.assessment.pk}/answers/").status_code == 200
    assert client.post(f"/api/v1/assessments/{issued.assessment.pk}/cancel/").status_code == 403
    assert client.post(f"/api/v1/assessments/{issued.assessment.pk}/invitations/"
                       ).status_code == 403


def test_an_outsider_gets_404_on_every_assessment_endpoint(outsider_api, issued):
    base = f"/api/v1/assessments/{issued.assessment.pk}"
    assert outsider_api.get(f"{base}/").status_code == 404
    assert outsider_api.get(f"{base}/answers/").status_code == 404
    assert outsider_api.post(f"{base}/invitations/").status_code == 404
    assert outsider_api.post(f"{base}/cancel/").status_code == 404
    assert outsider_api.get("/api/v1/assessments/").json()["count"] == 0
    issued.assessment.refresh_from_db()
    assert issued.assessment.status == "sent"
    assert invitation_resolve(issued.token) is not None


def test_anonymous_callers_and_invite_tokens_get_401_on_the_buyer_api(anonymous_api, issued):
    assert anonymous_api.get("/api/v1/assessments/").status_code == 401
    as_vendor = invite_client(issued.token)
    assert as_vendor.get("/api/v1/assessments/").status_code == 401
    assert as_vendor.get(f"/api/v1/assessments/{issued.assessment.pk}/").status_code == 401


def test_listing_filters_by_status_and_vendor(api, buyer, issued, template):
    second_vendor = VendorFactory(organization=buyer.organization, name="TruthSet")
    from tests.support.portal import issue

    other = issue(organization=buyer.organization, vendor=second_vendor, template=template)
    api.post(f"/api/v1/assessments/{other.assessment.pk}/cancel/", format="json")
    by_vendor = api.get(f"/api/v1/assessments/?vendor={second_vendor.pk}").json()
    assert [a["id"] for a in by_vendor["results"]] == [str(other.assessment.pk)]
    by_status = api.get("/api/v1/assessments/?status=sent").json()
    assert [a["id"] for a in by_status["results"]] == [str(issued.assessment.pk)]
    bad = api.get("/api/v1/assessments/?status=lost")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"


def test_detail_has_progress_due_date_and_the_newest_score(api, issued):
    url = f"/api/v1/assessments/{issued.assessment.pk}/"
    body = api.get(url).json()
    assert body["score"] is None and body["progress"] == 0.0 and body["submitted_at"] is None
    assert body["due_date"] == issued.assessment.due_date.isoformat()
    for overall, tier in ((55.0, "high"), (82.5, "low")):
        ScoreRun.objects.create(assessment=issued.assessment, digest=f"d{overall}",
                                engine_version="1", overall=overall, tier=tier, result={})
    assert api.get(url).json()["score"] == {"overall": 82.5, "tier": "low"}


def test_reissuing_revokes_every_older_link(api, issued):
    from tests.support.portal import invite_client as client_for

    colleague = client_for(issued.token).post("/api/v1/respond/colleagues/",
                                              {"email": "sam@labelworks.test"}, format="json")
    assert colleague.status_code == 201
    response = api.post(f"/api/v1/assessments/{issued.assessment.pk}/invitations/",
                        format="json")
    assert response.status_code == 201, response.json()
    new_token = token_of(response.json()["invite_url"])
    assert response.json()["email"] == "vera@labelworks.test"
    assert invitation_resolve(issued.token) is None
    assert invitation_resolve(new_token) is not None
    live = Invitation.objects.filter(assessment=issued.assessment, revoked_at__isnull=True)
    assert live.count() == 1
    assert client_for(issued.token).get("/api/v1/respond/").status_code == 401
    assert client_for(new_token).get("/api/v1/respond/").status_code == 200


def test_cancelling_stops_the_links_and_a_second_cancel_is_409(api, issued):
    url = f"/api/v1/assessments/{issued.assessment.pk}/cancel/"
    first = api.post(url, {"reason": "vendor dropped"}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "cancelled"
    assert invitation_resolve(issued.token) is None
    second = api.post(url, format="json")
    assert second.status_code == 409 and second.json()["errors"][0]["message"]
    reissue = api.post(f"/api/v1/assessments/{issued.assessment.pk}/invitations/", format="json")
    assert reissue.status_code == 409


def test_answers_listing_has_value_comment_evidence_and_who_answered(api, issued, respond):
    from tests.support.files import tiny_pdf, upload

    respond.put("/api/v1/respond/answers/company/", {"value": "LabelWorks GmbH",
                                                     "comment": "since 2019", "version": 0},
                format="json")
    respond.put("/api/v1/respond/answers/certs/", {"value": ["soc2"], "version": 0},
                format="json")
    evidence = respond.post("/api/v1/respond/evidence/",
                            {"question": "soc2_report", "file": upload("soc2.pdf", tiny_pdf())},
                            format="multipart").json()
    saved = respond.put("/api/v1/respond/answers/soc2_report/",
                        {"value": [evidence["id"]], "version": 0}, format="json")
    assert saved.status_code == 200, saved.json()
    listing = api.get(f"/api/v1/assessments/{issued.assessment.pk}/answers/").json()
    by_key = {a["question"]: a for a in listing["results"]}
    assert by_key["company"]["value"] == "LabelWorks GmbH"
    assert by_key["company"]["comment"] == "since 2019"
    assert by_key["company"]["answered_by"] == "vera@labelworks.test"
    assert by_key["company"]["updated_at"] and by_key["company"]["visible"] is True
    files = by_key["soc2_report"]["evidence"]
    assert [(f["id"], f["name"], f["sha256"]) for f in files] == [
        (evidence["id"], "soc2.pdf", evidence["sha256"])]


def test_the_answers_listing_runs_a_bounded_number_of_queries(api, issued, respond,
                                                            django_assert_max_num_queries):
    for key, value in (("company", "X"), ("headcount", 5), ("has_investors", "yes"),
                       ("investor_names", "Fund A"), ("hosting", "eu")):
        respond.put(f"/api/v1/respond/answers/{key}/", {"value": value, "version": 0},
                    format="json")
    with django_assert_max_num_queries(10):
        response = api.get(f"/api/v1/assessments/{issued.assessment.pk}/answers/")
    assert response.json()["count"] == 5


@pytest.mark.parametrize("day", ["9999-12-31", "3000-01-01"])
def test_a_due_date_past_the_accepted_range_is_a_400_naming_it_not_a_500(
        api, vendor, template, day):
    """The link lasts 30 days past the due date: at 9999-12-31 that sum overflowed."""
    response = api.post("/api/v1/assessments/", issue_body(vendor, template, due_date=day),
                        format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "due_date" and "out of range" in error["message"]
    assert not Assessment.objects.exists()
