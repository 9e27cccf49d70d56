"""One answer to "is this stake held on day X", at the boundary days, for the registry
record, the stored row and the API field built on it."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from questionnaires.ownership.models import Stake as StakeRow
from questionnaires.ownership.neutrality.records import Stake, held_on

ACQUIRED, DISPOSED = date(2024, 3, 1), date(2025, 6, 30)
CASES = [
    (ACQUIRED, DISPOSED, date(2024, 2, 29), False),  # the day before acquisition
    (ACQUIRED, DISPOSED, ACQUIRED, True),  # held from its acquisition day
    (ACQUIRED, DISPOSED, date(2025, 6, 29), True),  # the last day held
    (ACQUIRED, DISPOSED, DISPOSED, False),  # no longer held on the disposal day
    (None, DISPOSED, date(1990, 1, 1), True),  # undated: held since always
    (ACQUIRED, None, date(2099, 1, 1), True),  # never disposed of
    (ACQUIRED, ACQUIRED, ACQUIRED, False),  # bought and sold the same day: never held
]


@pytest.mark.parametrize(("acquired_on", "disposed_on", "day", "held"), CASES)
def test_held_on_at_the_boundary_days(acquired_on, disposed_on, day, held):
    assert held_on(acquired_on, disposed_on, day) is held


@pytest.mark.parametrize(("acquired_on", "disposed_on", "day", "held"), CASES)
def test_the_record_and_the_row_say_the_same(acquired_on, disposed_on, day, held):
    record = Stake(id="s", holder_id="h", subject_id="v", percent=Fraction(10),
                   voting_percent=Fraction(10), acquired_on=acquired_on,
                   disposed_on=disposed_on)
    row = StakeRow(acquired_on=acquired_on, disposed_on=disposed_on)
    assert record.is_held_on(day) is held
    assert row.is_held_on(day) is held
