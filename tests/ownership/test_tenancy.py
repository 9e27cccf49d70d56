"""Another organisation sees nothing of Acme Labs' vendors, ownership graph, competitors or
settings (404, never a hint); compliance reads all of it and changes none of it (403)."""

import pytest
from django.urls import reverse

from questionnaires.ownership.models import Competitor, Entity, NeutralityEvent, Stake, Vendor
from tests.support.actors import api_client_for
from tests.support.factories import VendorFactory
from tests.support.ownership import add_stake

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_recheck")]


@pytest.fixture
def acme(api, buyer, vendor):
    """Acme's graph: a competitor, a stake in its vendor, a stake higher up the chain."""
    competitor = api.post("/api/v1/competitors/", {"name": "Orbital Dynamics",
                                                   "aliases": ["Orbital AI"]},
                          format="json").json()
    fund = add_stake(api, vendor, holder="Example Ventures LP", percent=40)
    top = add_stake(api, fund["holder_id"], entity=True, holder="Orbital Dynamics",
                    percent=60)
    api.put("/api/v1/settings/neutrality/", {"thresholds": {"at_risk_percent": 3}},
            format="json")
    return {"vendor": str(vendor.pk), "stake": fund["id"], "entity": fund["holder_id"],
            "entity_stake": top["id"], "competitor": competitor["id"]}


STAKE = {"holder": "Mallory Capital", "percent": 10}

API_CALLS = [
    ("get", "/api/v1/vendors/{vendor}/", None),
    ("patch", "/api/v1/vendors/{vendor}/", {"name": "Mine"}),
    ("delete", "/api/v1/vendors/{vendor}/", None),
    ("get", "/api/v1/vendors/{vendor}/stakes/", None),
    ("post", "/api/v1/vendors/{vendor}/stakes/", STAKE),
    ("get", "/api/v1/vendors/{vendor}/stakes/{stake}/", None),
    ("patch", "/api/v1/vendors/{vendor}/stakes/{stake}/", {"disposed_on": "2024-01-01"}),
    ("get", "/api/v1/vendors/{vendor}/neutrality/", None),
    ("get", "/api/v1/vendors/{vendor}/neutrality/?on=2024-01-01", None),
    ("get", "/api/v1/vendors/{vendor}/neutrality/events/", None),
    ("get", "/api/v1/entities/{entity}/", None),
    ("get", "/api/v1/entities/{entity}/stakes/", None),
    ("post", "/api/v1/entities/{entity}/stakes/", STAKE),
    ("get", "/api/v1/entities/{entity}/stakes/{entity_stake}/", None),
    ("patch", "/api/v1/entities/{entity}/stakes/{entity_stake}/", {"disposed_on": None}),
    ("get", "/api/v1/competitors/{competitor}/", None),
    ("patch", "/api/v1/competitors/{competitor}/", {"name": "Mine"}),
    ("delete", "/api/v1/competitors/{competitor}/", None),
]
WRITES = [call for call in API_CALLS if call[0] != "get"]


def _call(client, method, path, body, ids):
    return getattr(client, method)(path.format(**ids), body, format="json")


def _unchanged(acme):
    assert Vendor.objects.get(pk=acme["vendor"]).name == "LabelWorks"
    assert Stake.objects.get(pk=acme["stake"]).disposed_on is None
    assert Stake.objects.filter(holder__name="Mallory Capital").count() == 0
    assert Competitor.objects.get(pk=acme["competitor"]).name == "Orbital Dynamics"


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS,
                         ids=[f"{m} {p}" for m, p, _ in API_CALLS])
def test_an_outsider_gets_404_on_every_endpoint_about_acmes_objects(outsider_api, acme,
                                                                    method, path, body):
    response = _call(outsider_api, method, path, body, acme)
    assert response.status_code == 404, response.content
    assert "LabelWorks" not in response.content.decode()
    _unchanged(acme)


def test_an_outsider_cannot_reach_acmes_stake_through_its_own_vendor(outsider, outsider_api,
                                                                     acme):
    own = VendorFactory(organization=outsider.organization, name="Mallory Labels")
    assert outsider_api.get(f"/api/v1/vendors/{own.pk}/stakes/{acme['stake']}/"
                            ).status_code == 404
    response = outsider_api.patch(f"/api/v1/vendors/{own.pk}/stakes/{acme['stake']}/",
                                  {"disposed_on": "2024-01-01"}, format="json")
    assert response.status_code == 404
    _unchanged(acme)


def test_an_outsiders_lists_and_settings_are_its_own(outsider_api, acme):
    for path in ("/api/v1/vendors/", "/api/v1/entities/", "/api/v1/competitors/"):
        assert outsider_api.get(path).json()["count"] == 0, path
    settings = outsider_api.get("/api/v1/settings/neutrality/").json()
    assert settings["overrides"] == {} and settings["thresholds"]["at_risk_percent"] == 5.0
    assert outsider_api.put("/api/v1/settings/neutrality/",
                            {"thresholds": {"at_risk_percent": 20}},
                            format="json").status_code == 200
    from questionnaires.core.models import Organization

    assert Organization.objects.get(name="Acme Labs").neutrality_thresholds == {
        "at_risk_percent": 3}


def test_an_outsiders_graph_is_separate_even_for_the_same_names(outsider, outsider_api, acme):
    own = VendorFactory(organization=outsider.organization, name="LabelWorks")
    outsider_api.post("/api/v1/competitors/", {"name": "Orbital Dynamics"}, format="json")
    body = add_stake(outsider_api, own, holder="Example Ventures LP", percent=10)
    assert body["holder_id"] != acme["entity"]
    assert Entity.objects.filter(name="Example Ventures LP").count() == 2
    # Acme's 60% of Example Ventures LP is Acme's knowledge, not the outsider's.
    verdict = outsider_api.get(f"/api/v1/vendors/{own.pk}/neutrality/").json()
    assert verdict["status"] == "neutral" and verdict["findings"] == []


@pytest.mark.parametrize(("method", "path", "body"), WRITES,
                         ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_compliance_gets_403_on_every_write(compliance, acme, method, path, body):
    response = _call(api_client_for(compliance), method, path, body, acme)
    assert response.status_code == 403, response.content
    _unchanged(acme)


def test_compliance_reads_everything_and_changes_no_competitor_or_setting(compliance, acme):
    client = api_client_for(compliance)
    for method, path, _ in API_CALLS:
        if method == "get":
            assert client.get(path.format(**acme)).status_code == 200, path
    assert client.post("/api/v1/competitors/", {"name": "Nimbus"},
                       format="json").status_code == 403
    assert client.put("/api/v1/settings/neutrality/", {"thresholds": {}},
                      format="json").status_code == 403
    assert not Competitor.objects.filter(name="Nimbus").exists()


def test_anonymous_callers_get_401_everywhere(anonymous_api, acme):
    for method, path, body in [*API_CALLS, ("get", "/api/v1/settings/neutrality/", None),
                               ("put", "/api/v1/settings/neutrality/", {"thresholds": {}}),
                               ("get", "/api/v1/entities/", None),
                               ("post", "/api/v1/competitors/", {"name": "X"})]:
        assert _call(anonymous_api, method, path, body, acme).status_code == 401, path


# --- Pages ------------------------------------------------------------------------------------------------
PAGE_CALLS = [
    ("get", "vendors-detail", ["vendor"]),
    ("get", "vendors-edit", ["vendor"]),
    ("post", "vendors-edit", ["vendor"]),
    ("get", "vendors-delete", ["vendor"]),
    ("post", "vendors-delete", ["vendor"]),
    ("post", "vendors-stake-add", ["vendor"]),
    ("post", "vendors-stake-dispose", ["vendor", "stake"]),
    ("post", "vendors-stake-dispose", ["vendor", "entity_stake"]),
    ("post", "vendors-competitor-edit", ["competitor"]),
    ("post", "vendors-competitor-delete", ["competitor"]),
]


def _page(client, method, name, args, acme):
    path = reverse(f"workspace:{name}", args=[acme[arg] for arg in args])
    data = {"name": "Mine", "criticality": "low", "holder": "Mallory Capital", "percent": "10",
            "subject": acme["vendor"], "holder_kind": "company", "board_seats": "0",
            "observer_seats": "0"}
    return getattr(client, method)(path, data if method == "post" else None)


@pytest.mark.parametrize(("method", "name", "args"), PAGE_CALLS,
                         ids=[f"{m} {n}" for m, n, _ in PAGE_CALLS])
def test_an_outsider_gets_404_on_every_page_about_acmes_objects(client, outsider, acme,
                                                                method, name, args):
    client.force_login(outsider.user)
    response = _page(client, method, name, args, acme)
    assert response.status_code == 404
    assert b"LabelWorks" not in response.content
    _unchanged(acme)
    assert not NeutralityEvent.objects.filter(vendor_id=acme["vendor"],
                                              to_status="neutral").exists()


def test_an_outsiders_pages_list_only_its_own(client, outsider, acme):
    client.force_login(outsider.user)
    for name in ("vendors-list", "vendors-competitors", "vendors-settings"):
        response = client.get(reverse(f"workspace:{name}"))
        assert response.status_code == 200
        # (The outsider's own organisation is called Orbital Dynamics: look for the alias.)
        assert b"LabelWorks" not in response.content
        assert b"Orbital AI" not in response.content
        assert b"3.0" not in response.content and b'value="3"' not in response.content


@pytest.mark.parametrize(("method", "name", "args"),
                         [c for c in PAGE_CALLS if c[0] == "post" or c[1] != "vendors-detail"]
                         + [("get", "vendors-create", []), ("post", "vendors-create", []),
                            ("post", "vendors-competitors", [])],
                         ids=lambda value: str(value))
def test_compliance_gets_403_on_every_page_that_changes_something(client, compliance, acme,
                                                                  method, name, args):
    client.force_login(compliance.user)
    assert _page(client, method, name, args, acme).status_code == 403
    _unchanged(acme)


def test_compliance_reads_the_vendor_pages_without_forms(client, compliance, acme):
    client.force_login(compliance.user)
    page = client.get(reverse("workspace:vendors-detail", args=[acme["vendor"]]))
    assert page.status_code == 200 and b"Example Ventures LP" in page.content
    assert b"Record a stake" not in page.content and b"Dispose of" not in page.content
    for name in ("vendors-list", "vendors-competitors", "vendors-settings"):
        assert client.get(reverse(f"workspace:{name}")).status_code == 200


def test_pages_need_a_login(client, acme):
    response = client.get(reverse("workspace:vendors-detail", args=[acme["vendor"]]))
    assert response.status_code == 302 and "/login/" in response["Location"]
