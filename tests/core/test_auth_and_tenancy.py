"""Token and session auth, and the one scoping mechanism, seen from each actor."""

import pytest

pytestmark = pytest.mark.django_db


def test_token_login_returns_a_token_that_authenticates(anonymous_api, buyer):
    response = anonymous_api.post("/api/v1/auth/token/",
                                  {"username": "alice", "password": "correct horse battery"},
                                  format="json")
    assert response.status_code == 200
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert anonymous_api.get("/api/v1/vendors/").status_code == 200


def test_token_login_with_a_wrong_password_is_refused_with_a_located_error(anonymous_api, buyer):
    response = anonymous_api.post("/api/v1/auth/token/",
                                  {"username": "alice", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_anonymous_callers_get_401(anonymous_api):
    response = anonymous_api.get("/api/v1/vendors/")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": None, "message":
                                           "Authentication credentials were not provided."}]}


def test_an_outsiders_token_cannot_read_another_organisations_vendor(outsider_api, vendor):
    assert outsider_api.get(f"/api/v1/vendors/{vendor.id}/").status_code == 404
    assert outsider_api.patch(f"/api/v1/vendors/{vendor.id}/", {"name": "Mine"},
                              format="json").status_code == 404
    assert outsider_api.delete(f"/api/v1/vendors/{vendor.id}/").status_code == 404
    listing = outsider_api.get("/api/v1/vendors/").json()
    assert listing["count"] == 0 and listing["results"] == []
    vendor.refresh_from_db()
    assert vendor.name == "LabelWorks"


def test_a_colleague_sees_the_organisations_vendors(colleague, vendor):
    from tests.support.actors import api_client_for

    listing = api_client_for(colleague).get("/api/v1/vendors/").json()
    assert [v["name"] for v in listing["results"]] == ["LabelWorks"]


def test_compliance_reads_but_cannot_change(compliance, vendor):
    from tests.support.actors import api_client_for

    client = api_client_for(compliance)
    assert client.get(f"/api/v1/vendors/{vendor.id}/").status_code == 200
    response = client.patch(f"/api/v1/vendors/{vendor.id}/", {"name": "X"}, format="json")
    assert response.status_code == 403


def test_vendor_created_through_the_api_belongs_to_the_callers_organisation(api, buyer):
    response = api.post("/api/v1/vendors/", {"name": "Annotada", "criticality": "critical",
                                            "country": "de", "services": ["annotation"]},
                        format="json")
    assert response.status_code == 201, response.json()
    from questionnaires.ownership.models import Vendor

    created = Vendor.objects.get(id=response.json()["id"])
    assert created.organization == buyer.organization and created.country == "DE"


def test_bad_vendor_input_is_refused_with_field_and_reason(api, buyer):
    response = api.post("/api/v1/vendors/", {"name": "", "criticality": "extreme",
                                            "services": ["cooking"]}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "criticality", "services[0]"} <= fields


def test_login_page_renders_and_session_login_reaches_the_dashboard(client, buyer):
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "alice",
                                       "password": "correct horse battery"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200 and b"Portfolio" in page.content


def test_the_dashboard_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_create_organization_command_makes_a_first_admin_who_can_log_in(monkeypatch, client):
    from django.core.management import call_command

    monkeypatch.setenv("DILIGENCE_PASSWORD", "a long enough passphrase 42")
    call_command("create_organization", "Acme Labs", kind="buyer", admin="root-admin",
                 email="admin@acme.test")
    response = client.post("/login/", {"username": "root-admin",
                                       "password": "a long enough passphrase 42"})
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_create_organization_refuses_a_duplicate_name(monkeypatch, buyer_org):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DILIGENCE_PASSWORD", "a long enough passphrase 42")
    with pytest.raises(CommandError, match="name: an organisation named 'Acme Labs'"):
        call_command("create_organization", "Acme Labs", kind="buyer", admin="x",
                     email="x@acme.test")


def test_an_api_path_that_matches_no_route_answers_the_json_error_shape(api):
    response = api.get("/api/v1/assessments/not-a-uuid/")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": None, "message": "Not found."}]}


def test_a_page_that_does_not_exist_answers_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and b"Not found" in response.content


@pytest.mark.parametrize("username", ["x" * 300, "a\x00b"])
def test_token_login_refuses_malformed_credentials_with_400_not_500(anonymous_api, username):
    response = anonymous_api.post("/api/v1/auth/token/",
                                  {"username": username, "password": "whatever"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "username"
