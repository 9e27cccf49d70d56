"""The plain records the neutrality analysis works on, parsed from plain data.

Callers hand in dicts (or these records themselves); everything is checked once here so the
analysis can trust its input. Percentages become exact `Fraction`s: thresholds are compared at
their exact boundary (5.0 is at risk, 4.99 is not), which binary floats cannot promise after a
few multiplications.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal, TypeVar, get_args

Kind = Literal["company", "fund", "person"]
Severity = Literal["info", "at_risk", "conflicted"]
Status = Literal["neutral", "at_risk", "conflicted"]

KINDS: tuple[str, ...] = get_args(Kind)
SEVERITIES: tuple[str, ...] = get_args(Severity)
SEVERITY_RANK: dict[str, int] = {"info": 0, "at_risk": 1, "conflicted": 2}

# What a buyer gets unless it overrides a value (see `Thresholds`).
DEFAULT_AT_RISK_PERCENT = 5
DEFAULT_CONFLICTED_PERCENT = 25
DEFAULT_OBSERVER_SEAT: Severity = "at_risk"
DEFAULT_BOARD_SEAT: Severity = "conflicted"
DEFAULT_VOTING_CONTROL_PERCENT = 50
DEFAULT_INFORMATION_RIGHTS: Severity = "at_risk"

HUNDRED = Fraction(100)


class NeutralityInputError(ValueError):
    """Input the analysis cannot trust, located like `stakes[3].percent`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Entity:
    """A company, fund or person in the ownership graph.

    `parent_id` is a declared parent (a fund's manager, a subsidiary's group) whose share is
    unknown: it carries no equity, but puts the entity on its parent's side.
    """

    id: str
    name: str
    kind: Kind = "company"
    aliases: tuple[str, ...] = ()
    is_vendor: bool = False
    parent_id: str | None = None


def held_on(acquired_on: date | None, disposed_on: date | None, day: date) -> bool:
    """Is a stake with these dates held on `day`? Acquired on or before it (or undated)
    and not disposed of by then: held from its acquisition day, no longer on its disposal
    day. The one answer for the registry record, the stored row and every page."""
    acquired = acquired_on is None or acquired_on <= day
    return acquired and (disposed_on is None or disposed_on > day)


@dataclass(frozen=True)
class Stake:
    """`holder_id` holds `percent` of `subject_id` (and `voting_percent` of its votes)."""

    id: str
    holder_id: str
    subject_id: str
    percent: Fraction
    voting_percent: Fraction
    board_seats: int = 0
    observer_seats: int = 0
    information_rights: bool = False
    acquired_on: date | None = None
    disposed_on: date | None = None
    source: str = ""

    def is_held_on(self, day: date) -> bool:
        """Held on `day` (see `held_on`)."""
        return held_on(self.acquired_on, self.disposed_on, day)


@dataclass(frozen=True)
class Competitor:
    """A company the buyer competes with, as the buyer declared it."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """When a competitor's position makes a vendor at risk or conflicted.

    Percent thresholds are inclusive ("at or above"); voting control needs strictly more than
    `voting_control_percent` of the votes, as a majority does. A seat or information rights
    weigh one of `SEVERITIES`; "info" records them without moving the status.
    """

    at_risk_percent: Fraction = Fraction(DEFAULT_AT_RISK_PERCENT)
    conflicted_percent: Fraction = Fraction(DEFAULT_CONFLICTED_PERCENT)
    observer_seat: Severity = DEFAULT_OBSERVER_SEAT
    board_seat: Severity = DEFAULT_BOARD_SEAT
    voting_control_percent: Fraction = Fraction(DEFAULT_VOTING_CONTROL_PERCENT)
    information_rights: Severity = DEFAULT_INFORMATION_RIGHTS

    @classmethod
    def build(cls, overrides: Thresholds | Mapping[str, Any] | None = None) -> Thresholds:
        """The defaults with a buyer's overrides applied; unknown keys are refused."""
        if isinstance(overrides, Thresholds):
            return overrides
        values: dict[str, Any] = {}
        for key, value in (overrides or {}).items():
            where = f"thresholds.{key}"
            if key.endswith("_percent") and key in cls.__dataclass_fields__:
                values[key] = parse_percent(value, where)
            elif key in ("observer_seat", "board_seat", "information_rights"):
                values[key] = _parse_choice(value, SEVERITIES, where)
            else:
                raise NeutralityInputError(where, "unknown threshold; expected one of "
                                           + ", ".join(cls.__dataclass_fields__))
        thresholds = cls(**values)
        if thresholds.at_risk_percent > thresholds.conflicted_percent:
            raise NeutralityInputError("thresholds.at_risk_percent",
                                       "must not be above conflicted_percent")
        return thresholds


@dataclass(frozen=True)
class Registry:
    """Entities by id, every stake and the competitors, checked to refer to each other."""

    entities: Mapping[str, Entity]
    stakes: tuple[Stake, ...]
    competitors: tuple[Competitor, ...]

    @classmethod
    def build(cls, entities: Iterable[Any], stakes: Iterable[Any],
              competitors: Iterable[Any]) -> Registry:
        """Parse and cross-check plain data (or records, which pass through)."""
        by_id: dict[str, Entity] = {}
        for index, entity in enumerate(_each(entities, Entity, parse_entity, "entities")):
            if entity.id in by_id:
                raise NeutralityInputError(f"entities[{index}].id",
                                           f'duplicate entity id "{entity.id}"')
            by_id[entity.id] = entity
        parsed_stakes = tuple(_each(stakes, Stake, parse_stake, "stakes"))
        registry = cls(by_id, parsed_stakes,
                       tuple(_each(competitors, Competitor, parse_competitor, "competitors")))
        registry._check_references()
        return registry

    def entity(self, entity_id: str, where: str = "vendor_id") -> Entity:
        """The entity with this id, or a located error naming the unknown id."""
        try:
            return self.entities[str(entity_id)]
        except KeyError:
            raise NeutralityInputError(where, f'unknown entity "{entity_id}"') from None

    def active_stakes(self, on: date) -> tuple[Stake, ...]:
        """The stakes held on `on`, in input order."""
        return tuple(stake for stake in self.stakes if stake.is_held_on(on))

    def _check_references(self) -> None:
        for index, stake in enumerate(self.stakes):
            self.entity(stake.holder_id, f"stakes[{index}].holder_id")
            self.entity(stake.subject_id, f"stakes[{index}].subject_id")
        for index, entity in enumerate(self.entities.values()):
            if entity.parent_id is not None:
                self.entity(entity.parent_id, f"entities[{index}].parent_id")


def parse_entity(data: Mapping[str, Any], where: str) -> Entity:
    """One entity from `{id, name, kind, aliases, is_vendor, parent_id}`."""
    parent = data.get("parent_id")
    return Entity(
        id=_parse_id(_required(data, "id", where), f"{where}.id"),
        name=_parse_text(_required(data, "name", where), f"{where}.name"),
        kind=_parse_choice(data.get("kind", "company"), KINDS, f"{where}.kind"),
        aliases=_parse_aliases(data.get("aliases"), f"{where}.aliases"),
        is_vendor=_parse_bool(data.get("is_vendor", False), f"{where}.is_vendor"),
        parent_id=None if parent is None else _parse_id(parent, f"{where}.parent_id"),
    )


def parse_stake(data: Mapping[str, Any], where: str) -> Stake:
    """One stake; a missing `voting_percent` means votes follow equity."""
    percent = parse_percent(_required(data, "percent", where), f"{where}.percent")
    voting = data.get("voting_percent")
    acquired = _parse_date(data.get("acquired_on"), f"{where}.acquired_on")
    disposed = _parse_date(data.get("disposed_on"), f"{where}.disposed_on")
    if acquired is not None and disposed is not None and disposed < acquired:
        raise NeutralityInputError(f"{where}.disposed_on", "is before acquired_on")
    return Stake(
        id=_parse_id(_required(data, "id", where), f"{where}.id"),
        holder_id=_parse_id(_required(data, "holder_id", where), f"{where}.holder_id"),
        subject_id=_parse_id(_required(data, "subject_id", where), f"{where}.subject_id"),
        percent=percent,
        voting_percent=percent if voting is None
        else parse_percent(voting, f"{where}.voting_percent"),
        board_seats=_parse_count(data.get("board_seats", 0), f"{where}.board_seats"),
        observer_seats=_parse_count(data.get("observer_seats", 0), f"{where}.observer_seats"),
        information_rights=_parse_bool(data.get("information_rights", False),
                                       f"{where}.information_rights"),
        acquired_on=acquired,
        disposed_on=disposed,
        source=str(data.get("source") or ""),
    )


def parse_competitor(data: Mapping[str, Any], where: str) -> Competitor:
    """One competitor from `{id, name, aliases}`."""
    return Competitor(
        id=_parse_id(_required(data, "id", where), f"{where}.id"),
        name=_parse_text(_required(data, "name", where), f"{where}.name"),
        aliases=_parse_aliases(data.get("aliases"), f"{where}.aliases"),
    )


def parse_percent(value: Any, where: str) -> Fraction:
    """An exact percentage in [0, 100] from an int, float, Decimal or numeric string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, Fraction, str)):
        raise NeutralityInputError(where, f"expected a number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise NeutralityInputError(where, f"expected a finite number, got {value}")
    try:
        # Through str so a float like 4.99 means 4.99, not its binary neighbour.
        exact = Fraction(value) if isinstance(value, (int, Fraction)) else Fraction(
            Decimal(str(value).strip()))
    except (InvalidOperation, ValueError, OverflowError):
        raise NeutralityInputError(where, f'expected a number, got "{value}"') from None
    if not 0 <= exact <= HUNDRED:
        raise NeutralityInputError(where, f"expected a percentage from 0 to 100, got {value}")
    return exact


Record = TypeVar("Record")


def _each(items: Iterable[Any], record: type[Record], parse: Any, where: str
          ) -> Iterable[Record]:
    for index, item in enumerate(items):
        if isinstance(item, record):
            yield item
        elif isinstance(item, Mapping):
            yield parse(item, f"{where}[{index}]")
        else:
            raise NeutralityInputError(f"{where}[{index}]",
                                       f"expected a mapping, got {type(item).__name__}")


def _required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if data.get(key) is None:
        raise NeutralityInputError(f"{where}.{key}", "is required")
    return data[key]


def _parse_id(value: Any, where: str) -> str:
    # Ids arrive as UUIDs from the ORM and as strings from JSON; compare them as text.
    if isinstance(value, (bool, float)) or str(value) == "":
        raise NeutralityInputError(where, f'expected an id, got "{value}"')
    return str(value)


def _parse_text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NeutralityInputError(where, "expected a non-empty string")
    return value


def _parse_aliases(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise NeutralityInputError(where, "expected a list of strings")
    aliases = tuple(value)
    for index, alias in enumerate(aliases):
        if not isinstance(alias, str):
            raise NeutralityInputError(f"{where}[{index}]", "expected a string")
    return aliases


def _parse_choice(value: Any, choices: tuple[str, ...], where: str) -> Any:
    if value not in choices:
        raise NeutralityInputError(where, f'unknown value "{value}"; expected one of '
                                   + ", ".join(choices))
    return value


def _parse_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise NeutralityInputError(where, f"expected true or false, got {value!r}")
    return value


def _parse_count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NeutralityInputError(where, f"expected a whole number of seats, got {value!r}")
    return value


def _parse_date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        # A datetime is a date too, but comparing one with a date raises; keep the day.
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise NeutralityInputError(where, f'expected a date "YYYY-MM-DD", got "{value}"'
                                   ) from None
