"""The sentences that explain findings to a buyer, and the number formats they use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from questionnaires.ownership.neutrality.matching import Link
from questionnaires.ownership.neutrality.paths import OwnershipPath
from questionnaires.ownership.neutrality.positions import DECIMALS, Position, round_percent

Namer = Callable[[str], str]


def format_percent(value: Fraction) -> str:
    """A share as shown: at least one decimal, at most `DECIMALS` ("20.0", "12.25")."""
    units = int(round_percent(value) * 10**DECIMALS)  # shares are never negative
    whole, part = divmod(units, 10**DECIMALS)
    return f"{whole}." + (f"{part:0{DECIMALS}d}".rstrip("0") or "0")


def format_threshold(value: Fraction) -> str:
    """A threshold as a buyer typed it: "5", "4.5"."""
    return format_percent(value).removesuffix(".0")


def plural(count: int, noun: str) -> str:
    """"1 board seat", "2 board seats"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def holding_sentence(position: Position, name: Namer, vendor: str) -> str:
    """Who holds how much of the vendor and through what, without the verdict.

    For example "Orbital Dynamics holds 20.0% of LabelWorks through Orbital Ventures LP
    (50.0% x 40.0%)".
    """
    if not position.paths:
        return f"{_competitor_label(position, name)} holds no shares in {vendor}"
    tops = {path.top for path in position.paths}
    # Several holders on the competitor's side: the competitor itself is the subject.
    subject = (_holder_label(position, position.paths[0].top, name) if len(tops) == 1
               else position.side.competitor.name)
    share = f"holds {format_percent(position.percent)}% of {vendor}"
    if position.voting_percent != position.percent:
        share += f" ({format_percent(position.voting_percent)}% of the votes)"
    return f"{subject} {share} {_route(position.paths, name, len(tops) > 1)}"


def control_clause(link: Link, name: Namer, threshold: Fraction) -> str:
    """Why the competitor controls the vendor, from the link that put the vendor on its side."""
    if link.via == "voting" and link.voting_percent is not None:
        return (f"and controls it with {format_percent(link.voting_percent)}% of the votes, "
                f"more than the {format_threshold(threshold)}% control threshold")
    if link.via == "parent" and link.controller_id is not None:
        return f"and controls it as its declared parent {name(link.controller_id)}"
    return f"and {name(link.entity_id)} itself matches the competitor by name or alias"


def self_match_sentence(vendor: str, competitor: str) -> str:
    """The reason when the vendor's own name or alias is the competitor's."""
    return (f"{vendor} itself matches the competitor {competitor} by name or alias, so it is "
            "treated as the competitor.")


def threshold_clause(measure: Fraction, at_risk: Fraction, conflicted: Fraction) -> str:
    """Where the larger of equity and votes stands against the percent thresholds."""
    if measure >= conflicted:
        return f"at or above the {format_threshold(conflicted)}% conflicted threshold"
    if measure >= at_risk:
        return f"at or above the {format_threshold(at_risk)}% at-risk threshold"
    return f"below the {format_threshold(at_risk)}% at-risk threshold"


def cycle_sentence(names: Sequence[str]) -> str:
    """"Ownership cycle: A owns B, which owns A; ..." for the info finding on a cycle."""
    loop = [*names, names[0]]
    chain = f"{loop[0]} owns {loop[1]}" + "".join(f", which owns {n}" for n in loop[2:])
    return (f"Ownership cycle: {chain}; effective ownership counts each path through it "
            "only until an entity would repeat.")


def _route(paths: Sequence[OwnershipPath], name: Namer, name_tops: bool) -> str:
    if len(paths) == 1:
        path = paths[0]
        if not path.intermediates:
            return "directly"
        return f"through {_names(path.intermediates, name)} ({_product(path)})"
    described = "; ".join(_path_share(path, name, name_tops) for path in paths)
    return f"through {len(paths)} paths ({described})"


def _path_share(path: OwnershipPath, name: Namer, name_top: bool) -> str:
    top = f"{name(path.top)} " if name_top else ""
    if not path.intermediates:
        return f"{top}directly: {format_percent(path.percent)}%"
    return (f"{top}through {_names(path.intermediates, name)}: {_product(path)} = "
            f"{format_percent(path.percent)}%")


def _product(path: OwnershipPath) -> str:
    return " x ".join(f"{format_percent(stake.percent)}%" for stake in path.stakes)


def _names(entity_ids: Sequence[str], name: Namer) -> str:
    return " and ".join(name(entity_id) for entity_id in entity_ids)


def _holder_label(position: Position, holder_id: str, name: Namer) -> str:
    """The holder, with who controls it when it is not the competitor itself."""
    chain = position.side.chain_to(holder_id)
    if len(chain) == 1:
        return _competitor_label(position, name)
    controls = [_controlled_by(link, name) for link in reversed(chain[1:])]
    return f"{name(holder_id)}, " + ", ".join(controls) + ","


def _controlled_by(link: Link, name: Namer) -> str:
    controller = name(link.controller_id or "")
    if link.via == "parent":
        return f"whose declared parent is {controller}"
    votes = format_percent(link.voting_percent or Fraction(0))
    return f"controlled by {controller} with {votes}% of the votes"


def _competitor_label(position: Position, name: Namer) -> str:
    # The entity may match through an alias; name the competitor as the buyer declared it.
    matched = name(position.side.chain_to(position.holder_id)[0].entity_id)
    declared = position.side.competitor.name
    return matched if matched == declared else f"{matched} (the competitor {declared})"
