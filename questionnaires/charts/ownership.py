"""The ownership graph around a vendor, drawn as plain SVG text on the server.

No layout engine and no script: the vendor sits at the bottom and every holder one layer
above the nearest entity it holds (or is the declared parent of), ordered within its layer
by where its holdings sit below. Everything is sorted first, so the same input always gives
the same bytes and a stored picture can be compared with a fresh one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from questionnaires.charts.svgkit import document, dom_id, element, label, text, truncate
from questionnaires.charts.timeline import ownership_timeline_svg
from questionnaires.ownership.neutrality.analysis import Finding, ThresholdsInput
from questionnaires.ownership.neutrality.matching import competitor_side
from questionnaires.ownership.neutrality.paths import walk_up
from questionnaires.ownership.neutrality.positions import round_percent
from questionnaires.ownership.neutrality.records import Entity, Registry, Stake, Thresholds
from questionnaires.ownership.neutrality.wording import format_percent

__all__ = ["ownership_graph_svg", "ownership_timeline_svg"]

BOX_WIDTH = 190
BOX_HEIGHT = 46
COLUMN_GAP = 40
ROW_GAP = 76
MARGIN = 20
CAPTION_HEIGHT = 30
LEGEND_ROW = 18
NAME_LIMIT = 24  # characters that fit a box in bold 12px; longer names get an ellipsis
MIN_WIDTH = 320  # room for the legend even when a single box is drawn

# (fill, stroke) per role; the red-ish fills are what a reader looks for first.
ROLE_COLOURS: Mapping[str, tuple[str, str]] = {
    "competitor": ("#f4b4b4", "#b71c1c"),
    "controlled": ("#fde2e2", "#c62828"),
    "vendor": ("#e3f0fb", "#1565c0"),
    "other": ("#f5f5f5", "#616161"),
}
ROLE_LEGEND = (("competitor", "Competitor"),
               ("controlled", "Owned or controlled by a competitor"),
               ("vendor", "Vendor"), ("other", "Other holder"))
EDGE_COLOUR = "#757575"
FINDING_COLOUR = "#c62828"


@dataclass(frozen=True)
class _Box:
    entity: Entity
    layer: int
    x: float
    y: float
    role: str

    @property
    def centre(self) -> float:
        return self.x + BOX_WIDTH / 2

    @property
    def middle(self) -> float:
        return self.y + BOX_HEIGHT / 2


@dataclass(frozen=True)
class _Edge:
    holder_id: str
    subject_id: str
    caption: str
    is_parent: bool


def ownership_graph_svg(vendor_id: Any, entities: Iterable[Any], stakes: Iterable[Any],
                        competitors: Iterable[Any], *, on: date, findings: Iterable[Finding],
                        thresholds: ThresholdsInput = None) -> str:
    """The vendor's owners on `on`, layered above it, competitors and their entities in red.

    Edges on the path of a competitor finding are drawn in red. Pass the `thresholds` used
    for the findings so "controlled by a competitor" means the same in both.
    """
    registry = Registry.build(entities, stakes, competitors)
    vendor = registry.entity(str(vendor_id))
    active = registry.active_stakes(on)
    layers = _layers(vendor.id, active, registry)
    edges = _edges(active, registry, layers)
    roles = _roles(registry, active, vendor.id, Thresholds.build(thresholds))
    width = max(MIN_WIDTH, _row_width(max(_layer_sizes(layers).values())) + 2 * MARGIN)
    boxes = _place(layers, edges, registry, roles, width)
    effective = walk_up(vendor.id, active).effective()
    findings = tuple(findings)
    marked = {pair for finding in findings if finding.competitor is not None
              for pair in zip(finding.path, finding.path[1:], strict=False)}
    prefix = dom_id("ownership", vendor.id, on.isoformat())
    legend_top = CAPTION_HEIGHT + (max(layers.values()) + 1) * BOX_HEIGHT \
        + max(layers.values()) * ROW_GAP + 28
    body = [_markers(prefix),
            label(MARGIN, 20, truncate(f"Ownership of {vendor.name} on {on.isoformat()}",
                                       width // 7), size=13, weight="bold")]
    body += [_edge_svg(edge, boxes, prefix, (_name(registry, edge.holder_id),
                                              _name(registry, edge.subject_id)) in marked)
             for edge in edges]
    body += [_box_svg(box, vendor, effective.get(box.entity.id)) for box in
             sorted(boxes.values(), key=lambda box: (box.layer, box.x))]
    body += _legend(legend_top)
    return document(width=width, height=legend_top + 6 * LEGEND_ROW + MARGIN, prefix=prefix,
                    title=f"Ownership of {vendor.name} on {on.isoformat()}",
                    desc=_description(vendor, layers, findings), body=body)


def _layers(vendor_id: str, stakes: Iterable[Stake], registry: Registry) -> dict[str, int]:
    """Each entity above the vendor with its distance: stakes and declared parents both lead up."""
    above: dict[str, set[str]] = defaultdict(set)
    for stake in stakes:
        above[stake.subject_id].add(stake.holder_id)
    for entity in registry.entities.values():
        if entity.parent_id is not None:
            above[entity.id].add(entity.parent_id)
    layers = {vendor_id: 0}
    frontier = [vendor_id]
    while frontier:
        reached = []
        for entity_id in frontier:
            for up in sorted(above[entity_id] - layers.keys()):
                layers[up] = layers[entity_id] + 1
                reached.append(up)
        frontier = reached
    return layers


def _edges(stakes: Iterable[Stake], registry: Registry, layers: Mapping[str, int]
           ) -> list[_Edge]:
    """One edge per holder and subject (tranches summed), then declared-parent links."""
    grouped: dict[tuple[str, str], list[Stake]] = defaultdict(list)
    for stake in stakes:
        if stake.holder_id in layers and stake.subject_id in layers:
            grouped[stake.holder_id, stake.subject_id].append(stake)
    edges = [_Edge(holder, subject, _caption(tranches), is_parent=False)
             for (holder, subject), tranches in sorted(grouped.items())]
    edges += [_Edge(entity.parent_id, entity.id, "parent", is_parent=True)
              for entity_id in sorted(layers) for entity in [registry.entities[entity_id]]
              if entity.parent_id is not None and (entity.parent_id, entity.id) not in grouped]
    return edges


def _caption(tranches: list[Stake]) -> str:
    percent = sum((stake.percent for stake in tranches), Fraction(0))
    voting = sum((stake.voting_percent for stake in tranches), Fraction(0))
    parts = [f"{format_percent(percent)}%"]
    if voting != percent:
        parts.append(f"{format_percent(voting)}% votes")
    for noun, count in (("board", sum(stake.board_seats for stake in tranches)),
                        ("observer", sum(stake.observer_seats for stake in tranches))):
        if count:
            parts.append(noun if count == 1 else f"{noun} x{count}")
    return ", ".join(parts)


def _roles(registry: Registry, stakes: tuple[Stake, ...], vendor_id: str,
           thresholds: Thresholds) -> dict[str, str]:
    roles = {vendor_id: "vendor"}
    for competitor in registry.competitors:
        side = competitor_side(competitor, tuple(registry.entities.values()), stakes,
                               control_percent=thresholds.voting_control_percent)
        for entity_id, link in side.members.items():
            if link.via == "name" or roles.get(entity_id) != "competitor":
                roles[entity_id] = "competitor" if link.via == "name" else "controlled"
    return roles


def _layer_sizes(layers: Mapping[str, int]) -> dict[int, int]:
    sizes: dict[int, int] = defaultdict(int)
    for layer in layers.values():
        sizes[layer] += 1
    return sizes


def _row_width(count: int) -> int:
    return count * BOX_WIDTH + (count - 1) * COLUMN_GAP


def _place(layers: Mapping[str, int], edges: list[_Edge], registry: Registry,
           roles: Mapping[str, str], width: int) -> dict[str, _Box]:
    """Lay out the vendor's layer first, then each layer above it centred over its holdings."""
    below: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        below[edge.holder_id].append(edge.subject_id)
    top_layer = max(layers.values())
    boxes: dict[str, _Box] = {}
    for layer in range(top_layer + 1):
        members = [entity_id for entity_id in layers if layers[entity_id] == layer]
        members.sort(key=lambda entity_id: (
            _barycentre(below[entity_id], boxes), registry.entities[entity_id].name.casefold(),
            entity_id))
        left = (width - _row_width(len(members))) / 2
        y = CAPTION_HEIGHT + (top_layer - layer) * (BOX_HEIGHT + ROW_GAP)
        for index, entity_id in enumerate(members):
            boxes[entity_id] = _Box(registry.entities[entity_id], layer,
                                    left + index * (BOX_WIDTH + COLUMN_GAP), y,
                                    roles.get(entity_id, "other"))
    return boxes


def _barycentre(subject_ids: list[str], boxes: Mapping[str, _Box]) -> float:
    placed = [boxes[subject_id].centre for subject_id in subject_ids if subject_id in boxes]
    return sum(placed) / len(placed) if placed else 0.0


def _markers(prefix: str) -> str:
    arrows = "".join(element("marker", {
        # Sized in user units so the thicker finding lines do not get bigger arrowheads.
        "id": f"{prefix}-{name}", "viewBox": "0 0 10 10", "refX": 10, "refY": 5,
        "markerUnits": "userSpaceOnUse", "markerWidth": 9, "markerHeight": 9,
        "orient": "auto"},
        element("path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": colour}))
        for name, colour in (("arrow", EDGE_COLOUR), ("finding", FINDING_COLOUR)))
    return element("defs", {}, arrows)


def _edge_svg(edge: _Edge, boxes: Mapping[str, _Box], prefix: str, marked: bool) -> str:
    holder, subject = boxes[edge.holder_id], boxes[edge.subject_id]
    if holder.layer > subject.layer:
        x1, y1 = holder.centre, holder.y + BOX_HEIGHT
        x2, y2 = subject.centre, subject.y
        shape = f"M {x1:.1f} {y1:.1f} L {x2:.1f} {y2:.1f}"
        # Nearer the holder than the middle: edges converge on the vendor, and labels set
        # at their midpoints would print over one another.
        at_x, at_y = x1 + (x2 - x1) * 0.35, y1 + (y2 - y1) * 0.35
    else:
        # Same layer, upwards or onto itself: only cycles and cross-holdings do this; a
        # curve out to the right keeps the line off the boxes in between.
        x1, y1 = holder.x + BOX_WIDTH, holder.middle
        x2, y2 = subject.x + BOX_WIDTH, subject.middle
        bend = COLUMN_GAP * 1.5
        shape = (f"M {x1:.1f} {y1:.1f} C {x1 + bend:.1f} {y1 - bend / 2:.1f}, "
                 f"{x2 + bend:.1f} {y2 + bend / 2:.1f}, {x2:.1f} {y2:.1f}")
        at_x, at_y = (x1 + x2) / 2 + bend * 0.75, (y1 + y2) / 2
    colour = FINDING_COLOUR if marked else EDGE_COLOUR
    line = element("path", {
        "d": shape, "fill": "none", "stroke": colour, "stroke-width": 2.5 if marked else 1.2,
        "stroke-dasharray": "5 4" if edge.is_parent else None,
        "marker-end": f"url(#{prefix}-{'finding' if marked else 'arrow'})"})
    backing = element("rect", {"x": at_x - len(edge.caption) * 3 - 4, "y": at_y - 9,
                               "width": len(edge.caption) * 6 + 8, "height": 13, "rx": 3,
                               "fill": "#ffffff", "fill-opacity": 0.85})
    return element("g", {}, line + backing + label(at_x, at_y + 1, edge.caption, size=10,
                                                    anchor="middle", fill=colour))


def _box_svg(box: _Box, vendor: Entity, share: Fraction | None) -> str:
    fill, stroke = ROLE_COLOURS[box.role]
    if box.entity.id == vendor.id:
        detail = f"{box.entity.kind}, the vendor"
    elif share is None:
        detail = f"{box.entity.kind}, declared parent"
    else:
        detail = f"{box.entity.kind}, {format_percent(share)}% effective"
    title = f"{box.entity.name} ({detail})"
    if share is not None and round_percent(share) > 0:
        title += f": holds {format_percent(share)}% of {vendor.name} in effect"
    rect = element("rect", {
        "x": box.x, "y": box.y, "width": BOX_WIDTH, "height": BOX_HEIGHT, "rx": 6,
        "fill": fill, "stroke": stroke,
        "stroke-width": 2.5 if box.entity.id == vendor.id else 1.2})
    lines = (label(box.centre, box.y + 19, truncate(box.entity.name, NAME_LIMIT), size=12,
                   weight="bold", anchor="middle")
             + label(box.centre, box.y + 35, detail, size=10, anchor="middle",
                     fill="#424242"))
    return element("g", {}, element("title", {}, text(title)) + rect + lines)


def _legend(top: float) -> list[str]:
    rows = []
    for index, (role, meaning) in enumerate(ROLE_LEGEND):
        fill, stroke = ROLE_COLOURS[role]
        y = top + index * LEGEND_ROW
        rows.append(element("rect", {"x": MARGIN, "y": y, "width": 14, "height": 12,
                                     "fill": fill, "stroke": stroke}))
        rows.append(label(MARGIN + 22, y + 10, meaning, size=10))
    for index, (meaning, colour, dash) in enumerate((
            ("Path behind a competitor finding", FINDING_COLOUR, None),
            ("Declared parent (share not known)", EDGE_COLOUR, "5 4"))):
        y = top + (len(ROLE_LEGEND) + index) * LEGEND_ROW + 6
        rows.append(element("line", {"x1": MARGIN, "y1": y, "x2": MARGIN + 14, "y2": y,
                                     "stroke": colour, "stroke-width": 2,
                                     "stroke-dasharray": dash}))
        rows.append(label(MARGIN + 22, y + 4, meaning, size=10))
    return rows


def _description(vendor: Entity, layers: Mapping[str, int],
                 findings: tuple[Finding, ...]) -> str:
    above = len(layers) - 1
    summary = (f"{above} {'entity is' if above == 1 else 'entities are'} above "
               f"{vendor.name} in its ownership graph.")
    reasons = " ".join(finding.reason for finding in findings)
    return f"{summary} {reasons or 'No competitor finding.'}"


def _name(registry: Registry, entity_id: str) -> str:
    return registry.entities[entity_id].name
