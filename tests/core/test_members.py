"""Members: invitations with a password-set link, roles, removal that ends access at once,
and each member's notification settings."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from questionnaires.core.models import Membership
from tests.support.actors import api_client_for

pytestmark = pytest.mark.django_db


def test_an_admin_invites_a_member_who_sets_a_password_and_signs_in(
        buyer_client, buyer, sent_mail):
    with sent_mail() as outbox:
        response = buyer_client.post("/settings/members/invite/",
                                     {"email": "nina@acme.test", "role": "reviewer"})
    assert response.status_code == 302
    member = Membership.objects.get(user__email="nina@acme.test")
    assert member.organization == buyer.organization and member.role == "reviewer"
    assert not member.user.has_usable_password()
    (message,) = [m for m in outbox if "nina@acme.test" in m.to]
    link = re.search(r"http://\S+/welcome/\S+/", message.body).group(0)
    path = link.split("127.0.0.1:8000", 1)[1]

    browser = Client()
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = browser.post(form_page.redirect_chain[-1][0], {
        "new_password1": "a long new passphrase 9", "new_password2": "a long new passphrase 9"})
    assert done.status_code == 302
    assert browser.post("/login/", {"username": "nina@acme.test",
                                    "password": "a long new passphrase 9"}).status_code == 302
    assert browser.get("/").status_code == 200
    assert Client().get(path, follow=True).context["validlink"] is False  # used up


def test_inviting_an_address_that_has_an_account_elsewhere_makes_a_new_one_and_says_nothing(
        buyer_client, outsider):
    """It was a 409 "already exists": that told any admin who has an account in another
    organisation. Now the answer is the one a new address gets, and nothing hints whose
    the other account is."""
    response = buyer_client.post("/settings/members/invite/",
                                 {"email": outsider.user.email, "role": "reviewer"},
                                 follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "already exists" not in html and "Orbital" not in html  # no hint of whose it is
    member = Membership.objects.get(user__email=outsider.user.email,
                                    organization__name="Acme Labs")
    assert member.user_id != outsider.user_id


def test_an_invalid_invitation_is_a_400_naming_the_field(buyer_client):
    response = buyer_client.post("/settings/members/invite/", {"email": "nope", "role": "boss"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"email", "role"}


def test_an_admin_changes_a_role(buyer_client, colleague):
    response = buyer_client.post(f"/settings/members/{colleague.pk}/role/",
                                 {"role": "compliance"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == "compliance"


def test_the_last_admin_can_be_neither_demoted_nor_removed(buyer_client, buyer):
    buyer_client.post(f"/settings/members/{buyer.pk}/role/", {"role": "reviewer"})
    buyer_client.post(f"/settings/members/{buyer.pk}/remove/")
    buyer.refresh_from_db()
    assert buyer.role == "admin"


def test_removing_a_member_refuses_their_open_session_and_their_token_at_once(
        buyer_client, colleague):
    session = Client()
    session.force_login(colleague.user)
    token_client = api_client_for(colleague)
    assert session.get("/").status_code == 200
    assert token_client.get("/api/v1/vendors/").status_code == 200

    response = buyer_client.post(f"/settings/members/{colleague.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=colleague.pk).exists()

    next_page = session.get("/")
    assert next_page.status_code == 302 and "/login/" in next_page["Location"]
    assert token_client.get("/api/v1/vendors/").status_code == 401
    refused = Client().post("/login/", {"username": "rob", "password": "correct horse battery"})
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated


def test_only_admins_manage_members_but_everyone_reads_the_list(
        reviewer_client, compliance_client, colleague, compliance):
    for client in (reviewer_client, compliance_client):
        assert client.get("/settings/members/").status_code == 200
        assert client.post("/settings/members/invite/",
                           {"email": "x@acme.test", "role": "admin"}).status_code == 403
        assert client.post(f"/settings/members/{compliance.pk}/role/",
                           {"role": "admin"}).status_code == 403
        assert client.post(f"/settings/members/{colleague.pk}/remove/").status_code == 403
    compliance.refresh_from_db()
    assert compliance.role == "compliance"


def test_another_organisations_admin_cannot_touch_our_members(outsider_client, colleague):
    assert outsider_client.post(f"/settings/members/{colleague.pk}/role/",
                                {"role": "admin"}).status_code == 404
    assert outsider_client.post(f"/settings/members/{colleague.pk}/remove/").status_code == 404
    page = outsider_client.get("/settings/members/").content.decode()
    assert "rob" not in page and "alice" not in page
    assert Membership.objects.filter(pk=colleague.pk).exists()


def test_each_member_chooses_their_notifications(compliance_client, compliance):
    page = compliance_client.get("/settings/notifications/")
    assert page.status_code == 200 and "A vendor submits a questionnaire" in page.content.decode()
    response = compliance_client.post("/settings/notifications/",
                                      {"assessment_decided": "on"})
    assert response.status_code == 302
    compliance.refresh_from_db()
    assert compliance.wants("assessment_decided") and not compliance.wants("evidence_expiring")


def test_unknown_notification_kinds_are_refused_by_the_service(compliance):
    from questionnaires.core.errors import DomainError
    from questionnaires.core.members import member_notifications_update

    with pytest.raises(DomainError):
        member_notifications_update(membership=compliance, wanted={"everything"})


def test_the_members_page_runs_the_same_number_of_queries_for_3_and_30_members(
        buyer, buyer_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.support.factories import MembershipFactory

    MembershipFactory.create_batch(2, organization=buyer.organization, role="reviewer")
    with CaptureQueriesContext(connection) as captured:
        assert buyer_client.get("/settings/members/").status_code == 200
    MembershipFactory.create_batch(27, organization=buyer.organization, role="compliance")
    with django_assert_num_queries(len(captured)):
        assert buyer_client.get("/settings/members/").status_code == 200


def test_an_admin_sets_the_reassessment_cadence_and_others_only_read_it(
        buyer_client, compliance_client, reviewer_client, outsider_client, buyer):
    data = {"critical": "3", "high": "6", "medium": "12", "low": "24"}
    assert buyer_client.post("/settings/reassessment/", data).status_code == 302
    buyer.organization.refresh_from_db()
    assert buyer.organization.cadence_months("critical") == 3
    assert buyer.organization.cadence_months("low") == 24
    for client in (compliance_client, reviewer_client):
        assert client.get("/settings/reassessment/").status_code == 200
        assert client.post("/settings/reassessment/", {**data, "low": "1"}).status_code == 403
    assert outsider_client.post("/settings/reassessment/", {**data, "low": "1"}).status_code == 302
    buyer.organization.refresh_from_db()
    assert buyer.organization.cadence_months("low") == 24  # the outsider changed their own


def test_a_cadence_out_of_range_is_a_400_naming_the_field(buyer_client):
    response = buyer_client.post("/settings/reassessment/",
                                 {"critical": "0", "high": "6", "medium": "x", "low": "24"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"critical", "medium"}
