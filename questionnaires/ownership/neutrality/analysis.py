"""Is a vendor neutral? Findings, status and history from the buyer's ownership registry.

Everything here takes plain data and returns plain data: the same inputs and day always give
the same result, so the status on any past day can be recomputed from the registry alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from questionnaires.ownership.neutrality.matching import competitor_side
from questionnaires.ownership.neutrality.paths import walk_up
from questionnaires.ownership.neutrality.positions import Position, as_number, position_of
from questionnaires.ownership.neutrality.records import (
    SEVERITY_RANK,
    Registry,
    Severity,
    Stake,
    Status,
    Thresholds,
)
from questionnaires.ownership.neutrality.wording import (
    Namer,
    control_clause,
    cycle_sentence,
    format_percent,
    holding_sentence,
    plural,
    self_match_sentence,
    threshold_clause,
)

# How a seat's or a right's weight reads in a reason: "with 1 board seat (conflicted)".
SEVERITY_WORDS: Mapping[str, str] = {"info": "noted", "at_risk": "at risk",
                                     "conflicted": "conflicted"}
FindingSeverity = Literal["info", "at_risk", "conflicted", "discrepancy"]
ThresholdsInput = Thresholds | Mapping[str, Any] | None

# Keys of the built-in questionnaire's questions that the registry can contradict, with
# their text as the vendor saw it (questionnaires/library/ai-labeling-neutrality.yaml).
OWN_MODEL_BUILDER_EQUITY = "own_model_builder_equity"
OWN_BOARD_SEAT_COMPETITOR = "own_board_seat_competitor"
QUESTION_TEXT: Mapping[str, str] = {
    OWN_MODEL_BUILDER_EQUITY: "Does any model builder, or a fund or affiliate it controls, "
                              "hold equity in your company, at any percentage?",
    OWN_BOARD_SEAT_COMPETITOR: "Does any model builder, or a fund or affiliate it controls, "
                               "hold or have the right to appoint a board seat or a board "
                               "observer seat?",
}


@dataclass(frozen=True)
class PathShare:
    """One ownership chain behind a finding and what it carries."""

    names: tuple[str, ...]
    percent: float
    voting_percent: float


@dataclass(frozen=True)
class Finding:
    """One reason a vendor is (or is not quite) neutral, explained in `reason`.

    `path` runs from the competitor-side entity down to the vendor along the largest chain;
    `paths` lists every chain that counts. Percents are effective and rounded to 4 decimals.
    """

    severity: FindingSeverity
    competitor: str | None
    holder: str
    percent: float
    voting_percent: float
    path: tuple[str, ...]
    reason: str
    board_seats: int = 0
    observer_seats: int = 0
    information_rights: bool = False
    voting_control: bool = False
    paths: tuple[PathShare, ...] = ()
    competitor_id: str | None = None
    holder_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the fields of the neutrality endpoint first."""
        return {
            "severity": self.severity, "competitor": self.competitor, "holder": self.holder,
            "percent": self.percent, "voting_percent": self.voting_percent,
            "path": list(self.path), "reason": self.reason,
            "board_seats": self.board_seats, "observer_seats": self.observer_seats,
            "information_rights": self.information_rights,
            "voting_control": self.voting_control,
            "paths": [{"names": list(share.names), "percent": share.percent,
                       "voting_percent": share.voting_percent} for share in self.paths],
            "competitor_id": self.competitor_id, "holder_id": self.holder_id,
        }


@dataclass(frozen=True)
class Result:
    """A vendor's neutrality on one day; `effective` maps each holder's id to its percent."""

    vendor_id: str
    vendor: str
    on: date
    status: Status
    findings: tuple[Finding, ...]
    cycles: tuple[tuple[str, ...], ...]
    effective: Mapping[str, float]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, tuples as lists."""
        return {
            "vendor_id": self.vendor_id, "vendor": self.vendor, "on": self.on.isoformat(),
            "status": self.status, "findings": [finding.as_dict() for finding in self.findings],
            "cycles": [list(cycle) for cycle in self.cycles], "effective": dict(self.effective),
        }


@dataclass(frozen=True)
class StatusChange:
    """The vendor's status changed on `date`, from `from_status` to `to_status`."""

    date: date
    from_status: Status
    to_status: Status
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, keyed `date, from, to, reason`."""
        return {"date": self.date.isoformat(), "from": self.from_status,
                "to": self.to_status, "reason": self.reason}


def analyse(vendor_id: Any, entities: Iterable[Any], stakes: Iterable[Any],
            competitors: Iterable[Any], *, on: date,
            thresholds: ThresholdsInput = None) -> Result:
    """The vendor's neutrality on `on`, counting only the stakes held that day.

    Raises `NeutralityInputError` (located, like `stakes[2].percent`) on bad input and
    `OwnershipTooComplex` on a graph with an unreasonable number of paths.
    """
    registry = Registry.build(entities, stakes, competitors)
    return _analyse(registry, str(vendor_id), on, Thresholds.build(thresholds))


def status_changes(vendor_id: Any, entities: Iterable[Any], stakes: Iterable[Any],
                   competitors: Iterable[Any], *, start: date, end: date,
                   thresholds: ThresholdsInput = None) -> list[StatusChange]:
    """When and why the vendor's status changed between `start` and `end` (inclusive).

    The status is recomputed on every day a stake was acquired or disposed of; a change is
    reported on the day it took effect, against the status just before it.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    registry = Registry.build(entities, stakes, competitors)
    limits = Thresholds.build(thresholds)
    days = sorted({day for stake in registry.stakes
                   for day in (stake.acquired_on, stake.disposed_on)
                   if day is not None and start < day <= end})
    changes: list[StatusChange] = []
    before = _analyse(registry, str(vendor_id), start, limits)
    for day in days:
        after = _analyse(registry, str(vendor_id), day, limits)
        if after.status != before.status:
            changes.append(StatusChange(day, before.status, after.status,
                                        _change_reason(registry, before, after)))
        before = after
    return changes


def cross_check(result: Result, answers: Mapping[str, Any]) -> list[Finding]:
    """Discrepancies between the vendor's own answers and what the registry shows.

    `answers` maps question keys to answer values. A "no" to `OWN_MODEL_BUILDER_EQUITY` is
    contradicted by any competitor holding equity (the question says "at any percentage"),
    a "no" to `OWN_BOARD_SEAT_COMPETITOR` by any competitor board or observer seat.
    """
    discrepancies = []
    for finding in result.findings:
        if finding.competitor is None:
            continue
        if answers.get(OWN_MODEL_BUILDER_EQUITY) == "no" and finding.percent > 0:
            discrepancies.append(_discrepancy(result, finding, OWN_MODEL_BUILDER_EQUITY))
        if answers.get(OWN_BOARD_SEAT_COMPETITOR) == "no" and (
                finding.board_seats or finding.observer_seats):
            discrepancies.append(_discrepancy(result, finding, OWN_BOARD_SEAT_COMPETITOR))
    return discrepancies


def _analyse(registry: Registry, vendor_id: str, on: date, thresholds: Thresholds) -> Result:
    vendor = registry.entity(vendor_id)
    active = registry.active_stakes(on)
    walk = walk_up(vendor.id, active)
    effective = walk.effective()
    competitor_findings = []
    for competitor in registry.competitors:
        side = competitor_side(competitor, tuple(registry.entities.values()), active,
                               control_percent=thresholds.voting_control_percent)
        position = position_of(side, vendor.id, walk, active)
        if not position.is_empty:
            competitor_findings.append(_competitor_finding(registry, position, thresholds))
    competitor_findings.sort(key=lambda finding: (
        -SEVERITY_RANK[finding.severity], -finding.percent, finding.competitor or "",
        finding.holder))
    cycles = tuple(tuple(registry.entities[entity_id].name for entity_id in cycle)
                   for cycle in walk.cycles)
    cycle_findings = [_cycle_finding(registry, cycle, effective) for cycle in walk.cycles]
    return Result(
        vendor_id=vendor.id, vendor=vendor.name, on=on,
        status=_worst_status(competitor_findings),
        findings=(*competitor_findings, *cycle_findings),
        cycles=cycles,
        effective={entity_id: as_number(share) for entity_id, share in sorted(effective.items())},
    )


def _competitor_finding(registry: Registry, position: Position,
                        thresholds: Thresholds) -> Finding:
    def name(entity_id: str) -> str:
        return registry.entities[entity_id].name

    vendor = name(position.vendor_id)
    triggers = _triggers(position, thresholds, name)
    if not position.paths and position.vendor_link.via == "name":
        reason = self_match_sentence(vendor, position.side.competitor.name)
    else:
        reason = holding_sentence(position, name, vendor)
        reason += "".join(f", {clause}" for _, clause in triggers) + "."
    return Finding(
        severity=max((severity for severity, _ in triggers), key=SEVERITY_RANK.__getitem__),
        competitor=position.side.competitor.name,
        holder=name(position.holder_id),
        percent=float(position.percent),
        voting_percent=float(position.voting_percent),
        path=tuple(name(entity_id) for entity_id in position.path_ids()),
        reason=reason,
        board_seats=position.board_seats,
        observer_seats=position.observer_seats,
        information_rights=position.information_rights,
        voting_control=position.controls,
        paths=tuple(PathShare(tuple(map(name, path.entity_ids)), as_number(path.percent),
                              as_number(path.voting_percent)) for path in position.paths),
        competitor_id=position.side.competitor.id,
        holder_id=position.holder_id,
    )


def _triggers(position: Position, thresholds: Thresholds,
              name: Namer) -> list[tuple[Severity, str]]:
    """Each thing that counts against the vendor, with the severity it carries."""
    triggers: list[tuple[Severity, str]] = []
    if position.paths:
        # Votes weigh as much as equity: 6% of the votes is as much reach as 6% of the shares.
        measure = max(position.percent, position.voting_percent)
        triggers.append((_percent_severity(measure, thresholds), threshold_clause(
            measure, thresholds.at_risk_percent, thresholds.conflicted_percent)))
    # A seat or a right weighs what the buyer set, so the clause says what that was.
    held = ((thresholds.board_seat, position.board_seats, "board seat"),
            (thresholds.observer_seat, position.observer_seats, "observer seat"))
    for severity, count, noun in held:
        if count:
            clause = f"with {plural(count, noun)} ({SEVERITY_WORDS[severity]})"
            triggers.append((severity, clause))
    if position.information_rights:
        severity = thresholds.information_rights
        triggers.append((severity, f"with information rights ({SEVERITY_WORDS[severity]})"))
    if position.controls:
        triggers.append(("conflicted", control_clause(
            position.vendor_link, name, thresholds.voting_control_percent)))
    return triggers


def _percent_severity(measure: Fraction, thresholds: Thresholds) -> Severity:
    if measure >= thresholds.conflicted_percent:
        return "conflicted"
    return "at_risk" if measure >= thresholds.at_risk_percent else "info"


def _worst_status(findings: Iterable[Finding]) -> Status:
    ranks = [SEVERITY_RANK[finding.severity] for finding in findings]
    worst = max(ranks, default=0)
    return "conflicted" if worst == 2 else "at_risk" if worst == 1 else "neutral"


def _cycle_finding(registry: Registry, cycle: tuple[str, ...],
                   effective: Mapping[str, Fraction]) -> Finding:
    names = tuple(registry.entities[entity_id].name for entity_id in cycle)
    share = as_number(effective.get(cycle[0], Fraction(0)))
    return Finding(severity="info", competitor=None, holder=names[0], percent=share,
                   voting_percent=share, path=(*names, names[0]),
                   reason=cycle_sentence(names), holder_id=cycle[0])


def _change_reason(registry: Registry, before: Result, after: Result) -> str:
    """What happened that day, then why the vendor now has its new status."""
    day = after.on
    around = {after.vendor_id, *before.effective, *after.effective}
    events = [_event(registry, stake, day) for stake in registry.stakes
              if stake.subject_id in around and day in (stake.acquired_on, stake.disposed_on)]
    happened = f"On {day.isoformat()} " + ("; ".join(events) if events
                                           else "the ownership registry changed")
    if after.status == "neutral":
        why = (f"{after.vendor} is now neutral: no competitor's share, votes, seats or "
               "rights reach the at-risk level.")
    else:
        why = after.findings[0].reason
    return f"{happened}. {why}"


def _event(registry: Registry, stake: Stake, day: date) -> str:
    holder = registry.entities[stake.holder_id].name
    subject = registry.entities[stake.subject_id].name
    share = f"{format_percent(stake.percent)}% of {subject}"
    return f"{holder} acquired {share}" if stake.acquired_on == day \
        else f"{holder} disposed of {share}"


def _discrepancy(result: Result, finding: Finding, question: str) -> Finding:
    reason = (f'{result.vendor} answered "no" to "{QUESTION_TEXT[question]}" ({question}), '
              f"but the ownership registry on {result.on.isoformat()} shows: {finding.reason}")
    return Finding(
        severity="discrepancy", competitor=finding.competitor, holder=finding.holder,
        percent=finding.percent, voting_percent=finding.voting_percent, path=finding.path,
        reason=reason, board_seats=finding.board_seats,
        observer_seats=finding.observer_seats,
        information_rights=finding.information_rights,
        voting_control=finding.voting_control, paths=finding.paths,
        competitor_id=finding.competitor_id, holder_id=finding.holder_id)
