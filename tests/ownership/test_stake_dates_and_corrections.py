"""Days outside the accepted range (1900-01-01..2999-12-31) are refused wherever a stake's
or a view's day comes in, a stake stored before the bound no longer breaks its vendor's
pages, and a stake can be corrected (PATCH) or deleted (DELETE), audited and re-analysed."""

import datetime

import pytest
from django.urls import reverse

from questionnaires.audit.models import AuditEvent
from questionnaires.ownership.models import Entity, NeutralityEvent, Stake
from questionnaires.ownership.services.neutrality import vendor_entity
from tests.support.ownership import add_stake, neutrality

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_recheck")]


def errors_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def _stake_stored_before_the_bound(organization, holder: str, subject: Entity) -> Stake:
    """As a row written before dates were bounded would be: straight into the table."""
    entity = Entity.objects.create(organization=organization, name=holder)
    return Stake.objects.create(organization=organization, holder=entity, subject=subject,
                                percent=10, acquired_on=datetime.date(1, 1, 1))


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_a_stake_dated_outside_the_range_is_a_400_naming_the_field(api, vendor, day):
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "Founders Trust", "percent": 10, "acquired_on": day},
                        format="json")
    assert response.status_code == 400
    assert "out of range" in errors_of(response)["acquired_on"]
    assert not Stake.objects.exists()


def test_the_bounds_themselves_are_accepted(api, vendor):
    add_stake(api, vendor, holder="Founders Trust", percent=10, acquired_on="1900-01-01")
    assert neutrality(api, vendor, on="1900-01-01")["status"] == "neutral"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_neutrality_of_a_day_outside_the_range_is_a_400_not_a_500(api, vendor, day):
    response = api.get(f"/api/v1/vendors/{vendor.pk}/neutrality/?on={day}")
    assert response.status_code == 400
    assert "out of range" in errors_of(response)["on"]


def test_the_vendor_page_with_a_day_outside_the_range_shows_today_and_says_why(
        client, buyer, vendor):
    client.force_login(buyer.user)
    response = client.get(reverse("workspace:vendors-detail", args=[vendor.pk])
                          + "?on=9999-12-31")
    assert response.status_code == 200
    assert "out of range" in response.content.decode()


def test_a_stake_stored_on_0001_01_01_no_longer_breaks_its_vendor_or_those_below(
        api, client, buyer, buyer_org, vendor):
    """The vendor holds a stake dated year 1, and so does an entity above a second vendor:
    both vendors' pages and neutrality still answer."""
    _stake_stored_before_the_bound(buyer_org, "Ancient Holdings", vendor_entity(vendor))
    from tests.support.factories import VendorFactory
    below = VendorFactory(organization=buyer_org, name="Downstream Labs")
    parent = add_stake(api, below, holder="Middle Co", percent=30, acquired_on="2020-01-01")
    _stake_stored_before_the_bound(buyer_org, "Older Holdings",
                                   Entity.objects.get(pk=parent["holder_id"]))
    client.force_login(buyer.user)
    for each in (vendor, below):
        assert neutrality(api, each)["status"] == "neutral"
        page = client.get(reverse("workspace:vendors-detail", args=[each.pk]))
        assert page.status_code == 200


def test_a_stake_stored_on_0001_01_01_can_be_corrected_through_the_api(api, buyer_org, vendor):
    stake = _stake_stored_before_the_bound(buyer_org, "Ancient Holdings",
                                           vendor_entity(vendor))
    response = api.patch(f"/api/v1/vendors/{vendor.pk}/stakes/{stake.pk}/",
                         {"acquired_on": "2001-01-01"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["acquired_on"] == "2001-01-01"


def test_patch_corrects_a_stake_audits_before_and_after_and_recomputes_neutrality(
        api, buyer, vendor, orbital):
    stake = add_stake(api, vendor, holder="Orbital Dynamics", percent=2,
                      acquired_on="2024-01-01")
    assert neutrality(api, vendor)["status"] == "neutral"

    response = api.patch(f"/api/v1/vendors/{vendor.pk}/stakes/{stake['id']}/",
                         {"percent": 30, "acquired_on": "2023-06-01"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["percent"] == 30 and body["acquired_on"] == "2023-06-01"
    assert [e["to_status"] for e in body["neutrality_events"]] == ["conflicted"]
    assert neutrality(api, vendor)["status"] == "conflicted"
    event = AuditEvent.objects.get(action="stake.corrected")
    assert event.actor_label == "alice"
    assert event.data["before"] == {"percent": "2.0000", "acquired_on": "2024-01-01"}
    assert event.data["after"] == {"percent": "30.0000", "acquired_on": "2023-06-01"}


def test_a_correction_gets_the_same_checks_as_recording(api, vendor):
    add_stake(api, vendor, holder="Founders Trust", percent=60, acquired_on="2020-01-01")
    other = add_stake(api, vendor, holder="Orbital Dynamics", percent=30,
                      acquired_on="2021-01-01")
    url = f"/api/v1/vendors/{vendor.pk}/stakes/{other['id']}/"
    over = api.patch(url, {"percent": 50}, format="json")
    assert over.status_code == 400 and "110.0%" in errors_of(over)["percent"]
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    assert "future" in errors_of(api.patch(url, {"acquired_on": future}, format="json"))[
        "acquired_on"]
    assert api.patch(url, {}, format="json").status_code == 400
    assert Stake.objects.get(pk=other["id"]).percent == 30


def test_a_disposal_alone_is_still_recorded_as_a_disposal(api, vendor):
    stake = add_stake(api, vendor, holder="Founders Trust", percent=60,
                      acquired_on="2023-01-01")
    response = api.patch(f"/api/v1/vendors/{vendor.pk}/stakes/{stake['id']}/",
                         {"disposed_on": "2024-01-01", "source": "filing"}, format="json")
    assert response.status_code == 200 and response.json()["disposed_on"] == "2024-01-01"
    assert AuditEvent.objects.filter(action="stake.disposed").count() == 1
    assert not AuditEvent.objects.filter(action="stake.corrected").exists()


def test_delete_removes_a_stake_audits_what_it_said_and_recomputes_neutrality(
        api, vendor, orbital):
    stake = add_stake(api, vendor, holder="Orbital Dynamics", percent=30,
                      acquired_on="2024-01-01")
    assert neutrality(api, vendor)["status"] == "conflicted"

    response = api.delete(f"/api/v1/vendors/{vendor.pk}/stakes/{stake['id']}/")

    assert response.status_code == 200
    body = response.json()
    assert body["deleted"] is True and body["id"] == stake["id"]
    assert [e["to_status"] for e in body["neutrality_events"]] == ["neutral"]
    assert not Stake.objects.filter(pk=stake["id"]).exists()
    assert neutrality(api, vendor)["status"] == "neutral"
    event = AuditEvent.objects.get(action="stake.deleted")
    assert event.data["holder"] == "Orbital Dynamics" and event.data["percent"] == "30.0000"
    assert NeutralityEvent.objects.filter(vendor=vendor, to_status="neutral").exists()


def test_an_entity_stake_can_be_deleted_too(api, vendor):
    parent = add_stake(api, vendor, holder="Middle Co", percent=30, acquired_on="2020-01-01")
    above = add_stake(api, parent["holder_id"], entity=True, holder="Top Fund", percent=50,
                      acquired_on="2020-01-01")
    response = api.delete(f"/api/v1/entities/{parent['holder_id']}/stakes/{above['id']}/")
    assert response.status_code == 200
    assert not Stake.objects.filter(pk=above["id"]).exists()


def test_stake_corrections_and_deletions_are_scoped_and_refused_to_compliance(
        api, outsider_api, compliance, vendor):
    from tests.support.actors import api_client_for
    stake = add_stake(api, vendor, holder="Founders Trust", percent=10)
    url = f"/api/v1/vendors/{vendor.pk}/stakes/{stake['id']}/"
    assert outsider_api.patch(url, {"percent": 20}, format="json").status_code == 404
    assert outsider_api.delete(url).status_code == 404
    reader = api_client_for(compliance)
    assert reader.patch(url, {"percent": 20}, format="json").status_code == 403
    assert reader.delete(url).status_code == 403
    assert Stake.objects.get(pk=stake["id"]).percent == 10
