"""Ownership recorded through the API gives the exact effective percent in the findings:
chains of several levels, two paths, a cycle, a disposed stake, an alias and a parent."""

import pytest

from tests.support.ownership import add_stake, declare, finding_for, neutrality

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_recheck")]


def test_a_three_level_chain_recorded_top_down_multiplies_the_percents(api, vendor, orbital):
    holdco = add_stake(api, vendor, holder="Holdco Partners", percent=30,
                       acquired_on="2024-01-10")
    fund = add_stake(api, holdco["holder_id"], entity=True, holder="Orbital Ventures LP",
                     holder_kind="fund", percent=40, acquired_on="2024-02-01")
    top = add_stake(api, fund["holder_id"], entity=True, holder="Orbital Dynamics",
                    percent=50, acquired_on="2024-03-01")
    assert (fund["subject"], top["subject"]) == ("Holdco Partners", "Orbital Ventures LP")

    finding = finding_for(neutrality(api, vendor), "Orbital Dynamics")
    # 50% x 40% x 30%: votes of 50% are not control (that needs more than 50%).
    assert finding["percent"] == 6.0
    assert finding["severity"] == "at_risk"
    assert finding["holder"] == "Orbital Dynamics"
    assert finding["path"] == ["Orbital Dynamics", "Orbital Ventures LP", "Holdco Partners",
                               "LabelWorks"]
    assert "50.0% x 40.0% x 30.0%" in finding["reason"]


def test_two_paths_to_the_same_competitor_add_up(api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=10)
    fund = add_stake(api, vendor, holder="Northwind Fund", percent=20)
    add_stake(api, fund["holder_id"], entity=True, holder="Orbital Dynamics", percent=50)

    body = neutrality(api, vendor)
    finding = finding_for(body, "Orbital Dynamics")
    assert finding["percent"] == 20.0  # 10% directly + 50% x 20% through the fund
    assert sorted((p["names"], p["percent"]) for p in finding["paths"]) == [
        (["Orbital Dynamics", "LabelWorks"], 10.0),
        (["Orbital Dynamics", "Northwind Fund", "LabelWorks"], 10.0)]
    assert body["status"] == "at_risk"


def test_a_cycle_is_cut_once_around_and_reported(api, vendor, orbital):
    beta = add_stake(api, vendor, holder="Beta Holdings", percent=40)
    alpha = add_stake(api, beta["holder_id"], entity=True, holder="Alpha Holdings", percent=50)
    add_stake(api, alpha["holder_id"], entity=True, holder="Beta Holdings", percent=10)
    add_stake(api, alpha["holder_id"], entity=True, holder="Orbital Dynamics", percent=30)

    body = neutrality(api, vendor)
    # Orbital -> Alpha -> Beta -> LabelWorks: 30% x 50% x 40%; the loop back is not walked.
    assert finding_for(body, "Orbital Dynamics")["percent"] == 6.0
    assert sorted(map(sorted, body["cycles"])) == [["Alpha Holdings", "Beta Holdings"]]
    cycle = [f for f in body["findings"] if f["competitor"] is None]
    assert len(cycle) == 1 and cycle[0]["reason"].startswith("Ownership cycle:")


def test_a_disposed_stake_counts_before_its_disposal_and_not_after(api, vendor, orbital):
    stake = add_stake(api, vendor, holder="Orbital Dynamics", percent=30,
                      acquired_on="2023-01-01")
    response = api.patch(f"/api/v1/vendors/{vendor.pk}/stakes/{stake['id']}/",
                         {"disposed_on": "2024-06-01"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["held_today"] is False

    before = neutrality(api, vendor, on="2024-05-31")
    assert before["status"] == "conflicted"
    assert finding_for(before, "Orbital Dynamics")["percent"] == 30.0
    after = neutrality(api, vendor, on="2024-06-01")
    assert after["status"] == "neutral" and finding_for(after, "Orbital Dynamics") is None
    assert [(c["date"], c["from"], c["to"]) for c in after["changes"]] == [
        ("2023-01-01", "neutral", "conflicted"), ("2024-06-01", "conflicted", "neutral")]
    assert "Orbital Dynamics disposed of 30.0% of LabelWorks" in after["changes"][1]["reason"]


def test_a_holder_matching_a_competitor_alias_counts_for_the_competitor(api, vendor, orbital):
    add_stake(api, vendor, holder="ORBITAL AI, Inc.", percent=12.5)

    finding = finding_for(neutrality(api, vendor), "Orbital Dynamics")
    assert finding["holder"] == "ORBITAL AI, Inc."
    assert finding["percent"] == 12.5
    assert finding["path"] == ["ORBITAL AI, Inc.", "LabelWorks"]


def test_a_holder_whose_declared_parent_is_a_competitor_counts_in_full(api, vendor, buyer):
    declare(api, "Example Platforms")
    stake = add_stake(api, vendor, holder="Example Ventures LP",
                      holder_parent="Example Platforms, Inc.", percent=49, board_seats=1)
    assert stake["holder_parent"] == "Example Platforms, Inc."

    body = neutrality(api, vendor)
    finding = finding_for(body, "Example Platforms")
    assert finding["holder"] == "Example Ventures LP"
    assert finding["percent"] == 49.0
    assert finding["path"] == ["Example Platforms, Inc.", "Example Ventures LP", "LabelWorks"]
    assert finding["severity"] == "conflicted" and body["status"] == "conflicted"
    assert "whose declared parent is Example Platforms, Inc." in finding["reason"]


def test_holders_are_found_by_name_ignoring_case_punctuation_and_legal_form(api, vendor, buyer):
    first = add_stake(api, vendor, holder="Northwind Capital, L.L.C.", percent=10)
    again = add_stake(api, vendor, holder="northwind capital", percent=5)
    assert again["holder_id"] == first["holder_id"]
    assert again["holder"] == "Northwind Capital, L.L.C."
    listing = api.get("/api/v1/entities/?search=northwind").json()
    assert [e["name"] for e in listing["results"]] == ["Northwind Capital, L.L.C."]


def test_the_vendor_stake_list_shows_holders_parents_and_dates(api, vendor, buyer):
    add_stake(api, vendor, holder="Example Ventures LP", holder_parent="Example Platforms",
              percent=20, voting_percent=35, observer_seats=1, information_rights=True,
              acquired_on="2024-05-01", source="Form D filing")
    listing = api.get(f"/api/v1/vendors/{vendor.pk}/stakes/").json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert {k: row[k] for k in ("holder", "holder_parent", "percent", "voting_percent",
                                "board_seats", "observer_seats", "information_rights",
                                "acquired_on", "disposed_on", "source", "subject")} == {
        "holder": "Example Ventures LP", "holder_parent": "Example Platforms",
        "percent": 20.0, "voting_percent": 35.0, "board_seats": 0, "observer_seats": 1,
        "information_rights": True, "acquired_on": "2024-05-01", "disposed_on": None,
        "source": "Form D filing", "subject": "LabelWorks"}
