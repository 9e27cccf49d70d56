"""Recording who holds what: stakes between entities of a buyer's ownership graph.

Holders and their declared parents are found by name (`entity_resolve`) or created. Every
write checks that the stakes held in its subject never add up to more than 100% on any day,
then recomputes the status of each vendor the change can reach, in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from questionnaires.audit.services import audit_record
from questionnaires.core.dates import day_problem
from questionnaires.core.errors import DomainError
from questionnaires.core.models import Organization
from questionnaires.ownership.models import Entity, NeutralityEvent, Stake, Vendor
from questionnaires.ownership.neutrality.records import held_on
from questionnaires.ownership.neutrality.wording import format_percent
from questionnaires.ownership.services.neutrality import (
    OwnershipGraph,
    entity_resolve,
    lock_vendors,
    neutrality_refresh_vendors,
    registry_lock,
    vendor_entity,
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class StakeInput:
    """A stake as the buyer describes it: the holder by name, the subject given apart.

    `holder_parent` None leaves the holder's declared parent as it is; `holder_kind` applies
    only to a holder created now. A missing `voting_percent` means votes follow equity."""

    holder: str
    percent: Decimal
    holder_parent: str | None = None
    holder_kind: str | None = None
    voting_percent: Decimal | None = None
    board_seats: int = 0
    observer_seats: int = 0
    information_rights: bool = False
    acquired_on: datetime.date | None = None
    disposed_on: datetime.date | None = None
    source: str = ""


@dataclass(frozen=True)
class StakeWritten:
    stake: Stake
    events: list[NeutralityEvent]


@transaction.atomic
def stake_record(*, organization: Organization, subject: Entity, data: StakeInput,
                 by) -> StakeWritten:
    """Record that `data.holder` holds a stake in `subject`; returns the stake and the
    neutrality events it caused (one per vendor whose status it changed)."""
    registry_lock(organization)
    subject = _lock(organization, subject)
    percent = _percent(data.percent, "percent")
    voting = None if data.voting_percent is None else _percent(data.voting_percent,
                                                               "voting_percent")
    _check_dates(data.acquired_on, data.disposed_on)
    holder = entity_resolve(organization=organization, name=data.holder, kind=data.holder_kind)
    if holder.pk == subject.pk:
        raise DomainError(f"{subject.name} cannot hold a stake in itself", field="holder")
    # The new stake reaches the vendors below its subject; a new declared parent, those
    # below the holder. Lock them now, before the first audit entry (see registry_lock).
    reached = [str(subject.pk), str(holder.pk)]
    lock_vendors(organization, OwnershipGraph.load(organization).vendors_below(reached))
    moved = _declare_parent(organization, holder, data.holder_parent, by=by)
    _check_totals(subject, percent, percent if voting is None else voting,
                  data.acquired_on, data.disposed_on, exclude=None)
    stake = Stake.objects.create(
        organization=organization, holder=holder, subject=subject, percent=percent,
        voting_percent=voting, board_seats=data.board_seats,
        observer_seats=data.observer_seats, information_rights=data.information_rights,
        acquired_on=data.acquired_on, disposed_on=data.disposed_on, source=data.source,
        created_by=by if by is not None and by.is_authenticated else None)
    audit_record(organization=organization, action="stake.recorded", actor=by, obj=stake,
                 data={"holder": holder.name, "subject": subject.name,
                       "percent": str(stake.percent),
                       "voting_percent": None if voting is None else str(voting),
                       "board_seats": stake.board_seats, "observer_seats": stake.observer_seats,
                       "information_rights": stake.information_rights,
                       "acquired_on": stake.acquired_on, "disposed_on": stake.disposed_on,
                       "source": stake.source})
    return StakeWritten(stake, _refresh(organization, reached if moved else reached[:1],
                                        by=by, stake=stake))


@transaction.atomic
def vendor_stake_record(*, vendor: Vendor, data: StakeInput, by) -> StakeWritten:
    """`stake_record` in the vendor's own entity (made on first use)."""
    registry_lock(vendor.organization)
    return stake_record(organization=vendor.organization, subject=vendor_entity(vendor),
                        data=data, by=by)


@transaction.atomic
def stake_dispose(*, stake: Stake, disposed_on: datetime.date | None, by,
                  source: str | None = None) -> StakeWritten:
    """Record the day the holder gave the stake up (None: it was never disposed of, the
    earlier date was a mistake); `source` replaces the stake's source when given."""
    organization = stake.organization
    registry_lock(organization)
    _lock(organization, stake.subject)
    stake = Stake.objects.select_for_update().select_related("holder", "subject").get(pk=stake.pk)
    _check_dates(stake.acquired_on, disposed_on, field="disposed_on")
    if disposed_on is None or (stake.disposed_on is not None and disposed_on > stake.disposed_on):
        # Held for longer than recorded: the longer period must fit beside the others.
        votes = stake.percent if stake.voting_percent is None else stake.voting_percent
        _check_totals(stake.subject, stake.percent, votes, stake.acquired_on, disposed_on,
                      exclude=stake.pk)
    lock_vendors(organization,
                 OwnershipGraph.load(organization).vendors_below([str(stake.subject_id)]))
    before = stake.disposed_on
    stake.disposed_on = disposed_on
    if source is not None:
        stake.source = source
    stake.save(update_fields=["disposed_on", "source"])
    audit_record(organization=organization, action="stake.disposed", actor=by, obj=stake,
                 data={"holder": stake.holder.name, "subject": stake.subject.name,
                       "percent": str(stake.percent), "disposed_on": disposed_on,
                       "previously": before, "source": stake.source})
    return StakeWritten(stake, _refresh(organization, [str(stake.subject_id)], by=by,
                                        stake=stake))


# What a correction may change; the holder and the subject are the stake's identity (a
# stake recorded against the wrong holder is deleted and recorded again).
CORRECTABLE = ("percent", "voting_percent", "board_seats", "observer_seats",
               "information_rights", "acquired_on", "disposed_on", "source")


@transaction.atomic
def stake_correct(*, stake: Stake, changes: dict, by) -> StakeWritten:
    """Correct what was recorded about a stake (a mistyped percentage or date): the checks
    of `stake_record` on the corrected stake, an audit entry with the values before and
    after, and the status of every vendor below its subject recomputed, as when recorded."""
    unknown = set(changes) - set(CORRECTABLE)
    assert not unknown, f"not correctable: {sorted(unknown)}"
    organization = stake.organization
    registry_lock(organization)
    _lock(organization, stake.subject)
    stake = Stake.objects.select_for_update().select_related("holder", "subject").get(pk=stake.pk)
    wanted = {field: changes.get(field, getattr(stake, field)) for field in CORRECTABLE}
    wanted["percent"] = _percent(wanted["percent"], "percent")
    if wanted["voting_percent"] is not None:
        wanted["voting_percent"] = _percent(wanted["voting_percent"], "voting_percent")
    _check_dates(wanted["acquired_on"], wanted["disposed_on"])
    votes = wanted["voting_percent"]
    _check_totals(stake.subject, wanted["percent"], wanted["percent"] if votes is None else votes,
                  wanted["acquired_on"], wanted["disposed_on"], exclude=stake.pk)
    lock_vendors(organization,
                 OwnershipGraph.load(organization).vendors_below([str(stake.subject_id)]))
    changed = [field for field in CORRECTABLE if wanted[field] != getattr(stake, field)]
    before = {field: getattr(stake, field) for field in changed}
    for field in changed:
        setattr(stake, field, wanted[field])
    if changed:
        stake.save(update_fields=changed)
    audit_record(organization=organization, action="stake.corrected", actor=by, obj=stake,
                 data={"holder": stake.holder.name, "subject": stake.subject.name,
                       "before": before, "after": {field: wanted[field] for field in changed}})
    cause = (f"The stake of {stake.holder.name} in {stake.subject.name} was corrected "
             f"({', '.join(changed) or 'nothing changed'}).")
    return StakeWritten(stake, _refresh(organization, [str(stake.subject_id)], by=by,
                                        stake=stake, cause=cause))


@transaction.atomic
def stake_delete(*, stake: Stake, by) -> list[NeutralityEvent]:
    """Delete a stake recorded by mistake (a stake that ended is disposed of instead, which
    keeps its history). The audit entry keeps what it said; the status of every vendor
    below its subject is recomputed without it."""
    organization = stake.organization
    registry_lock(organization)
    _lock(organization, stake.subject)
    stake = Stake.objects.select_for_update().select_related("holder", "subject").get(pk=stake.pk)
    subject_id = str(stake.subject_id)
    lock_vendors(organization, OwnershipGraph.load(organization).vendors_below([subject_id]))
    audit_record(organization=organization, action="stake.deleted", actor=by, obj=stake,
                 data={"holder": stake.holder.name, "subject": stake.subject.name,
                       "percent": str(stake.percent),
                       "voting_percent": None if stake.voting_percent is None
                       else str(stake.voting_percent),
                       "board_seats": stake.board_seats, "observer_seats": stake.observer_seats,
                       "information_rights": stake.information_rights,
                       "acquired_on": stake.acquired_on, "disposed_on": stake.disposed_on,
                       "source": stake.source})
    cause = (f"The stake of {stake.holder.name} in {stake.subject.name} "
             f"({_shown(stake.percent)}%) was deleted from the registry.")
    stake.delete()
    return _refresh(organization, [subject_id], by=by, stake=None, cause=cause)


def _refresh(organization: Organization, entity_ids: list, *, by,
             stake: Stake | None, cause: str = "") -> list[NeutralityEvent]:
    graph = OwnershipGraph.load(organization)
    return neutrality_refresh_vendors(organization=organization,
                                      vendor_ids=graph.vendors_below(entity_ids), by=by,
                                      stake=stake, cause=cause, graph=graph)


def _percent(value, field: str) -> Decimal:
    """The API and the forms check this already; a service called from elsewhere may not."""
    try:
        percent = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(f'expected a number, got "{value}"', field=field) from None
    if not percent.is_finite() or not 0 <= percent <= HUNDRED:
        raise DomainError(f"expected a percentage from 0 to 100, got {value}", field=field)
    if percent != percent.quantize(Decimal("0.0001")):
        raise DomainError("at most 4 decimal places", field=field)
    return percent


def _lock(organization: Organization, subject: Entity) -> Entity:
    """Lock the subject: two writers adding stakes in it must not both see room for theirs."""
    return Entity.objects.select_for_update().get(pk=subject.pk, organization=organization)


def _declare_parent(organization: Organization, holder: Entity, parent_name: str | None,
                    *, by) -> bool:
    """Set the holder's declared parent; True when it changed."""
    if parent_name is None:
        return False
    parent = entity_resolve(organization=organization, name=parent_name,
                            field_name="holder_parent")
    if parent.pk == holder.pk:
        raise DomainError(f"{holder.name} cannot be its own parent", field="holder_parent")
    _refuse_parent_loop(holder, parent)
    if holder.parent_id == parent.pk:
        return False
    previous = holder.parent.name if holder.parent_id else None
    holder.parent = parent
    holder.save(update_fields=["parent"])
    audit_record(organization=organization, action="entity.parent_declared", actor=by,
                 obj=holder, data={"entity": holder.name, "parent": parent.name,
                                   "previous_parent": previous})
    return True


# A real group structure is a few levels deep; a longer chain of parents is a loop in the
# data that this bound turns into an error instead of an endless walk.
MAX_PARENT_DEPTH = 100


def _refuse_parent_loop(holder: Entity, parent: Entity) -> None:
    parents = dict(Entity.objects.filter(organization_id=holder.organization_id,
                                         parent__isnull=False).values_list("pk", "parent_id"))
    chain, current = [parent.pk], parents.get(parent.pk)
    while current is not None and len(chain) < MAX_PARENT_DEPTH:
        if current == holder.pk:
            raise DomainError(f"{parent.name} is already below {holder.name} in its chain of "
                              f"declared parents, so it cannot be {holder.name}'s parent",
                              field="holder_parent")
        chain.append(current)
        current = parents.get(current)


def _check_dates(acquired_on: datetime.date | None, disposed_on: datetime.date | None, *,
                 field: str = "disposed_on") -> None:
    today = timezone.localdate()
    for name, day in (("acquired_on", acquired_on), ("disposed_on", disposed_on)):
        if day is not None and (problem := day_problem(day)):
            raise DomainError(problem, field=name)
        if day is not None and day > today:
            raise DomainError(f"{day.isoformat()} is in the future; record a stake on the day "
                              "it changes hands", field=name)
    if acquired_on is not None and disposed_on is not None and disposed_on < acquired_on:
        raise DomainError(f"{disposed_on.isoformat()} is before the stake was acquired "
                          f"({acquired_on.isoformat()})", field=field)


@dataclass(frozen=True)
class _Held:
    holder: str
    percent: Decimal
    votes: Decimal
    acquired_on: datetime.date | None
    disposed_on: datetime.date | None

    def is_held_on(self, day: datetime.date) -> bool:
        return held_on(self.acquired_on, self.disposed_on, day)


def _check_totals(subject: Entity, percent: Decimal, votes: Decimal,
                  acquired_on: datetime.date | None, disposed_on: datetime.date | None, *,
                  exclude) -> None:
    """Refuse a stake that would make the stakes held in `subject` exceed 100% on any day.

    The totals change only when a stake is acquired or disposed of, so checking each such
    day within the new stake's period (and its first day) checks every day."""
    others = [_Held(holder, p, p if v is None else v, a, d) for holder, p, v, a, d in
              Stake.objects.filter(subject=subject).exclude(pk=exclude)
              .values_list("holder__name", "percent", "voting_percent", "acquired_on",
                           "disposed_on")]
    new = _Held("this stake", percent, votes, acquired_on, disposed_on)
    first = acquired_on or datetime.date.min
    days = sorted({first, *(day for held in others for day in (held.acquired_on,
                                                               held.disposed_on)
                            if day is not None and day > first)})
    for day in days:
        if not new.is_held_on(day):
            continue
        held = [stake for stake in others if stake.is_held_on(day)] + [new]
        for field, measure, noun in (("percent", "percent", "shares"),
                                     ("voting_percent", "votes", "votes")):
            total = sum((getattr(stake, measure) for stake in held), Decimal(0))
            if total > HUNDRED:
                when = ("at every date (none of these stakes has an acquisition date)"
                        if day == datetime.date.min else f"on {day.isoformat()}")
                parts = ", ".join(f"{stake.holder} {_shown(getattr(stake, measure))}%"
                                  for stake in held)
                raise DomainError(f"{when} the {noun} held in {subject.name} would total "
                                  f"{_shown(total)}% ({parts}); at most 100% can be held",
                                  field=field)


def _shown(value: Decimal) -> str:
    return format_percent(Fraction(value))
