"""The vendor registry API: the profile fields, search, and what a rename does to the graph."""

import pytest

from questionnaires.audit.models import AuditEvent
from questionnaires.ownership.models import Entity
from tests.support.factories import VendorFactory
from tests.support.ownership import add_stake

pytestmark = pytest.mark.django_db

PROFILE = {"name": "Annotada", "aliases": ["Annotada GmbH"], "website": "https://annotada.test",
           "country": "de", "services": ["annotation", "evaluation"],
           "data_categories": ["training_data", "label_schemas"], "criticality": "critical",
           "contact_name": "Ada", "contact_email": "ada@annotada.test",
           "notes": "Second source for RLHF.", "reassessment_months": 6}


def test_a_vendor_keeps_its_whole_profile(api, buyer):
    response = api.post("/api/v1/vendors/", PROFILE, format="json")
    assert response.status_code == 201, response.json()
    body = api.get(f"/api/v1/vendors/{response.json()['id']}/").json()
    assert {key: body[key] for key in PROFILE} == {**PROFILE, "country": "DE"}
    assert body["neutrality_status"] == "neutral"
    audit = AuditEvent.objects.get(action="vendor.created")
    assert audit.data["contact_email"] == "ada@annotada.test" and "notes" not in audit.data


@pytest.mark.parametrize(("search", "found"), [("annot", ["Annotada"]), ("gmbh", ["Annotada"]),
                                               ("ada@", ["Annotada"]), ("works", ["LabelWorks"]),
                                               ("nothing", [])])
def test_the_registry_is_searched_by_name_alias_and_contact(api, buyer_org, vendor, search,
                                                            found):
    VendorFactory(organization=buyer_org, name="Annotada", aliases=["Annotada GmbH"],
                  contact_email="ada@annotada.test")
    listing = api.get(f"/api/v1/vendors/?search={search}").json()
    assert [v["name"] for v in listing["results"]] == found


def test_filters_by_criticality_and_neutrality(api, buyer_org, vendor):
    VendorFactory(organization=buyer_org, name="Annotada", criticality="low",
                  neutrality_status="at_risk")
    names = [v["name"] for v in api.get("/api/v1/vendors/?criticality=low").json()["results"]]
    assert names == ["Annotada"]
    names = [v["name"] for v in
             api.get("/api/v1/vendors/?neutrality_status=neutral").json()["results"]]
    assert names == ["LabelWorks"]


def test_renaming_a_vendor_renames_its_node_in_the_ownership_graph(api, no_recheck, vendor):
    add_stake(api, vendor, holder="Northwind", percent=10)
    response = api.patch(f"/api/v1/vendors/{vendor.pk}/", {"name": "LabelWorks Global"},
                         format="json")
    assert response.status_code == 200
    assert Entity.objects.get(vendor=vendor).name == "LabelWorks Global"
    listing = api.get(f"/api/v1/vendors/{vendor.pk}/stakes/").json()
    assert listing["results"][0]["subject"] == "LabelWorks Global"
    audit = AuditEvent.objects.get(action="vendor.updated")
    assert audit.data["before"] == {"name": "LabelWorks"}


def test_stake_lists_and_the_verdict_cost_the_same_queries_for_a_large_graph(
        api, no_recheck, vendor, orbital):
    def count(path: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert api.get(path).status_code == 200
        return len(captured.captured_queries)

    stakes = f"/api/v1/vendors/{vendor.pk}/stakes/"
    verdict = f"/api/v1/vendors/{vendor.pk}/neutrality/"
    add_stake(api, vendor, holder="Orbital Dynamics", percent=2)
    small = count(stakes), count(verdict)
    assert min(small) > 0
    for index in range(15):
        fund = add_stake(api, vendor, holder=f"Fund {index}", holder_parent=f"Manager {index}",
                         percent=2, acquired_on=f"2024-02-{index + 1:02d}")
        add_stake(api, fund["holder_id"], entity=True, holder="Orbital Dynamics", percent=10)
    assert (count(stakes), count(verdict)) == small
