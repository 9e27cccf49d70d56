"""What one competitor holds in a vendor: its share, its votes, its seats and its control.

A path counts for a competitor from the first entity on the competitor's side that it reaches
going up from the vendor. So a stake held by a fund the competitor controls is the
competitor's stake in full (the competitor directs all of it), while a stake held through an
entity it merely part-owns counts at the product of the percents. Stopping at the first
member also keeps a chain through two members (parent and fund) from being counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from questionnaires.ownership.neutrality.matching import CompetitorSide, Link
from questionnaires.ownership.neutrality.paths import OwnershipPath, Walk
from questionnaires.ownership.neutrality.records import Stake

DECIMALS = 4
_SCALE = 10**DECIMALS


def round_percent(value: Fraction) -> Fraction:
    """`value` rounded half up to `DECIMALS` places, still exact."""
    return Fraction(math.floor(value * _SCALE + Fraction(1, 2)), _SCALE)


def as_number(value: Fraction) -> float:
    """A rounded percent as the float that JSON and templates expect."""
    return float(round_percent(value))


@dataclass(frozen=True)
class Position:
    """One competitor's position in one vendor on one day.

    `percent` and `voting_percent` are rounded to `DECIMALS` places, as shown, and thresholds
    are compared with those rounded values so a finding never shows "5.0%" below a 5% line.
    `paths` are the chains that count for the competitor, largest share first.
    """

    side: CompetitorSide
    vendor_id: str
    paths: tuple[OwnershipPath, ...]
    percent: Fraction
    voting_percent: Fraction
    board_seats: int
    observer_seats: int
    information_rights: bool

    @property
    def controls(self) -> bool:
        """Whether the vendor itself is on the competitor's side."""
        return self.vendor_id in self.side.members

    @property
    def is_empty(self) -> bool:
        """No path reaches the vendor and the competitor does not control it."""
        return not self.paths and not self.controls

    @property
    def holder_id(self) -> str:
        """The competitor-side entity the main path starts from (or the vendor's controller)."""
        if self.paths:
            return self.paths[0].top
        return self.vendor_link.controller_id or self.vendor_id

    @property
    def vendor_link(self) -> Link:
        """How the vendor joined the competitor's side; only when `controls`."""
        return self.side.members[self.vendor_id]

    def path_ids(self) -> tuple[str, ...]:
        """From the entity matching the competitor down to the vendor, along the main path.

        The control chain above the holder comes first, so the path shows why the holder's
        stake is the competitor's.
        """
        if not self.paths:
            return tuple(link.entity_id for link in self.side.chain_to(self.vendor_id))
        above = tuple(link.entity_id for link in self.side.chain_to(self.holder_id))[:-1]
        return above + self.paths[0].entity_ids


def position_of(side: CompetitorSide, vendor_id: str, walk: Walk,
                stakes: Sequence[Stake]) -> Position:
    """Collect the competitor's paths into the vendor and the seats its members hold there."""
    paths = tuple(sorted(
        (path for path in walk.paths if _counts_for(side, vendor_id, path)),
        key=lambda path: (-path.percent, len(path.entity_ids), path.entity_ids)))
    direct = [stake for stake in stakes
              if stake.subject_id == vendor_id and stake.holder_id in side.members
              and stake.holder_id != vendor_id]
    return Position(
        side=side,
        vendor_id=vendor_id,
        paths=paths,
        percent=round_percent(sum((path.percent for path in paths), Fraction(0))),
        voting_percent=round_percent(sum((path.voting_percent for path in paths), Fraction(0))),
        board_seats=sum(stake.board_seats for stake in direct),
        observer_seats=sum(stake.observer_seats for stake in direct),
        information_rights=any(stake.information_rights for stake in direct),
    )


def _counts_for(side: CompetitorSide, vendor_id: str, path: OwnershipPath) -> bool:
    members = side.members
    if path.top not in members or path.top == vendor_id:
        return False
    return not any(entity_id in members for entity_id in path.intermediates)
