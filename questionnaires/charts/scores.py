"""Bar charts for the PDF report, written as SVG text on the server.

No charting library and no script: a horizontal bar per row on a fixed 0-100 scale, with
the template's tier thresholds drawn as dashed lines so a reader sees at once which band a
bar falls in. Every label goes through svgkit's escaping, so a section or scenario title
typed by anyone cannot become markup. Same input, same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from questionnaires.charts.svgkit import document, dom_id, element, label, truncate
from questionnaires.scoring.text import num, signed

LABEL_WIDTH = 250
LABEL_LIMIT = 38  # characters of a title that fit LABEL_WIDTH at 11px
CHART_WIDTH = 290
VALUE_WIDTH = 120  # room right of the bars for "72.5 (-12.5)" or "72.5 (no change)"
ROW_HEIGHT = 26
BAR_HEIGHT = 14
MARGIN = 16
HEADER_HEIGHT = 34
AXIS_HEIGHT = 44

TIER_COLOURS: Mapping[str, str] = {
    "low": "#2e7d32",
    "medium": "#f9a825",
    "high": "#ef6c00",
    "critical": "#c62828",
}
UNSCORED_COLOUR = "#9e9e9e"
BASELINE_COLOUR = "#455a64"
GRID_COLOUR = "#9e9e9e"


@dataclass(frozen=True)
class Bar:
    """One row: a caption, a score on 0-100 (None: not scored), the tier that colours it,
    and an optional note printed after the value (a scenario's delta)."""

    caption: str
    score: float | None
    tier: str | None
    note: str = ""


def tier_of(score: float, thresholds: Mapping[str, float]) -> str:
    """The band a score falls in, by the template's thresholds alone (no flag floors):
    a section has no flags of its own, so its colour is its band."""
    for tier in ("low", "medium", "high"):
        if score >= thresholds[tier]:
            return tier
    return "critical"


def section_scores_svg(sections: Sequence[Mapping], thresholds: Mapping[str, float]) -> str:
    """One bar per section of the score run, coloured by the band its score falls in."""
    bars = [Bar(section["title"], section["score"],
                None if section["score"] is None else tier_of(section["score"], thresholds))
            for section in sections]
    return bar_chart_svg(bars, thresholds, title="Section scores (0-100)",
                         desc=_describe(bars))


def scenarios_svg(baseline: Mapping, scenarios: Sequence[Mapping],
                  thresholds: Mapping[str, float]) -> str:
    """The baseline overall, then each scenario's overall with its change from it; a line
    at the baseline runs through every row so the fall is visible without reading numbers."""
    bars = [Bar("Baseline (as answered)", baseline["overall"], baseline["tier"])]
    bars += [Bar(scenario["title"], scenario["overall"], scenario["tier"],
                 f"({signed(scenario['delta'])})" if scenario["delta"] else "(no change)")
             for scenario in scenarios]
    return bar_chart_svg(bars, thresholds, title="Overall score under each scenario",
                         desc=_describe(bars), reference=baseline["overall"])


def bar_chart_svg(bars: Sequence[Bar], thresholds: Mapping[str, float], *, title: str,
                  desc: str, reference: float | None = None) -> str:
    """The chart frame shared by both pictures: rows, threshold lines, an axis."""
    chart_left = MARGIN + LABEL_WIDTH
    width = chart_left + CHART_WIDTH + VALUE_WIDTH + MARGIN
    axis_top = HEADER_HEIGHT + max(len(bars), 1) * ROW_HEIGHT + 4
    body = [label(MARGIN, 20, title, size=13, weight="bold")]
    body += _thresholds(thresholds, chart_left, axis_top)
    body += [_row(bar, index, chart_left) for index, bar in enumerate(bars)]
    if reference is not None:
        x = _x(reference, chart_left)
        body.append(element("line", {"x1": x, "y1": HEADER_HEIGHT - 2, "x2": x,
                                     "y2": axis_top, "stroke": BASELINE_COLOUR,
                                     "stroke-width": 1.5}))
    body += _axis(chart_left, axis_top)
    return document(width=width, height=axis_top + AXIS_HEIGHT,
                    prefix=dom_id("chart", title, *(bar.caption for bar in bars)),
                    title=title, desc=desc, body=body)


def _x(score: float, chart_left: int) -> float:
    return chart_left + CHART_WIDTH * max(0.0, min(score, 100.0)) / 100


def _row(bar: Bar, index: int, chart_left: int) -> str:
    top = HEADER_HEIGHT + index * ROW_HEIGHT
    parts = [label(MARGIN, top + 17, truncate(bar.caption, LABEL_LIMIT))]
    if bar.score is None:
        parts.append(label(chart_left + 4, top + 17, "not scored", fill=UNSCORED_COLOUR))
    else:
        end = _x(bar.score, chart_left)
        parts.append(element("rect", {
            "x": chart_left, "y": top + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            # A score of 0 still gets a sliver, so "0" reads as a bar and not as missing.
            "width": max(end - chart_left, 2.0), "height": BAR_HEIGHT, "rx": 2,
            "fill": TIER_COLOURS.get(bar.tier or "", UNSCORED_COLOUR)}))
        value = num(bar.score) + (f"  {bar.note}" if bar.note else "")
        parts.append(label(chart_left + CHART_WIDTH + 6, top + 17, value, weight="bold"))
    return element("g", {}, "".join(parts))


def _thresholds(thresholds: Mapping[str, float], chart_left: int, axis_top: int) -> list[str]:
    lines = []
    for tier in ("high", "medium", "low"):
        x = _x(thresholds[tier], chart_left)
        lines.append(element("line", {"x1": x, "y1": HEADER_HEIGHT - 2, "x2": x, "y2": axis_top,
                                      "stroke": TIER_COLOURS[tier], "stroke-width": 1,
                                      "stroke-dasharray": "3 3"}))
    return lines


def _axis(chart_left: int, top: int) -> list[str]:
    parts = [element("line", {"x1": chart_left, "y1": top, "x2": chart_left + CHART_WIDTH,
                              "y2": top, "stroke": GRID_COLOUR, "stroke-width": 1})]
    for tick in range(0, 101, 20):
        x = _x(tick, chart_left)
        parts.append(element("line", {"x1": x, "y1": top, "x2": x, "y2": top + 4,
                                      "stroke": GRID_COLOUR, "stroke-width": 1}))
        parts.append(label(x, top + 16, str(tick), size=9, anchor="middle", fill="#424242"))
    legend_y = top + 34
    x = chart_left
    for tier in ("low", "medium", "high", "critical"):
        parts.append(element("rect", {"x": x, "y": legend_y - 9, "width": 10, "height": 10,
                                      "fill": TIER_COLOURS[tier]}))
        parts.append(label(x + 14, legend_y, f"{tier} risk", size=9))
        x += 78
    return parts


def _describe(bars: Sequence[Bar]) -> str:
    """The chart in words, for screen readers and text extraction."""
    return "; ".join(f"{bar.caption}: {'not scored' if bar.score is None else num(bar.score)}"
                     + (f" ({bar.note})" if bar.note else "") for bar in bars) + "."
