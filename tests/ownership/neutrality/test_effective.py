"""Effective ownership: products along chains, sums over paths, cycles cut, dates honoured."""

from datetime import date

import pytest

from questionnaires.ownership.neutrality.analysis import analyse
from questionnaires.ownership.neutrality.paths import MAX_PATHS, OwnershipTooComplex


def test_three_level_chain_multiplies_the_percents(ownership):
    ownership.stake("Holdco", "Fund", 50)
    ownership.stake("Fund", "Feeder", 40)
    ownership.stake("Feeder", ownership.vendor_id, 30)

    assert ownership.analyse().effective == {"Feeder": 30.0, "Fund": 12.0, "Holdco": 6.0}


def test_two_paths_to_the_same_competitor_are_summed(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", "Fund One", 50)
    ownership.stake("Fund One", ownership.vendor_id, 40)
    ownership.stake("Orbital Dynamics", "Fund Two", 25)
    ownership.stake("Fund Two", ownership.vendor_id, 40)

    finding = ownership.finding_for("Orbital Dynamics")

    assert finding.percent == 30.0
    assert finding.severity == "conflicted"
    assert [share.percent for share in finding.paths] == [20.0, 10.0]
    assert finding.path == ("Orbital Dynamics", "Fund One", "LabelWorks")


def test_two_tranches_between_the_same_pair_add_up(ownership):
    ownership.stake("Fund", ownership.vendor_id, 10)
    ownership.stake("Fund", ownership.vendor_id, 5.5)

    assert ownership.analyse().effective == {"Fund": 15.5}


def test_cycle_terminates_is_reported_and_the_acyclic_part_is_exact(ownership):
    ownership.stake("A", "B", 30)
    ownership.stake("B", "A", 20)
    ownership.stake("B", ownership.vendor_id, 50)

    result = ownership.analyse()

    assert result.effective == {"A": 15.0, "B": 50.0}
    assert result.cycles == (("A", "B"),)
    info = [finding for finding in result.findings if finding.severity == "info"]
    assert [finding.path for finding in info] == [("A", "B", "A")]
    assert info[0].reason.startswith("Ownership cycle: A owns B, which owns A;")
    assert result.status == "neutral"


def test_a_cycle_through_the_vendor_is_reported(ownership):
    ownership.stake("Partner", ownership.vendor_id, 10)
    ownership.stake(ownership.vendor_id, "Partner", 5)

    result = ownership.analyse()

    assert result.effective == {"Partner": 10.0}
    assert result.cycles == (("LabelWorks", "Partner"),)


def test_a_self_holding_is_a_cycle_of_one(ownership):
    ownership.stake(ownership.vendor_id, ownership.vendor_id, 3)

    assert ownership.analyse().cycles == (("LabelWorks",),)


def test_a_disposed_stake_counts_before_disposal_and_not_after(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 30,
                    acquired_on=date(2024, 1, 1), disposed_on=date(2025, 1, 1))

    assert ownership.analyse(on=date(2023, 12, 31)).status == "neutral"
    assert ownership.analyse(on=date(2024, 1, 1)).effective == {"Orbital Dynamics": 30.0}
    assert ownership.analyse(on=date(2024, 12, 31)).status == "conflicted"
    after = ownership.analyse(on=date(2025, 1, 1))
    assert (after.status, after.effective, after.findings) == ("neutral", {}, ())


def test_effective_percent_is_rounded_half_up_to_four_decimals(ownership):
    ownership.stake("Fund", "Feeder", "33.33335")
    ownership.stake("Feeder", ownership.vendor_id, 100)
    ownership.stake("Other", ownership.vendor_id, "12.34565")

    assert ownership.analyse().effective == {
        "Feeder": 100.0, "Fund": 33.3334, "Other": 12.3457}


def test_a_graph_with_too_many_paths_is_refused():
    # Every entity holds a little of every other: the simple paths explode combinatorially.
    names = [f"E{index}" for index in range(10)]
    entities = [{"id": name, "name": name} for name in names]
    stakes = [{"id": f"{holder}-{subject}", "holder_id": holder, "subject_id": subject,
               "percent": 1} for holder in names for subject in names if holder != subject]

    with pytest.raises(OwnershipTooComplex, match=str(MAX_PATHS)):
        analyse("E0", entities, stakes, [], on=date(2025, 1, 1))
