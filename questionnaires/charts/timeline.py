"""When each stake was held: one bar per stake between two dates, as plain SVG text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from questionnaires.charts.svgkit import document, dom_id, element, label, text, truncate
from questionnaires.ownership.neutrality.records import Registry, Stake
from questionnaires.ownership.neutrality.wording import format_percent

LABEL_WIDTH = 330
LABEL_LIMIT = 52  # characters of "holder: n% of subject" that fit LABEL_WIDTH at 11px
CHART_WIDTH = 560
ROW_HEIGHT = 24
BAR_HEIGHT = 12
MARGIN = 20
HEADER_HEIGHT = 34
AXIS_HEIGHT = 40
MAX_TICKS = 12  # more labels than this collide on CHART_WIDTH
HELD_COLOUR = "#1565c0"
DISPOSED_COLOUR = "#90a4ae"


def ownership_timeline_svg(stakes: Iterable[Any], entities: Iterable[Any], *, start: date,
                           end: date) -> str:
    """One row per stake held at some time from `start` to `end`, oldest first.

    A bar runs from the acquisition (or `start`, when earlier or unknown) to the disposal
    (or `end`); stakes still held at `end` are blue, those disposed of grey.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    registry = Registry.build(entities, stakes, ())
    shown = sorted((stake for stake in registry.stakes if _overlaps(stake, start, end)),
                   key=lambda stake: (stake.acquired_on or date.min,
                                      _sentence(registry, stake), stake.id))
    chart_left = MARGIN + LABEL_WIDTH
    rows = [_row(registry, stake, index, start, end, chart_left)
            for index, stake in enumerate(shown)]
    if not rows:
        rows = [label(MARGIN, HEADER_HEIGHT + 16,
                      f"No stake was held between {start.isoformat()} and {end.isoformat()}.")]
    axis_top = HEADER_HEIGHT + max(len(shown), 1) * ROW_HEIGHT + 6
    title = f"Ownership stakes from {start.isoformat()} to {end.isoformat()}"
    body = [label(MARGIN, 20, title, size=13, weight="bold"), *rows,
            *_axis(start, end, chart_left, axis_top)]
    desc = " ".join(f"{_sentence(registry, stake)}, {_period(stake)}." for stake in shown)
    return document(width=chart_left + CHART_WIDTH + MARGIN, height=axis_top + AXIS_HEIGHT,
                    prefix=dom_id("timeline", start.isoformat(), end.isoformat(),
                                  *(stake.id for stake in shown)),
                    title=title, desc=desc or "No stakes in this period.", body=body)


def _overlaps(stake: Stake, start: date, end: date) -> bool:
    begun = stake.acquired_on is None or stake.acquired_on <= end
    return begun and (stake.disposed_on is None or stake.disposed_on > start)


def _row(registry: Registry, stake: Stake, index: int, start: date, end: date,
         chart_left: int) -> str:
    top = HEADER_HEIGHT + index * ROW_HEIGHT
    held_from = max(stake.acquired_on or start, start)
    held_to = min(stake.disposed_on or end, end)
    x1, x2 = _x(held_from, start, end, chart_left), _x(held_to, start, end, chart_left)
    disposed = not stake.is_held_on(end)  # it overlaps the period, so it was acquired by then
    sentence = _sentence(registry, stake)
    bar = element("rect", {
        "x": x1, "y": top + (ROW_HEIGHT - BAR_HEIGHT) / 2, "width": max(x2 - x1, 2.0),
        "height": BAR_HEIGHT, "rx": 2, "fill": DISPOSED_COLOUR if disposed else HELD_COLOUR})
    return element("g", {}, element("title", {}, text(f"{sentence}, {_period(stake)}"))
                   + label(MARGIN, top + 16, truncate(sentence, LABEL_LIMIT)) + bar)


def _x(day: date, start: date, end: date, chart_left: int) -> float:
    # A one-day range still needs a width to divide by.
    span = max((end - start).days, 1)
    return chart_left + CHART_WIDTH * (day - start).days / span


def _sentence(registry: Registry, stake: Stake) -> str:
    holder = registry.entities[stake.holder_id].name
    subject = registry.entities[stake.subject_id].name
    marks = [f"{format_percent(stake.voting_percent)}% votes"] \
        if stake.voting_percent != stake.percent else []
    for noun, count in (("board", stake.board_seats), ("observer", stake.observer_seats)):
        if count:
            marks.append(noun if count == 1 else f"{noun} x{count}")
    extra = f" ({', '.join(marks)})" if marks else ""
    return f"{holder}: {format_percent(stake.percent)}% of {subject}{extra}"


def _period(stake: Stake) -> str:
    since = (f"from {stake.acquired_on.isoformat()}" if stake.acquired_on
             else "from an unknown date")
    until = f"to {stake.disposed_on.isoformat()}" if stake.disposed_on else "still held"
    return f"{since} {until}"


def _axis(start: date, end: date, chart_left: int, top: int) -> list[str]:
    parts = [element("line", {"x1": chart_left, "y1": top, "x2": chart_left + CHART_WIDTH,
                              "y2": top, "stroke": "#616161", "stroke-width": 1})]
    for day, caption in _ticks(start, end):
        x = _x(day, start, end, chart_left)
        # The full dates at the two ends align inwards so they stay inside the picture.
        anchor = "start" if day == start else "end" if day == end else "middle"
        parts.append(element("line", {"x1": x, "y1": top, "x2": x, "y2": top + 5,
                                      "stroke": "#616161", "stroke-width": 1}))
        parts.append(label(x, top + 18, caption, size=10, anchor=anchor, fill="#424242"))
    return parts


def _ticks(start: date, end: date) -> list[tuple[date, str]]:
    """The range's ends, plus years (or months, for short ranges) that fit between them."""
    firsts = [date(year, 1, 1) for year in range(start.year + 1, end.year + 1)]
    captions = [str(day.year) for day in firsts]
    if len(firsts) < 2:
        firsts = _month_starts(start, end)
        captions = [day.strftime("%Y-%m") for day in firsts]
    step = max(1, -(-len(firsts) // (MAX_TICKS - 2)))
    inner = [(day, caption) for day, caption in zip(firsts[::step], captions[::step], strict=True)
             if start < day < end]
    # Ends are labelled in full; an inner tick too near one would print over it.
    span = max((end - start).days, 1)
    inner = [(day, caption) for day, caption in inner
             if min((day - start).days, (end - day).days) / span > 0.08]
    ends = [(start, start.isoformat())] + ([(end, end.isoformat())] if end != start else [])
    return ends[:1] + inner + ends[1:]


def _month_starts(start: date, end: date) -> list[date]:
    months = []
    year, month = (start.year, start.month + 1) if start.month < 12 else (start.year + 1, 1)
    while date(year, month, 1) <= end:
        months.append(date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months
