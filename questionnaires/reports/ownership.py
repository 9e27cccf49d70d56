"""The neutrality chapter: who holds what in the vendor on the report's date, drawn and
explained, and the history of its status.

The analysis is run again for the report's date rather than read from the score run: a
compliance reader signs off on the ownership as it is when the report is issued, and the
chapter says when that differs from the status the score was computed with.
"""

from __future__ import annotations

import base64
import datetime
import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from questionnaires.charts.ownership import ownership_graph_svg, ownership_timeline_svg
from questionnaires.ownership.models import SEVERITY_LABELS, NeutralityEvent, NeutralityStatus, Vendor
from questionnaires.ownership.neutrality.analysis import analyse, cross_check
from questionnaires.ownership.neutrality.paths import OwnershipTooComplex
from questionnaires.ownership.neutrality.records import NeutralityInputError
from questionnaires.ownership.services.neutrality import graph_for

logger = logging.getLogger(__name__)

STATUS_LABELS = {**dict(NeutralityStatus.choices),
                 "discrepancy": "Discrepancy between answers and records"}
EVENT_LIMIT = 50  # change-of-control events shown; older ones are counted, not listed
TIMELINE_YEARS = 3  # how far back the stake timeline reaches when no stake is dated


def svg_data_uri(svg: str) -> str:
    """An SVG picture as a `data:` URL: the only kind of URL the report's fetcher answers."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def neutrality_part(*, vendor: Vendor, vendor_entity_id: str | None, answers: Mapping[str, Any],
                    on: datetime.date, scored_status: str) -> dict[str, Any]:
    """Status, findings with their paths, the graph, the stake timeline and the events
    (4 queries: the buyer's entities, stakes and competitors, and the vendor's events)."""
    events = _events(vendor)
    part: dict[str, Any] = {"scored_status": STATUS_LABELS.get(scored_status, scored_status),
                            "on": on.isoformat(), "events": events[:EVENT_LIMIT],
                            "more_events": max(0, len(events) - EVENT_LIMIT)}
    if vendor_entity_id is None:
        return {**part, "available": False, "status": part["scored_status"], "findings": [],
                "note": "No ownership data is recorded for this vendor."}
    entities, stakes, competitors = graph_for(vendor.organization)
    thresholds = vendor.organization.neutrality_thresholds or None
    try:
        result = analyse(vendor_entity_id, entities, stakes, competitors, on=on,
                         thresholds=thresholds)
        findings = list(result.findings) + list(cross_check(result, answers))
        graph = ownership_graph_svg(vendor_entity_id, entities, stakes, competitors, on=on,
                                    findings=findings, thresholds=thresholds)
        timeline = _timeline(vendor_entity_id, entities, stakes, on)
    except (NeutralityInputError, OwnershipTooComplex) as exc:
        # A registry the analysis refuses must not stop the report: it says so instead.
        logger.warning("neutrality not analysed for vendor %s: %s", vendor.pk, exc)
        return {**part, "available": False, "status": part["scored_status"], "findings": [],
                "note": f"The ownership registry could not be analysed: {exc}"}
    status = result.status
    if status == "neutral" and any(f.severity == "discrepancy" for f in findings):
        status = "discrepancy"
    return {
        **part,
        "available": True,
        "status": STATUS_LABELS.get(status, status),
        "changed_since_scoring": status != scored_status,
        "findings": [{
            "severity": SEVERITY_LABELS.get(finding.severity, finding.severity),
            "competitor": finding.competitor or "",
            "holder": finding.holder,
            "percent": _percent(finding.percent),
            "voting_percent": _percent(finding.voting_percent),
            "path": " \u2192 ".join(finding.path),
            "other_paths": [" \u2192 ".join(share.names) for share in finding.paths[1:]],
            "reason": finding.reason,
        } for finding in findings],
        "graph": svg_data_uri(graph),
        "timeline": svg_data_uri(timeline) if timeline else None,
    }


def _percent(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") + "%"


def _events(vendor: Vendor) -> list[dict[str, Any]]:
    rows = NeutralityEvent.objects.filter(vendor=vendor).order_by("-created_at")
    return [{
        "at": event.created_at,
        "from": STATUS_LABELS.get(event.from_status, event.from_status),
        "to": STATUS_LABELS.get(event.to_status, event.to_status),
        "reasons": [str(finding.get("reason")) for finding in event.findings or []
                    if isinstance(finding, dict) and finding.get("reason")],
        "recheck": str(event.recheck_id) if event.recheck_id else "",
    } for event in rows]


def _timeline(vendor_id: str, entities: list[dict], stakes: list[dict],
              on: datetime.date) -> str | None:
    """Every stake ever held above the vendor (disposed ones too: that is the history)."""
    held_by: dict[str, list[dict]] = defaultdict(list)
    for stake in stakes:
        held_by[stake["subject_id"]].append(stake)
    above, frontier, seen = [], [vendor_id], {vendor_id}
    while frontier:
        subject = frontier.pop()
        for stake in held_by[subject]:
            above.append(stake)
            if stake["holder_id"] not in seen:
                seen.add(stake["holder_id"])
                frontier.append(stake["holder_id"])
    if not above:
        return None
    dated = [stake["acquired_on"] for stake in above if stake["acquired_on"]]
    start = min(dated) if dated else on - datetime.timedelta(days=365 * TIMELINE_YEARS)
    start = min(start, on)
    return ownership_timeline_svg(above, entities, start=start, end=on)
