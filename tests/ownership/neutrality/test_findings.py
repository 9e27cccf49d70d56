"""Findings: who counts as the competitor, what each position weighs, how it is explained."""

import pytest

from questionnaires.ownership.neutrality.records import NeutralityInputError, Thresholds


def test_reason_explains_an_indirect_holding_in_one_sentence(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", "Orbital Ventures LP", 50)
    ownership.stake("Orbital Ventures LP", ownership.vendor_id, 40)

    finding = ownership.finding_for("Orbital Dynamics")

    assert finding.severity == "at_risk"
    assert (finding.holder, finding.percent) == ("Orbital Dynamics", 20.0)
    assert finding.path == ("Orbital Dynamics", "Orbital Ventures LP", "LabelWorks")
    assert finding.reason == (
        "Orbital Dynamics holds 20.0% of LabelWorks through Orbital Ventures LP "
        "(50.0% x 40.0%), at or above the 5% at-risk threshold.")


def test_an_alias_match_makes_the_holder_the_competitor(ownership):
    ownership.competitor("Orbital Dynamics", "OrbitalAI")
    ownership.stake("OrbitalAI, Inc.", ownership.vendor_id, 8)

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.holder, finding.percent, finding.severity) == (
        "OrbitalAI, Inc.", 8.0, "at_risk")
    assert finding.reason.startswith("OrbitalAI, Inc. (the competitor Orbital Dynamics) holds")


def test_a_fund_wholly_owned_by_the_competitor_holds_the_competitors_stake(ownership):
    ownership.competitor("Example Platforms")
    ownership.stake("Example Platforms, Inc.", "Example Ventures LP", 100)
    ownership.stake("Example Ventures LP", ownership.vendor_id, 12)

    finding = ownership.finding_for("Example Platforms")

    assert (finding.holder, finding.percent) == ("Example Ventures LP", 12.0)
    assert finding.path == ("Example Platforms, Inc.", "Example Ventures LP", "LabelWorks")
    assert finding.reason.startswith(
        "Example Ventures LP, controlled by Example Platforms, Inc. with 100.0% of the votes,"
        " holds 12.0% of LabelWorks directly")


def test_a_controlled_fund_counts_in_full_not_at_the_product(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", "Orbital Ventures LP", 60)
    ownership.stake("Orbital Ventures LP", ownership.vendor_id, 20)

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.holder, finding.percent) == ("Orbital Ventures LP", 20.0)
    assert ownership.analyse().effective["Orbital Dynamics"] == 12.0


def test_a_declared_parent_puts_the_holder_on_the_competitors_side(ownership):
    ownership.competitor("Example Platforms")
    ownership.entity("Example Platforms, Inc.")
    ownership.entity("Example Ventures LP", kind="fund", parent="Example Platforms, Inc.")
    ownership.stake("Example Ventures LP", ownership.vendor_id, 6)

    finding = ownership.finding_for("Example Platforms")

    assert (finding.percent, finding.severity) == (6.0, "at_risk")
    assert finding.path == ("Example Platforms, Inc.", "Example Ventures LP", "LabelWorks")
    assert "whose declared parent is Example Platforms, Inc." in finding.reason


def test_a_near_miss_name_is_not_the_competitor(ownership):
    ownership.competitor("Example Platforms, Inc.")
    ownership.stake("Example Ventures LP", ownership.vendor_id, 49)

    result = ownership.analyse()

    assert (result.status, result.findings) == ("neutral", ())


def test_a_minority_owner_of_a_fund_does_not_make_it_the_competitors(ownership):
    ownership.competitor("Example Platforms")
    ownership.stake("Example Platforms", "Shared Fund", 50)
    ownership.stake("Shared Fund", ownership.vendor_id, 40, board_seats=1)

    finding = ownership.finding_for("Example Platforms")

    # 50% is not control: the product counts, but the fund's board seat is not the competitor's.
    assert (finding.percent, finding.board_seats, finding.severity) == (20.0, 0, "at_risk")


@pytest.mark.parametrize(("percent", "severity", "status"), [
    ("4.99", "info", "neutral"),
    (5, "at_risk", "at_risk"),
    ("5.0", "at_risk", "at_risk"),
    ("24.9999", "at_risk", "at_risk"),
    (25, "conflicted", "conflicted"),
])
def test_percent_thresholds_are_inclusive_at_the_exact_boundary(
        ownership, percent, severity, status):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, percent)

    result = ownership.analyse()

    assert (result.findings[0].severity, result.status) == (severity, status)


def test_a_product_landing_exactly_on_the_threshold_is_at_risk(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", "Fund", 50)
    ownership.stake("Fund", ownership.vendor_id, 10)

    assert ownership.finding_for("Orbital Dynamics").severity == "at_risk"


def test_below_threshold_finding_is_info_and_says_so(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 2)

    finding = ownership.finding_for("Orbital Dynamics")

    assert finding.severity == "info"
    assert finding.reason.endswith("below the 5% at-risk threshold.")


def test_an_observer_seat_makes_a_small_holding_at_risk(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 1, observer_seats=1)

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.severity, finding.observer_seats) == ("at_risk", 1)
    assert "with 1 observer seat (at risk)" in finding.reason


def test_a_board_seat_makes_the_vendor_conflicted_even_without_equity(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 0, board_seats=2)

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.severity, finding.board_seats, finding.percent) == ("conflicted", 2, 0.0)
    assert "with 2 board seats (conflicted)" in finding.reason


def test_a_board_seat_of_a_controlled_fund_is_the_competitors(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", "Orbital Ventures LP", 100)
    ownership.stake("Orbital Ventures LP", ownership.vendor_id, 3, board_seats=1)

    assert ownership.finding_for("Orbital Dynamics").board_seats == 1


def test_information_rights_make_a_small_holding_at_risk(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 1, information_rights=True)

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.severity, finding.information_rights) == ("at_risk", True)


def test_voting_control_with_low_equity_is_conflicted(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 10, voting_percent=60)

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.percent, finding.voting_percent) == (10.0, 60.0)
    assert (finding.voting_control, finding.severity) == (True, "conflicted")
    assert "controls it with 60.0% of the votes, more than the 50% control threshold" \
        in finding.reason


def test_votes_held_by_two_controlled_subsidiaries_add_up_to_control(ownership):
    ownership.competitor("Orbital Dynamics")
    for fund in ("Fund A", "Fund B"):
        ownership.stake("Orbital Dynamics", fund, 100)
        ownership.stake(fund, ownership.vendor_id, 2, voting_percent=30)

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.percent, finding.voting_percent, finding.voting_control) == (4.0, 60.0, True)


def test_exactly_half_the_votes_is_not_control(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 1, voting_percent=50)

    finding = ownership.finding_for("Orbital Dynamics")

    # Not control, but half the votes is still above the conflicted percent threshold.
    assert (finding.voting_control, finding.severity) == (False, "conflicted")


def test_a_vendor_whose_declared_parent_is_the_competitor_is_controlled(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.entity("Orbital Dynamics")
    ownership.entities[0]["parent_id"] = "Orbital Dynamics"

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.severity, finding.voting_control) == ("conflicted", True)
    assert finding.path == ("Orbital Dynamics", "LabelWorks")
    assert finding.reason == ("Orbital Dynamics holds no shares in LabelWorks, and controls "
                              "it as its declared parent Orbital Dynamics.")


def test_custom_thresholds_override_only_what_they_name(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 2, board_seats=1)
    custom = {"at_risk_percent": 1, "conflicted_percent": "2.5", "board_seat": "at_risk"}

    finding = ownership.finding_for("Orbital Dynamics", thresholds=custom)

    assert finding.severity == "at_risk"
    assert "at or above the 1% at-risk threshold" in finding.reason
    assert "with 1 board seat (at risk)" in finding.reason
    assert Thresholds.build(custom).observer_seat == "at_risk"


def test_a_custom_conflicted_percent_moves_the_boundary(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 10)

    finding = ownership.finding_for("Orbital Dynamics", thresholds={"conflicted_percent": 10})

    assert finding.severity == "conflicted"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"at_risk": 5}, "thresholds.at_risk"),
    ({"board_seat": "red"}, "thresholds.board_seat"),
    ({"conflicted_percent": 120}, "thresholds.conflicted_percent"),
    ({"at_risk_percent": 30}, "thresholds.at_risk_percent"),
])
def test_bad_thresholds_are_refused_with_their_location(overrides, field):
    with pytest.raises(NeutralityInputError) as error:
        Thresholds.build(overrides)

    assert error.value.field == field


def test_findings_are_ordered_worst_first_and_status_is_the_worst(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.competitor("Example Platforms")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 6)
    ownership.stake("Example Platforms", ownership.vendor_id, 30)

    result = ownership.analyse()

    assert [finding.competitor for finding in result.findings] == [
        "Example Platforms", "Orbital Dynamics"]
    assert result.status == "conflicted"


def test_a_vendor_that_is_itself_the_competitor_is_conflicted(make_ownership):
    ownership = make_ownership(vendor="Orbital Labeling")
    ownership.competitor("Orbital Dynamics", "Orbital Labeling Inc.")

    finding = ownership.finding_for("Orbital Dynamics")

    assert (finding.severity, finding.path) == ("conflicted", ("Orbital Labeling",))
    assert finding.reason == ("Orbital Labeling itself matches the competitor Orbital Dynamics "
                              "by name or alias, so it is treated as the competitor.")
