"""The report endpoints: who may request, read, download and verify, and what they get."""

from __future__ import annotations

import io

import pytest

from questionnaires.audit.models import AuditEvent
from questionnaires.reports.models import Report
from tests.support.actors import api_client_for
from tests.support.reports import issue_answer_score, known_answers, known_spec

pytestmark = pytest.mark.django_db


def pdf_of(report) -> bytes:
    with report.file.open("rb") as stream:
        return stream.read()


def upload(data: bytes, name: str = "report.pdf") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def one_byte_changed(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


def test_requesting_a_report_answers_202_pending_and_queues_the_render_on_commit(
        api, scored, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(f"/api/v1/assessments/{scored.assessment.pk}/reports/")
    assert response.status_code == 202, response.content
    assert set(response.json()) == {"id", "status"} and response.json()["status"] == "pending"
    report = Report.objects.get(pk=response.json()["id"])
    assert report.status == "pending" and not report.file
    assert report.score_run == scored.score_run and report.requested_by.username == "alice"
    assert len(callbacks) == 1  # the render is queued only once the row is committed
    assert AuditEvent.objects.filter(action="report.requested", object_id=str(report.pk)).exists()


def test_asking_again_while_a_report_is_pending_returns_it_instead_of_queueing_another(
        api, scored, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = api.post(f"/api/v1/assessments/{scored.assessment.pk}/reports/").json()
        second = api.post(f"/api/v1/assessments/{scored.assessment.pk}/reports/").json()
    assert first["id"] == second["id"] and Report.objects.count() == 1
    assert len(callbacks) == 1


def test_an_assessment_not_scored_yet_cannot_have_a_report(api, buyer, vendor):
    built = issue_answer_score(organization=buyer.organization, vendor=vendor, spec=known_spec(),
                               answers=known_answers(), score=False)
    response = api.post(f"/api/v1/assessments/{built.assessment.pk}/reports/")
    assert response.status_code == 409
    assert "not been scored" in response.json()["errors"][0]["message"]
    assert not Report.objects.exists()


def test_a_ready_report_shows_its_status_hash_and_pages(api, rendered):
    response = api.get(f"/api/v1/reports/{rendered.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["sha256"] == rendered.sha256
    assert body["pages"] == rendered.pages and body["error"] == ""
    assert body["created_at"] and body["assessment"] == str(rendered.assessment_id)


def test_the_assessments_reports_are_listed_newest_first(api, rendered, scored):
    second = api.post(f"/api/v1/assessments/{scored.assessment.pk}/reports/").json()
    response = api.get(f"/api/v1/assessments/{scored.assessment.pk}/reports/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [second["id"], str(rendered.pk)]


def test_compliance_downloads_the_pdf_as_an_attachment_and_the_download_is_audited(
        compliance, rendered):
    response = api_client_for(compliance).get(f"/api/v1/reports/{rendered.pk}/pdf/",
                                              HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = rendered.finished_at.date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="diligence-report-labelworks-{day}.pdf"')
    assert b"".join(response.streaming_content) == pdf_of(rendered)
    event = AuditEvent.objects.get(action="report.downloaded", object_id=str(rendered.pk))
    assert event.actor == compliance.user and event.data["sha256"] == rendered.sha256


@pytest.mark.parametrize("role", ["buyer", "colleague", "compliance"])
def test_every_role_of_the_buyer_may_download(role, request, rendered):
    client = api_client_for(request.getfixturevalue(role))
    assert client.get(f"/api/v1/reports/{rendered.pk}/pdf/").status_code == 200


def test_compliance_may_request_a_report(compliance, scored):
    response = api_client_for(compliance).post(f"/api/v1/assessments/{scored.assessment.pk}/reports/")
    assert response.status_code == 202


def test_a_pending_report_cannot_be_downloaded_yet(api, scored):
    report = api.post(f"/api/v1/assessments/{scored.assessment.pk}/reports/").json()
    response = api.get(f"/api/v1/reports/{report['id']}/pdf/")
    assert response.status_code == 409
    assert response.json()["errors"][0]["message"] == "the report is pending"
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_the_vendors_invitation_cannot_reach_the_buyers_report(rendered, scored, anonymous_api):
    from questionnaires.assessments.services.lifecycle import invitation_create

    token = invitation_create(assessment=scored.assessment, email="vera@labelworks.test",
                              send=False).token
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Invite {token}")
    for response in (anonymous_api.get(f"/api/v1/reports/{rendered.pk}/pdf/"),
                     anonymous_api.get(f"/api/v1/reports/{rendered.pk}/"),
                     anonymous_api.post(f"/api/v1/assessments/{scored.assessment.pk}/reports/")):
        assert response.status_code == 401
        assert b"%PDF" not in response.content
    portal = anonymous_api.get(f"/invite/{token}")  # the vendor's portal session, too
    assert portal.status_code in (200, 302)
    assert anonymous_api.get(f"/api/v1/reports/{rendered.pk}/pdf/").status_code == 401


def test_an_outsider_gets_404_from_every_report_endpoint(outsider_api, rendered, scored):
    assessment, report = scored.assessment.pk, rendered.pk
    assert outsider_api.post(f"/api/v1/assessments/{assessment}/reports/").status_code == 404
    assert outsider_api.get(f"/api/v1/assessments/{assessment}/reports/").status_code == 404
    assert outsider_api.get(f"/api/v1/reports/{report}/").status_code == 404
    assert outsider_api.get(f"/api/v1/reports/{report}/pdf/").status_code == 404
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()
    assert Report.objects.count() == 1


def test_an_outsider_cannot_learn_that_another_tenants_pdf_is_genuine(outsider_api, rendered):
    response = outsider_api.post("/api/v1/reports/verify/", {"file": upload(pdf_of(rendered))},
                                 format="multipart")
    assert response.status_code == 200
    assert response.json()["valid"] is False and response.json()["report"] is None


def test_verification_accepts_the_issued_pdf(compliance, rendered):
    response = api_client_for(compliance).post(
        "/api/v1/reports/verify/", {"file": upload(pdf_of(rendered))}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["report"] == str(rendered.pk)
    assert body["sha256"] == rendered.sha256 and "LabelWorks" in body["reason"]


def test_verification_rejects_a_copy_with_one_byte_changed(api, rendered):
    response = api.post("/api/v1/reports/verify/",
                        {"file": upload(one_byte_changed(pdf_of(rendered)))}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False and body["report"] is None
    assert "changed after it was issued" in body["reason"]


def test_verification_says_when_the_file_is_not_a_pdf(api, rendered):
    response = api.post("/api/v1/reports/verify/", {"file": upload(b"hello", "x.txt")},
                        format="multipart")
    assert response.json() == {"valid": False, "report": None, "reason": "not a PDF file",
                               "sha256": response.json()["sha256"]}


def test_verification_without_a_file_is_a_located_400(api):
    response = api.post("/api/v1/reports/verify/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_unauthenticated_callers_get_401_everywhere(anonymous_api, rendered):
    for method, path in (("post", f"/api/v1/assessments/{rendered.assessment_id}/reports/"),
                         ("get", f"/api/v1/reports/{rendered.pk}/"),
                         ("get", f"/api/v1/reports/{rendered.pk}/pdf/"),
                         ("post", "/api/v1/reports/verify/")):
        assert getattr(anonymous_api, method)(path).status_code == 401


def test_an_unknown_report_is_404_not_500(api):
    assert api.get("/api/v1/reports/00000000-0000-0000-0000-000000000000/pdf/").status_code == 404
