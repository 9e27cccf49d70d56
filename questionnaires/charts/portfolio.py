"""Small charts for the workspace, written as SVG on the server (no script, CSP-safe).

Every label goes through svgkit's escaping, so a vendor or section name cannot become
markup; the result is marked safe only after that.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from questionnaires.charts.scores import TIER_COLOURS, UNSCORED_COLOUR
from questionnaires.charts.svgkit import document, dom_id, element, label, text

TIER_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low",
               "unscored": "Not scored"}
GRID = "#d9dee6"
INK = "#5b6676"


def tier_counts_svg(counts: Mapping[str, int]) -> SafeString:
    """One horizontal bar per tier, longest = the largest count."""
    width, row, left, right = 360, 26, 90, 50
    keys = list(TIER_LABELS)
    height = row * len(keys) + 8
    largest = max([counts.get(k, 0) for k in keys] + [1])
    span = width - left - right
    body = []
    for index, key in enumerate(keys):
        y = 4 + index * row
        n = counts.get(key, 0)
        body.append(label(left - 8, y + 16, TIER_LABELS[key], anchor="end", fill=INK))
        body.append(element("rect", {"x": left, "y": y + 4, "width": round(span * n / largest, 1),
                                     "height": 16, "rx": 2,
                                     "fill": TIER_COLOURS.get(key, UNSCORED_COLOUR)}))
        body.append(label(left + span * n / largest + 6, y + 16, str(n), weight="bold"))
    summary = ", ".join(f"{TIER_LABELS[k]}: {counts.get(k, 0)}" for k in keys)
    return mark_safe(document(  # noqa: S308 - every label escaped by svgkit
        width=width, height=height, prefix=dom_id("tiers", summary),
        title="Vendors by risk tier", desc=summary, body=body))


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date
    overall: float
    tier: str


def score_trend_svg(points: Sequence[TrendPoint]) -> SafeString:
    """Overall score per assessment cycle, oldest left; the y axis is the 0-100 scale."""
    width, height, left, top, bottom, right = 560, 200, 36, 12, 36, 16
    plot_w, plot_h = width - left - right, height - top - bottom
    body = []
    for value in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - value / 100)
        body.append(element("line", {"x1": left, "y1": round(y, 1), "x2": width - right,
                                     "y2": round(y, 1), "stroke": GRID, "stroke-width": 1}))
        body.append(label(left - 6, y + 4, str(value), anchor="end", size=10, fill=INK))
    step = plot_w / max(len(points) - 1, 1)
    coordinates = []
    for index, point in enumerate(points):
        x = left + (step * index if len(points) > 1 else plot_w / 2)
        y = top + plot_h * (1 - max(0.0, min(point.overall, 100.0)) / 100)
        coordinates.append((round(x, 1), round(y, 1)))
        if len(points) <= 12 or index in (0, len(points) - 1):
            body.append(label(x, height - bottom + 16, point.day.isoformat(), anchor="middle",
                              size=10, fill=INK))
    if len(coordinates) > 1:
        body.append(element("polyline", {
            "points": " ".join(f"{x},{y}" for x, y in coordinates), "fill": "none",
            "stroke": "#1f4e8c", "stroke-width": 2}))
    for (x, y), point in zip(coordinates, points, strict=True):
        body.append(element("circle", {"cx": x, "cy": y, "r": 5,
                                       "fill": TIER_COLOURS.get(point.tier, UNSCORED_COLOUR),
                                       "stroke": "#ffffff", "stroke-width": 1.5},
                            element("title", {}, text(f"{point.day.isoformat()}: "
                                                      f"{point.overall:g} ({point.tier})"))))
    summary = "; ".join(f"{p.day.isoformat()} {p.overall:g} ({p.tier})" for p in points)
    return mark_safe(document(  # noqa: S308 - every label escaped by svgkit
        width=width, height=height, prefix=dom_id("trend", summary),
        title="Overall score per assessment", desc=summary or "No scored assessment yet",
        body=body))
