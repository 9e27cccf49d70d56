"""Which entities belong to a competitor: by name, by alias, or up an ownership chain.

Name matching is deliberately conservative. A false match accuses a vendor of a conflict it
does not have; a missed one is caught by aliases, which the buyer can add. So only case,
accents, punctuation, spacing and trailing legal-form words are ignored: "Example Platforms,
Inc." matches "EXAMPLE PLATFORMS", but "Example Ventures LP" does not match "Example Platforms",
because "Ventures" names a different business and is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from questionnaires.ownership.neutrality.records import Competitor, Entity, Stake

# Legal-form words dropped from the end of a name (after punctuation is removed, so "L.L.C."
# is "llc" and "S.A." is "sa"). Words that tell businesses apart ("group", "holdings",
# "ventures", "capital", "labs") are not legal forms and stay.
LEGAL_SUFFIXES: frozenset[str] = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company",
    "llc", "llp", "lp", "ltd", "limited", "plc",
    "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv",
    "pty", "pte", "kk",
})

# Dots and apostrophes join their neighbours ("L.L.C." -> "llc", "O'Brien" -> "obrien");
# any other run of non-alphanumerics separates words ("Acme-Labs" -> "acme labs").
_JOINERS = re.compile(r"[.'\u2019]")
_SEPARATORS = re.compile(r"[\W_]+")

Via = Literal["name", "parent", "voting"]


def normalise_name(name: str) -> str:
    """A name reduced to what identifies the business, for comparing names.

    Case, accents, punctuation, whitespace and trailing legal-form words (`LEGAL_SUFFIXES`)
    are ignored; a name made only of such words keeps them, so "Co." still names something.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = _SEPARATORS.sub(" ", _JOINERS.sub("", plain.casefold())).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def names_of(named: Entity | Competitor | Mapping[str, Any]) -> frozenset[str]:
    """The normalised name and aliases of an entity or competitor (record or dict)."""
    if isinstance(named, Mapping):
        raw = [named.get("name") or "", *(named.get("aliases") or ())]
    else:
        raw = [named.name, *named.aliases]
    return frozenset(normal for normal in map(normalise_name, raw) if normal)


def match_competitor(entity: Entity | Mapping[str, Any],
                     competitors: Iterable[Competitor | Mapping[str, Any]]
                     ) -> Competitor | Mapping[str, Any] | None:
    """The first competitor sharing a name or alias with the entity, either way round."""
    names = names_of(entity)
    return next((competitor for competitor in competitors if names & names_of(competitor)),
                None)


@dataclass(frozen=True)
class Link:
    """Why an entity is on a competitor's side.

    `via` is "name" (it is the competitor), "parent" (its declared parent is on the side) or
    "voting" (members of the side hold more than the control threshold of its votes, then
    `controller_id` is the largest of them and `voting_percent` what they hold together).
    """

    entity_id: str
    via: Via
    controller_id: str | None = None
    voting_percent: Fraction | None = None


@dataclass(frozen=True)
class CompetitorSide:
    """A competitor and every entity it is or controls, each with the link that put it there."""

    competitor: Competitor
    members: Mapping[str, Link]

    def chain_to(self, entity_id: str) -> tuple[Link, ...]:
        """The links from the entity matching the competitor down to `entity_id`."""
        chain = [self.members[entity_id]]
        while chain[-1].controller_id is not None:
            chain.append(self.members[chain[-1].controller_id])
        return tuple(reversed(chain))


def competitor_side(competitor: Competitor, entities: Sequence[Entity],
                    stakes: Sequence[Stake], *, control_percent: Fraction) -> CompetitorSide:
    """Grow the competitor's side from the entities matching it until nothing more joins.

    An entity joins when its declared parent is on the side, or when members together hold
    strictly more than `control_percent` of its votes: two subsidiaries holding 30% each
    control it as surely as one holding 60%. Growing in rounds keeps each chain as short as
    possible, and iterating in id order keeps the result deterministic.
    """
    wanted = names_of(competitor)
    members = {entity.id: Link(entity.id, "name") for entity in entities
               if names_of(entity) & wanted}
    owners: dict[str, list[Stake]] = {}
    for stake in stakes:
        owners.setdefault(stake.subject_id, []).append(stake)
    ordered = sorted(entities, key=lambda entity: entity.id)
    while True:
        joined = [link for entity in ordered if entity.id not in members
                  for link in [_link_into(entity, members, owners.get(entity.id, []),
                                          control_percent)] if link]
        if not joined:
            return CompetitorSide(competitor, members)
        members.update((link.entity_id, link) for link in joined)


def _link_into(entity: Entity, members: Mapping[str, Link], owners: Sequence[Stake],
               control_percent: Fraction) -> Link | None:
    if entity.parent_id in members:
        return Link(entity.id, "parent", controller_id=entity.parent_id)
    votes: dict[str, Fraction] = {}
    for stake in owners:
        if stake.holder_id in members:
            votes[stake.holder_id] = votes.get(stake.holder_id, Fraction(0)) + stake.voting_percent
    total = sum(votes.values(), Fraction(0))
    if total <= control_percent:
        return None
    controller = min(votes, key=lambda holder: (-votes[holder], holder))
    return Link(entity.id, "voting", controller_id=controller, voting_percent=total)
