"""What the vendor page shows, gathered in a fixed number of queries.

The buyer's graph is read once (3 queries) and everything on the page is computed from it:
the verdict on the chosen day, the graph and timeline pictures, the history of the status,
and the choices of the stake form. Then 2 queries for the cross-checked answers, 1 for the
stakes with their holders, 1 for the recorded events.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from questionnaires.charts.ownership import ownership_graph_svg, ownership_timeline_svg
from questionnaires.core.dates import parse_day
from questionnaires.core.errors import DomainError
from questionnaires.ownership.models import SEVERITY_LABELS, Entity, NeutralityEvent, Stake, Vendor
from questionnaires.ownership.neutrality.wording import format_percent
from questionnaires.ownership.pages.forms import DisposeForm, StakeForm
from questionnaires.ownership.services.competitors import neutrality_settings
from questionnaires.ownership.services.neutrality import (
    NeutralityReport,
    OwnershipGraph,
    vendor_neutrality_on,
    vendor_status_changes,
)

EVENT_LIMIT = 50  # recorded events listed; the API pages through all of them
DATALIST_LIMIT = 500  # entity names suggested in the stake form


def parse_on(value: str | None) -> tuple[datetime.date, str]:
    """The day to show (`?on=`), today when absent, with an error message when unreadable."""
    today = timezone.localdate()
    if not value:
        return today, ""
    try:
        return parse_day(value), ""
    except ValidationError as error:
        if error.code == "invalid":
            return today, f'"{value}" is not a date (YYYY-MM-DD); showing today instead.'
        return today, f"{error.messages[0]}; showing today instead."



@dataclass
class VendorPage:
    vendor: Vendor
    graph: OwnershipGraph
    on: datetime.date

    @classmethod
    def build(cls, vendor: Vendor, *, on: datetime.date | None = None) -> VendorPage:
        return cls(vendor, OwnershipGraph.load(vendor.organization),
                   on or timezone.localdate())

    @property
    def node(self) -> str:
        return self.graph.node_of(self.vendor)

    @cached_property
    def stakes_above(self) -> list[dict]:
        return self.graph.stakes_above(self.vendor)

    @property
    def stake_ids(self) -> list[str]:
        return [stake["id"] for stake in self.stakes_above]

    def subjects(self) -> list[tuple[str, str]]:
        """The vendor first, then every entity above it by name: where a stake can go."""
        names = {entity["id"]: entity["name"] for entity in self.graph.entities}
        above = {stake["holder_id"] for stake in self.stakes_above} - {self.node}
        return [(self.node, f"{self.vendor.name} (the vendor)"),
                *sorted(((entity_id, names[entity_id]) for entity_id in above),
                        key=lambda choice: choice[1].casefold())]

    def entity(self, entity_id: str) -> Entity:
        """An entity above the vendor (a stake form's subject), or 404."""
        if entity_id not in {stake["holder_id"] for stake in self.stakes_above}:
            raise Http404("not above this vendor")
        return Entity.objects.get(pk=entity_id, organization=self.vendor.organization)

    def stake_form(self, data=None) -> StakeForm:
        return StakeForm(data, subjects=self.subjects(), initial={"subject": self.node})

    def context(self, *, on_error: str = "", stake_form: StakeForm | None = None,
                dispose_errors: dict | None = None) -> dict:
        context = {"vendor": self.vendor, "on": self.on, "today": timezone.localdate(),
                   "on_error": on_error, "stake_form": stake_form,
                   "stakes": self._stakes(dispose_errors or {}),
                   "entity_names": sorted({e["name"] for e in self.graph.entities},
                                          key=str.casefold)[:DATALIST_LIMIT],
                   "events": self._events(),
                   "event_count": NeutralityEvent.objects.filter(vendor=self.vendor).count(),
                   "settings": neutrality_settings(self.vendor.organization).as_dict()}
        try:
            report = vendor_neutrality_on(vendor=self.vendor, on=self.on, graph=self.graph)
            context.update(self._analysis(report))
        except DomainError as error:  # a graph too complex to analyse: say so, draw nothing
            context["analysis_error"] = error.message
        return context

    def _analysis(self, report: NeutralityReport) -> dict:
        node, entities, stakes, competitors = self.graph.plain(self.vendor)
        graph_svg = ownership_graph_svg(node, entities, stakes, competitors, on=self.on,
                                        findings=report.findings,
                                        thresholds=self.graph.thresholds)
        timeline_svg = None
        if self.stakes_above:
            start = min(self.graph.first_day(self.vendor, self.on), self.on)
            timeline_svg = ownership_timeline_svg(self.stakes_above, entities, start=start,
                                                  end=self.on)
        return {
            "report": report,
            "status": report.result.status,
            "findings": [_finding_row(finding) for finding in report.findings],
            # Both pictures come from our own generator, which escapes every name.
            "graph_svg": _safe(graph_svg),
            "timeline_svg": _safe(timeline_svg) if timeline_svg else None,
            "changes": vendor_status_changes(vendor=self.vendor, graph=self.graph,
                                             end=self.on),
        }

    def _stakes(self, dispose_errors: dict[str, DisposeForm]) -> list[dict]:
        """Every stake above the vendor, each with its disposal form (the refused one kept
        bound, so its errors show next to it)."""
        today = timezone.localdate()
        rows = (Stake.objects.filter(pk__in=self.stake_ids)
                .select_related("holder__parent", "subject")
                .order_by(F("acquired_on").asc(nulls_first=True), "created_at", "id"))
        return [{"stake": stake, "held": stake.is_held_on(today),
                 "percent": shown_percent(stake.percent),
                 "voting_percent": None if stake.voting_percent is None
                 else shown_percent(stake.voting_percent),
                 "dispose_form": dispose_errors.get(str(stake.pk)) or DisposeForm(
                     prefix=f"dispose-{stake.pk}", initial={"disposed_on": today})}
                for stake in rows]

    def _events(self) -> list[dict]:
        rows = (NeutralityEvent.objects.filter(vendor=self.vendor)
                .select_related("recheck", "stake__holder", "stake__subject")
                .order_by("-created_at")[:EVENT_LIMIT])
        # Stored in reading order: what happened, the findings, then the re-check.
        return [{"event": event,
                 "reasons": [entry["reason"] for entry in event.findings
                             if isinstance(entry, dict) and entry.get("reason")]}
                for event in rows]


def shown_percent(value) -> str:
    """A stored percentage as the findings show them: "49.0", "12.25"."""
    return format_percent(Fraction(str(value)))


def _finding_row(finding) -> dict:
    return {"finding": finding, "severity": SEVERITY_LABELS.get(finding.severity,
                                                                finding.severity),
            "path": " \u2192 ".join(finding.path),
            "percent": format_percent(Fraction(str(finding.percent))),
            "paths": [{"names": " \u2192 ".join(share.names),
                       "percent": format_percent(Fraction(str(share.percent)))}
                      for share in finding.paths] if len(finding.paths) > 1 else []}


def _safe(svg: str) -> SafeString:
    return mark_safe(svg)  # noqa: S308 - generated by neutrality.svg, names escaped there
