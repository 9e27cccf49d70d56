"""Status over time, and the vendor's answers checked against the registry."""

from datetime import date

import pytest

from questionnaires.ownership.neutrality.analysis import (
    OWN_BOARD_SEAT_COMPETITOR,
    OWN_MODEL_BUILDER_EQUITY,
    cross_check,
    status_changes,
)


@pytest.fixture
def timeline(ownership):
    """Orbital's fund buys in, adds to its stake, then sells out step by step."""
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", "Orbital Ventures LP", 100)
    ownership.stake("Orbital Ventures LP", ownership.vendor_id, 10,
                    acquired_on=date(2024, 1, 15), disposed_on=date(2025, 9, 1))
    ownership.stake("Orbital Ventures LP", ownership.vendor_id, 20,
                    acquired_on=date(2025, 3, 1), disposed_on=date(2026, 1, 1))
    ownership.stake("Unrelated Angel", ownership.vendor_id, 3, acquired_on=date(2024, 6, 1))
    return ownership


def changes(ownership, start, end, thresholds=None):
    return [change.as_dict() for change in status_changes(
        ownership.vendor_id, ownership.entities, ownership.stakes, ownership.competitors,
        start=start, end=end, thresholds=thresholds)]


def test_status_changes_on_each_day_the_status_moves(timeline):
    found = changes(timeline, date(2023, 1, 1), date(2026, 12, 31))

    assert [(change["date"], change["from"], change["to"]) for change in found] == [
        ("2024-01-15", "neutral", "at_risk"),
        ("2025-03-01", "at_risk", "conflicted"),
        ("2025-09-01", "conflicted", "at_risk"),
        ("2026-01-01", "at_risk", "neutral"),
    ]


def test_a_change_says_what_happened_and_why(timeline):
    found = changes(timeline, date(2023, 1, 1), date(2026, 12, 31))

    assert found[1]["reason"] == (
        "On 2025-03-01 Orbital Ventures LP acquired 20.0% of LabelWorks. "
        "Orbital Ventures LP, controlled by Orbital Dynamics with 100.0% of the votes, holds "
        "30.0% of LabelWorks directly, at or above the 25% conflicted threshold.")
    assert found[3]["reason"].startswith(
        "On 2026-01-01 Orbital Ventures LP disposed of 20.0% of LabelWorks. "
        "LabelWorks is now neutral")


def test_status_changes_only_within_the_range(timeline):
    found = changes(timeline, date(2024, 2, 1), date(2025, 6, 30))

    assert [(change["date"], change["to"]) for change in found] == [
        ("2025-03-01", "conflicted")]


def test_status_changes_follow_custom_thresholds(timeline):
    found = changes(timeline, date(2023, 1, 1), date(2026, 12, 31),
                    thresholds={"conflicted_percent": 50})

    assert [change["to"] for change in found] == ["at_risk", "neutral"]


def test_status_changes_refuse_a_backwards_range(timeline):
    with pytest.raises(ValueError, match="after end"):
        changes(timeline, date(2025, 1, 1), date(2024, 1, 1))


def test_a_no_to_the_equity_question_contradicted_by_the_registry_is_a_discrepancy(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 12)

    found = cross_check(ownership.analyse(), {OWN_MODEL_BUILDER_EQUITY: "no"})

    assert [(finding.severity, finding.competitor, finding.percent) for finding in found] == [
        ("discrepancy", "Orbital Dynamics", 12.0)]
    assert found[0].reason.startswith(
        'LabelWorks answered "no" to "Does any model builder, or a fund or affiliate it '
        'controls, hold equity in your company, at any percentage?" '
        "(own_model_builder_equity), but the ownership registry on 2025-06-30 shows: "
        "Orbital Dynamics holds 12.0% of LabelWorks directly")


def test_equity_below_the_threshold_still_contradicts_at_any_percentage(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 1)

    assert len(cross_check(ownership.analyse(), {OWN_MODEL_BUILDER_EQUITY: "no"})) == 1


def test_a_truthful_yes_is_no_discrepancy(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 12, board_seats=1)
    answers = {OWN_MODEL_BUILDER_EQUITY: "yes", OWN_BOARD_SEAT_COMPETITOR: "yes"}

    assert cross_check(ownership.analyse(), answers) == []


def test_a_no_to_the_board_question_is_contradicted_by_a_seat(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", ownership.vendor_id, 0, observer_seats=1)

    found = cross_check(ownership.analyse(), {OWN_MODEL_BUILDER_EQUITY: "no",
                                              OWN_BOARD_SEAT_COMPETITOR: "no"})

    # No equity, so only the seat question is contradicted.
    assert [finding.reason.split("(")[1].split(")")[0] for finding in found] == [
        OWN_BOARD_SEAT_COMPETITOR]


def test_cycles_and_non_competitor_holders_raise_no_discrepancy(ownership):
    ownership.stake("A", "B", 30)
    ownership.stake("B", "A", 30)
    ownership.stake("B", ownership.vendor_id, 40, board_seats=1)

    answers = {OWN_MODEL_BUILDER_EQUITY: "no", OWN_BOARD_SEAT_COMPETITOR: "no"}

    assert cross_check(ownership.analyse(), answers) == []
