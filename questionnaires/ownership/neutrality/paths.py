"""Every simple ownership path leading up from a vendor, and the cycles met on the way.

Effective ownership is a sum over simple paths (no entity twice), so a cycle such as "A owns
B owns A" is walked once around and then cut: the walk always ends, and each stake counts
once along each path that does not repeat an entity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from questionnaires.ownership.neutrality.records import HUNDRED, Stake

# Simple paths can grow exponentially with the number of stakes. Real ownership graphs have
# a few dozen paths; a graph with this many is a data-entry loop (or an attack), and is
# refused rather than left to tie up a worker.
MAX_PATHS = 100_000


class OwnershipTooComplex(ValueError):
    """The graph around a vendor has more simple paths than `MAX_PATHS`."""


@dataclass(frozen=True)
class OwnershipPath:
    """A chain of holdings from `entity_ids[0]` down to the vendor, `entity_ids[-1]`.

    `stakes[i]` is what `entity_ids[i]` holds in `entity_ids[i + 1]`: one stake, or its
    tranches summed into one (then its id joins theirs with "+").
    """

    entity_ids: tuple[str, ...]
    stakes: tuple[Stake, ...]

    @property
    def top(self) -> str:
        """The entity at the top of the chain, the one holding through it."""
        return self.entity_ids[0]

    @property
    def intermediates(self) -> tuple[str, ...]:
        """The entities between the top and the vendor."""
        return self.entity_ids[1:-1]

    @property
    def percent(self) -> Fraction:
        """The share of the vendor the top holds along this chain."""
        return _chain(stake.percent for stake in self.stakes)

    @property
    def voting_percent(self) -> Fraction:
        """The share of the vendor's votes the top holds along this chain."""
        return _chain(stake.voting_percent for stake in self.stakes)


@dataclass(frozen=True)
class Walk:
    """The simple paths up from a vendor and the ownership cycles they ran into.

    Each cycle lists entity ids so that each one owns the next and the last owns the first,
    starting from the smallest id so the same cycle is reported once.
    """

    paths: tuple[OwnershipPath, ...]
    cycles: tuple[tuple[str, ...], ...]

    def effective(self) -> dict[str, Fraction]:
        """Each holder's effective percent of the vendor: the sum over its paths."""
        totals: dict[str, Fraction] = defaultdict(Fraction)
        for path in self.paths:
            totals[path.top] += path.percent
        return dict(totals)


def walk_up(vendor_id: str, stakes: Sequence[Stake]) -> Walk:
    """Enumerate every simple path ending at the vendor, depth first in a stable order."""
    owners: Mapping[str, list[Stake]] = _owners_by_subject(stakes)
    paths: list[OwnershipPath] = []
    cycles: set[tuple[str, ...]] = set()
    # Each frame: the path so far, from the vendor upwards, and the stakes that built it.
    pending: list[tuple[tuple[str, ...], tuple[Stake, ...]]] = [((vendor_id,), ())]
    while pending:
        upward, held = pending.pop()
        for stake in reversed(owners.get(upward[-1], [])):
            if stake.holder_id in upward:
                cycles.add(_cycle(upward, stake.holder_id))
                continue
            longer, more = (*upward, stake.holder_id), (*held, stake)
            paths.append(OwnershipPath(tuple(reversed(longer)), tuple(reversed(more))))
            if len(paths) > MAX_PATHS:
                raise OwnershipTooComplex(
                    f"the ownership graph above {vendor_id} has more than {MAX_PATHS} "
                    "simple paths; check the stakes for a loop entered many times")
            pending.append((longer, more))
    return Walk(tuple(paths), tuple(sorted(cycles)))


def _owners_by_subject(stakes: Sequence[Stake]) -> dict[str, list[Stake]]:
    """Each subject's holders, one holding per holder, sorted so the walk is stable.

    Tranches bought at different times by the same holder are one holding here: the buyer
    reads "30% directly", not two direct paths of 10% and 20%.
    """
    tranches: dict[tuple[str, str], list[Stake]] = defaultdict(list)
    for stake in sorted(stakes, key=lambda stake: (stake.holder_id, stake.id)):
        tranches[stake.subject_id, stake.holder_id].append(stake)
    owners: dict[str, list[Stake]] = defaultdict(list)
    for (subject_id, _), held in tranches.items():
        owners[subject_id].append(held[0] if len(held) == 1 else replace(
            held[0], id="+".join(stake.id for stake in held),
            percent=sum((stake.percent for stake in held), Fraction(0)),
            voting_percent=sum((stake.voting_percent for stake in held), Fraction(0))))
    return owners


def _cycle(upward: tuple[str, ...], holder_id: str) -> tuple[str, ...]:
    # `upward` runs from the vendor up to the current entity, each owned by the next; the
    # holder already on it closes a loop. Reversed, each member owns the next.
    loop = tuple(reversed(upward[upward.index(holder_id):]))
    start = loop.index(min(loop))
    return loop[start:] + loop[:start]


def _chain(percents: Iterable[Fraction]) -> Fraction:
    share = Fraction(1)
    for percent in percents:
        share *= percent / HUNDRED
    return share * HUNDRED
