"""What the stakes API refuses, each time with the field and the reason."""

import datetime

import pytest
from django.utils import timezone

from questionnaires.ownership.models import Entity, Stake
from tests.support.ownership import add_stake

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_recheck")]


def errors_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_stakes_in_a_subject_over_100_percent_on_a_day_are_refused_naming_the_day_and_total(
        api, vendor):
    add_stake(api, vendor, holder="Founders Trust", percent=60, acquired_on="2024-01-01")
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "Orbital Dynamics", "percent": 50,
                         "acquired_on": "2023-06-01"}, format="json")

    assert response.status_code == 400
    message = errors_of(response)["percent"]
    assert "on 2024-01-01" in message and "110.0%" in message
    assert "Founders Trust 60.0%" in message and "LabelWorks" in message
    assert Stake.objects.count() == 1


def test_a_stake_may_start_the_day_another_one_ends(api, vendor):
    """A stake disposed of on a day no longer counts that day: 60% then 50% fits."""
    first = add_stake(api, vendor, holder="Founders Trust", percent=60,
                      acquired_on="2023-01-01")
    api.patch(f"/api/v1/vendors/{vendor.pk}/stakes/{first['id']}/",
              {"disposed_on": "2024-01-01"}, format="json")
    add_stake(api, vendor, holder="Orbital Dynamics", percent=50, acquired_on="2024-01-01")


def test_undoing_a_disposal_that_would_overfill_the_subject_is_refused(api, vendor):
    first = add_stake(api, vendor, holder="Founders Trust", percent=60,
                      acquired_on="2023-01-01")
    url = f"/api/v1/vendors/{vendor.pk}/stakes/{first['id']}/"
    assert api.patch(url, {"disposed_on": "2024-01-01"}, format="json").status_code == 200
    add_stake(api, vendor, holder="Orbital Dynamics", percent=50, acquired_on="2024-03-01")

    response = api.patch(url, {"disposed_on": None}, format="json")
    assert response.status_code == 400
    assert "on 2024-03-01" in errors_of(response)["percent"]
    assert "110.0%" in errors_of(response)["percent"]


def test_undated_stakes_over_100_percent_are_refused_at_every_date(api, vendor):
    add_stake(api, vendor, holder="Founders Trust", percent=70)
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "Orbital Dynamics", "percent": 40}, format="json")
    assert response.status_code == 400
    assert "at every date" in errors_of(response)["percent"]
    assert "110.0%" in errors_of(response)["percent"]


def test_votes_over_100_percent_are_refused_on_the_voting_field(api, vendor):
    add_stake(api, vendor, holder="Founders Trust", percent=10, voting_percent=80)
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "Orbital Dynamics", "percent": 10, "voting_percent": 30},
                        format="json")
    assert response.status_code == 400
    assert "votes" in errors_of(response)["voting_percent"]


@pytest.mark.parametrize(("body", "field"), [
    ({"holder": "X", "percent": 100.5}, "percent"),
    ({"holder": "X", "percent": -1}, "percent"),
    ({"holder": "X", "percent": "lots"}, "percent"),
    ({"holder": "X", "percent": 10, "voting_percent": 120}, "voting_percent"),
    ({"holder": "X", "percent": 10, "board_seats": -1}, "board_seats"),
    ({"holder": "", "percent": 10}, "holder"),
    ({"holder": "...", "percent": 10}, "holder"),
    ({"percent": 10}, "holder"),
    ({"holder": "X", "percent": 10, "holder_kind": "trust"}, "holder_kind"),
    ({"holder": "X", "percent": 10, "acquired_on": "2024-13-01"}, "acquired_on"),
    ({"holder": "X", "percent": 10, "acquired_on": "2024-05-01",
      "disposed_on": "2024-04-30"}, "disposed_on"),
])
def test_bad_stake_input_is_a_400_with_the_field(api, vendor, body, field):
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/", body, format="json")
    assert response.status_code == 400
    assert field in errors_of(response), response.json()
    assert Stake.objects.count() == 0


def test_future_dates_are_refused(api, vendor):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "X", "percent": 10, "acquired_on": tomorrow}, format="json")
    assert response.status_code == 400
    assert "in the future" in errors_of(response)["acquired_on"]


def test_a_disposal_before_the_acquisition_is_refused(api, vendor):
    stake = add_stake(api, vendor, holder="X", percent=10, acquired_on="2024-05-01")
    response = api.patch(f"/api/v1/vendors/{vendor.pk}/stakes/{stake['id']}/",
                         {"disposed_on": "2024-04-01"}, format="json")
    assert response.status_code == 400
    assert "before the stake was acquired" in errors_of(response)["disposed_on"]


def test_an_entity_cannot_hold_a_stake_in_itself(api, vendor):
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "LabelWorks, Inc.", "percent": 10}, format="json")
    assert response.status_code == 400
    assert "cannot hold a stake in itself" in errors_of(response)["holder"]


def test_a_loop_of_declared_parents_is_refused(api, vendor):
    add_stake(api, vendor, holder="Fund A", holder_parent="Manager B", percent=5)
    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "Manager B", "holder_parent": "Fund A", "percent": 5},
                        format="json")
    assert response.status_code == 400
    assert "holder_parent" in errors_of(response)
    assert Entity.objects.get(name="Manager B").parent is None


def test_a_stake_in_an_entity_of_another_chain_position_needs_an_existing_entity(api, vendor):
    response = api.post("/api/v1/entities/00000000-0000-0000-0000-000000000000/stakes/",
                        {"holder": "X", "percent": 10}, format="json")
    assert response.status_code == 404


def test_a_patch_needs_a_field_to_change(api, vendor):
    """Since stakes can be corrected (PATCH of any recorded field), a PATCH with only a
    `source` corrects the source; a PATCH naming nothing is the 400, listing what can be."""
    stake = add_stake(api, vendor, holder="X", percent=10)
    response = api.patch(f"/api/v1/vendors/{vendor.pk}/stakes/{stake['id']}/", {},
                         format="json")
    assert response.status_code == 400
    assert "disposed_on" in errors_of(response)[None]
    assert Stake.objects.get(pk=stake["id"]).disposed_on is None
