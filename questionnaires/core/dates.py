"""The range of calendar days the application accepts, wherever a day comes in.

Python's dates run from year 1 to 9999, but the code adds and subtracts days (a history
starts the day before the first stake, an invitation lasts 30 days past the due date, a
search runs to the end of its last day), and at either end of that range the arithmetic
overflows. No due-diligence fact needs a day outside these bounds, so every serializer,
form and query parameter that takes a day checks it against this one validator.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)  # far-future filters (until=2999-01-01) stay valid


def day_problem(day: datetime.date) -> str:
    """Why `day` is refused, or "" when it is inside the accepted range."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return ""
    return (f"{day.isoformat()} is out of range; expected a date from "
            f"{EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}")


def validate_day(day: datetime.date | None) -> None:
    """A Django validator (forms and DRF serializers both run these)."""
    if day is not None and (problem := day_problem(day)):
        raise ValidationError(problem, code="date_out_of_range")


def parse_day(value: str) -> datetime.date:
    """A "YYYY-MM-DD" text inside the range; ValidationError with the reason otherwise."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f'"{value}" is not a date: expected "YYYY-MM-DD"',
                              code="invalid") from None
    validate_day(day)
    return day
