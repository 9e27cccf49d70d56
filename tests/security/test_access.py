"""Who may reach what: every workspace page, export and htmx fragment, for an anonymous
visitor, a member of another organisation, compliance and a reviewer."""

from __future__ import annotations

import datetime

import pytest

from questionnaires.assessments.models import RemediationItem, Review
from tests.support import assessments as builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(submitted, colleague, vendor):
    evidence = builders.evidence(submitted)
    review = Review.objects.create(assessment=submitted, reviewer=colleague.user,
                                   decision="approve_with_conditions", note="ok")
    item = RemediationItem.objects.create(assessment=submitted, review=review, text="Fix",
                                          due_date=datetime.date.today())
    return {"a": submitted.pk, "v": vendor.pk, "e": evidence.pk, "i": item.pk,
            "m": colleague.pk}


# Pages of one object of the organisation: another organisation's member gets 404.
OBJECT_READS = [
    "/vendors/{v}/assessments/",
    "/assessments/{a}/",
    "/assessments/{a}/reports/",
]
# Changes: compliance 403, another organisation 404.
OBJECT_WRITES = [
    ("/assessments/{a}/decision/", {"decision": "approve", "note": "x"}),
    ("/assessments/{a}/start-review/", {}),
    ("/assessments/{a}/questions/sec_mfa/comments/", {"body": "x"}),
    ("/assessments/{a}/evidence/{e}/expiry/", {"expires_on": "2099-01-01"}),
    ("/assessments/{a}/conditions/{i}/close/", {}),
]
ADMIN_WRITES = [
    ("/settings/members/{m}/role/", {"role": "admin"}),
    ("/settings/members/{m}/remove/", {}),
]
LIST_READS = ["/", "/portfolio/export.csv", "/portfolio/export.xlsx", "/audit/",
              "/audit/export.csv", "/audit/verify/", "/settings/members/",
              "/settings/notifications/", "/settings/reassessment/"]


def _all_urls(objects):
    return ([u.format(**objects) for u in OBJECT_READS + LIST_READS]
            + [u.format(**objects) for u, _ in OBJECT_WRITES + ADMIN_WRITES])


def test_anonymous_visitors_are_sent_to_sign_in(client, objects):
    for url in _all_urls(objects):
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert "/login/" in response["Location"], url


def test_another_organisation_gets_404_for_every_object_page_fragment_and_change(
        outsider_client, objects, submitted):
    for url in OBJECT_READS:
        assert outsider_client.get(url.format(**objects)).status_code == 404, url
        assert outsider_client.get(url.format(**objects),
                                   HTTP_HX_REQUEST="true").status_code == 404, url
    for url, data in OBJECT_WRITES + ADMIN_WRITES:
        assert outsider_client.post(url.format(**objects), data).status_code == 404, url
    assert outsider_client.post(f"/assessments/{objects['a']}/reports/").status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and not submitted.comments.exists()
    assert not submitted.reports.exists()


def test_another_organisations_lists_show_none_of_ours(outsider_client, objects, vendor):
    for url in LIST_READS:
        response = outsider_client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert vendor.name.encode() not in body, url
        assert str(objects["a"]).encode() not in body, url


def test_compliance_reads_everything(compliance_client, objects):
    for url in OBJECT_READS + LIST_READS:
        assert compliance_client.get(url.format(**objects)).status_code == 200, url


def test_compliance_changes_nothing(compliance_client, objects, submitted):
    for url, data in OBJECT_WRITES + ADMIN_WRITES:
        assert compliance_client.post(url.format(**objects), data).status_code == 403, url
        assert compliance_client.post(url.format(**objects), data,
                                      HTTP_HX_REQUEST="true").status_code == 403, url
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and not submitted.comments.exists()
    assert submitted.evidence.get().expires_on is None


def test_compliance_sees_no_controls_that_change_anything(compliance_client, objects):
    html = compliance_client.get(f"/assessments/{objects['a']}/").content.decode()
    assert 'id="decision-form"' not in html and "Add comment" not in html
    assert "Ask the vendor to clarify" not in html
    assert "Generate a PDF report" in html  # reports: any member, as on the reports API


def test_reviewers_review_but_do_not_manage_members(reviewer_client, objects):
    html = reviewer_client.get(f"/assessments/{objects['a']}/").content.decode()
    assert 'id="decision-form"' in html and "Ask the vendor to clarify" in html
    for url, data in ADMIN_WRITES:
        assert reviewer_client.post(url.format(**objects), data).status_code == 403, url


def test_pages_only_answer_their_methods(reviewer_client, objects):
    assert reviewer_client.get(f"/assessments/{objects['a']}/decision/").status_code == 405
    assert reviewer_client.post("/").status_code == 405
    assert reviewer_client.post("/audit/").status_code == 405


def test_a_malformed_id_is_404_not_500(reviewer_client):
    assert reviewer_client.get("/assessments/not-a-uuid/").status_code == 404
    assert reviewer_client.get("/vendors/123/assessments/").status_code == 404


def test_the_main_menu_links_each_area_and_marks_the_current_one(reviewer_client):
    html = reviewer_client.get("/audit/").content.decode()
    assert 'href="/audit/" aria-current="page">Audit trail' in html
    assert 'href="/settings/members/" >Settings' in html
    settings_page = reviewer_client.get("/settings/notifications/").content.decode()
    assert 'href="/settings/members/" aria-current="page">Settings' in settings_page
