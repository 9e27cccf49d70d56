"""The ownership graph of a buyer, read from the database for the pure analysis, and what it
says about a vendor: today, on any past day, when that changed, and what happens when it does.

Reads cost a fixed number of queries whatever the size of the graph (`OwnershipGraph.load`:
3). Writes that can move a vendor's status (stakes, competitors, thresholds, the vendor's own
name) end in `neutrality_refresh_vendors`, inside the writer's transaction.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from questionnaires.assessments.models import Assessment
from questionnaires.audit.services import audit_record
from questionnaires.authoring.models import Template
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.core.locks import advisory_lock
from questionnaires.core.notifications import email_later, members_who_want
from questionnaires.ownership.models import (
    Competitor,
    Entity,
    NeutralityEvent,
    NeutralityStatus,
    Stake,
    Vendor,
)
from questionnaires.ownership.neutrality.analysis import (
    Finding,
    Result,
    StatusChange,
    analyse,
    cross_check,
    status_changes,
)
from questionnaires.ownership.neutrality.matching import normalise_name
from questionnaires.ownership.neutrality.paths import OwnershipTooComplex
from questionnaires.ownership.neutrality.records import NeutralityInputError, Registry, Thresholds
from questionnaires.ownership.neutrality.wording import format_percent

NOTIFICATION_KIND = "neutrality_changed"
RECHECK_KEY = "rapid-neutrality-recheck"
RECHECK_DUE_DAYS = 14
# How far back the history looks when no stake carries a date.
UNDATED_HISTORY_DAYS = 3 * 365
OPEN_STATUSES = (Assessment.Status.SENT, Assessment.Status.IN_PROGRESS,
                 Assessment.Status.CHANGES_REQUESTED)


# --- Reading the graph ---------------------------------------------------------------------------
def graph_for(organization) -> tuple[list[dict], list[dict], list[dict]]:
    """(entities, stakes, competitors) of one buyer as plain data: 3 queries.

    Entities also carry `vendor_id` (the vendor they stand for, or None); the analysis
    ignores keys it does not know."""
    entities = [{"id": str(e.pk), "name": e.name, "kind": e.kind, "aliases": e.aliases,
                 "is_vendor": e.vendor_id is not None,
                 "vendor_id": str(e.vendor_id) if e.vendor_id else None,
                 "parent_id": str(e.parent_id) if e.parent_id else None}
                for e in Entity.objects.filter(organization=organization)]
    stakes = [{"id": str(s.pk), "holder_id": str(s.holder_id), "subject_id": str(s.subject_id),
               "percent": s.percent, "voting_percent": s.voting_percent,
               "board_seats": s.board_seats, "observer_seats": s.observer_seats,
               "information_rights": s.information_rights, "acquired_on": s.acquired_on,
               "disposed_on": s.disposed_on, "source": s.source}
              for s in Stake.objects.filter(organization=organization)]
    competitors = [{"id": str(c.pk), "name": c.name, "aliases": c.aliases}
                   for c in Competitor.objects.filter(organization=organization)]
    return entities, stakes, competitors


@dataclass
class OwnershipGraph:
    """One buyer's graph, parsed once and analysed for as many vendors as needed."""

    entities: list[dict]
    stakes: list[dict]
    competitors: list[dict]
    thresholds: Thresholds
    registry: Registry
    entity_of_vendor: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, organization) -> OwnershipGraph:
        entities, stakes, competitors = graph_for(organization)
        try:
            thresholds = Thresholds.build(organization.neutrality_thresholds or None)
            registry = Registry.build(entities, stakes, competitors)
        except NeutralityInputError as error:  # only a hand-edited database gets here
            raise Conflict(f"the ownership registry cannot be read: {error}") from None
        return cls(entities, stakes, competitors, thresholds, registry,
                   {e["vendor_id"]: e["id"] for e in entities if e["vendor_id"]})

    def node_of(self, vendor: Vendor) -> str:
        """The vendor's entity id, or a stand-in for a vendor nobody recorded a stake in yet
        (its own name can still match a competitor)."""
        return self.entity_of_vendor.get(str(vendor.pk)) or f"vendor:{vendor.pk}"

    def plain(self, vendor: Vendor) -> tuple[str, list[dict], list[dict], list[dict]]:
        """(vendor node, entities, stakes, competitors) around the vendor, as plain data for
        the pure functions (`above` says why only these)."""
        node, ids = self.node_of(vendor), self.above(vendor)
        entities = [entity for entity in self.entities if entity["id"] in ids]
        if node not in self.registry.entities:
            entities.append(_stand_in(node, vendor))
        stakes = [stake for stake in self.stakes if stake["subject_id"] in ids]
        return node, entities, stakes, self.competitors

    def analyse(self, vendor: Vendor, on: datetime.date) -> Result:
        node, ids = self.node_of(vendor), self.above(vendor)
        entities: list[Any] = [self.registry.entities[i] for i in sorted(ids)
                               if i in self.registry.entities]
        if node not in self.registry.entities:
            entities.append(_stand_in(node, vendor))
        stakes = [stake for stake in self.registry.stakes if stake.subject_id in ids]
        try:
            # Parsed records pass through `analyse` unparsed: one parse for many vendors.
            return analyse(node, entities, stakes, self.registry.competitors, on=on,
                           thresholds=self.thresholds)
        except OwnershipTooComplex as error:
            raise Conflict(str(error)) from None

    def above(self, vendor: Vendor) -> set[str]:
        """The vendor's node and every entity above it through stakes (at any date) or
        declared parents.

        Only these can bear on the vendor: an entity joins a competitor's side through its
        parent or its holders, both above it, so the analysis of this part of the graph is
        the analysis of the whole, at a fraction of the cost for a large buyer."""
        node = self.node_of(vendor)
        seen, frontier = {node}, [node]
        while frontier:
            for upper in self._up[frontier.pop()] - seen:
                seen.add(upper)
                frontier.append(upper)
        return seen

    @cached_property
    def _up(self) -> dict[str, set[str]]:
        up: dict[str, set[str]] = defaultdict(set)
        for stake in self.stakes:
            up[stake["subject_id"]].add(stake["holder_id"])
        for entity in self.entities:
            if entity["parent_id"]:
                up[entity["id"]].add(entity["parent_id"])
        return up

    def vendors_below(self, entity_ids: Iterable[str]) -> set[str]:
        """Ids of the vendors whose ownership passes through any of `entity_ids` at any date:
        the ones a change there can affect (the entities themselves included)."""
        below: dict[str, set[str]] = defaultdict(set)
        for lower, uppers in self._up.items():
            for upper in uppers:
                below[upper].add(lower)
        seen, frontier = set(map(str, entity_ids)), list(map(str, entity_ids))
        while frontier:
            for lower in below[frontier.pop()] - seen:
                seen.add(lower)
                frontier.append(lower)
        vendor_of = {entity_id: vendor_id for vendor_id, entity_id in self.entity_of_vendor.items()}
        return {vendor_of[entity_id] for entity_id in seen if entity_id in vendor_of}

    def stakes_above(self, vendor: Vendor) -> list[dict]:
        """Every stake ever held above the vendor, at any distance (disposed ones too)."""
        owners: dict[str, list[dict]] = defaultdict(list)
        for stake in self.stakes:
            owners[stake["subject_id"]].append(stake)
        node = self.node_of(vendor)
        above, seen, frontier = [], {node}, [node]
        while frontier:
            for stake in owners[frontier.pop()]:
                above.append(stake)
                if stake["holder_id"] not in seen:
                    seen.add(stake["holder_id"])
                    frontier.append(stake["holder_id"])
        return above

    def first_day(self, vendor: Vendor, today: datetime.date) -> datetime.date:
        """The day before the earliest date of a stake above the vendor (or a few years
        back): the status before it is where the history starts."""
        days = [day for stake in self.plain(vendor)[2]
                for day in (stake["acquired_on"], stake["disposed_on"]) if day]
        earliest = min(days, default=today - datetime.timedelta(days=UNDATED_HISTORY_DAYS))
        if earliest == datetime.date.min:
            # Recorded before days were bounded (core.dates): there is no day before it.
            return earliest
        return min(earliest - datetime.timedelta(days=1), today)


def _stand_in(node: str, vendor: Vendor) -> dict:
    return {"id": node, "name": vendor.name, "aliases": vendor.aliases, "is_vendor": True}


# --- Entities ------------------------------------------------------------------------------------
def entity_named(organization, name: str) -> Entity | None:
    """The buyer's entity with this name, ignoring case, punctuation and legal forms.

    An exact name wins, then a normalised name, then an alias; among equals the oldest.
    One query over the buyer's entities: names are compared after normalisation, which the
    database cannot do."""
    wanted = normalise_name(name)
    if not wanted:
        return None
    candidates = list(Entity.objects.filter(organization=organization).order_by("created_at"))
    for matches in (lambda e: e.name == name, lambda e: normalise_name(e.name) == wanted,
                    lambda e: wanted in {normalise_name(alias) for alias in e.aliases}):
        found = next((entity for entity in candidates if matches(entity)), None)
        if found is not None:
            return found
    return None


def entity_resolve(*, organization, name: str, kind: str | None = None,
                   field_name: str = "holder") -> Entity:
    """The entity called `name` in the buyer's graph, created when there is none."""
    name = " ".join(name.split())
    if not normalise_name(name):
        raise DomainError("give a name with at least one letter or digit", field=field_name)
    with transaction.atomic():
        _lock_names(organization)
        found = entity_named(organization, name)
        if found is not None:
            return found
        return Entity.objects.create(organization=organization, name=name,
                                     kind=kind or Entity.Kind.COMPANY)


def _lock_names(organization) -> None:
    # Two writers naming a new holder at once ("Orbital, Inc." and "ORBITAL") must not both
    # find nothing and create two entities for one company: the unique constraint is on the
    # exact name only.
    advisory_lock("entity-names", organization.pk)


def registry_lock(organization) -> None:
    """Serialise the writes to one buyer's ownership registry (stakes, competitors,
    thresholds, vendors), taken first in each of them.

    They are rare and quick, and one at a time each sees the totals, names and statuses the
    previous one left. Vendor rows are locked next (`lock_vendors`) and the audit chain
    last: the order of questionnaires.core.locks, which the rest of the code that locks a
    vendor row keeps too (the reassessment schedule: vendor, then audit)."""
    advisory_lock("ownership-registry", organization.pk)


def lock_vendors(organization, vendor_ids: Iterable[Any] | None) -> list[Vendor]:
    """Lock the buyer's vendors (None: all of them) in id order, the one order every writer
    uses; to be called before the first audit entry of the transaction."""
    vendors = Vendor.objects.select_for_update().filter(organization=organization)
    if vendor_ids is not None:
        vendors = vendors.filter(pk__in=list(vendor_ids))
    return list(vendors.order_by("pk"))


def vendor_entity(vendor: Vendor) -> Entity:
    """The entity standing for the vendor in its buyer's graph, made on first use.

    An entity recorded earlier under the vendor's name (as a holder of another vendor, say)
    becomes the vendor's rather than a second node for the same company."""
    entity = Entity.objects.filter(vendor=vendor).first()
    if entity is not None:
        return entity
    try:
        with transaction.atomic():
            _lock_names(vendor.organization)
            found = entity_named(vendor.organization, vendor.name)
            if found is not None and found.vendor_id is None:
                found.vendor = vendor
                found.save(update_fields=["vendor"])
                return found
            return Entity.objects.create(organization=vendor.organization, vendor=vendor,
                                         name=_free_name(vendor), kind=Entity.Kind.COMPANY,
                                         aliases=vendor.aliases)
    except IntegrityError:  # a concurrent request made it first
        return Entity.objects.get(vendor=vendor)


def _free_name(vendor: Vendor) -> str:
    # Another vendor's entity may hold the exact name (renamed vendors keep nothing unique).
    taken = Entity.objects.filter(organization=vendor.organization, name=vendor.name).exists()
    return f"{vendor.name} (vendor {str(vendor.pk)[:8]})" if taken else vendor.name


# --- What the registry says about a vendor -------------------------------------------------------
def vendor_neutrality(*, vendor: Vendor, answers: dict | None = None,
                      extra_stakes: list[dict] | None = None,
                      on: datetime.date | None = None,
                      graph: tuple[str, list, list, list] | None = None) -> dict:
    """The vendor's neutrality verdict at a date, optionally with hypothetical stakes (a
    stress-test scenario) and cross-checked against the vendor's own answers.

    For scoring: a neutral registry contradicted by the answers reads "discrepancy".
    `graph` is what vendor_graph returned, for a caller that asks many times (one scoring
    runs every scenario against the same registry)."""
    vendor_id, entities, stakes, competitors = graph or vendor_graph(vendor)
    # Copies: the scenario's hypothetical holders must not leak into the caller's graph.
    entities, stakes, competitors = list(entities), list(stakes), list(competitors)
    for index, extra in enumerate(extra_stakes or []):
        holder_id = f"scenario-holder-{index}"
        entities.append({"id": holder_id, "name": extra.get("holder", "Scenario investor"),
                         "kind": "company", "aliases": [], "is_vendor": False,
                         "parent_id": None})
        if extra.get("competitor"):
            competitors.append({"id": f"scenario-competitor-{index}",
                                "name": extra.get("holder", "Scenario investor"),
                                "aliases": []})
        stakes.append({"id": f"scenario-stake-{index}", "holder_id": holder_id,
                       "subject_id": vendor_id, "percent": float(extra.get("percent", 0)),
                       "voting_percent": extra.get("voting_percent"),
                       "board_seats": extra.get("board_seats", 0),
                       "observer_seats": extra.get("observer_seats", 0),
                       "information_rights": bool(extra.get("information_rights", False)),
                       "acquired_on": None, "disposed_on": None, "source": "scenario"})
    result = analyse(vendor_id, entities, stakes, competitors, on=on or timezone.localdate(),
                     thresholds=vendor.organization.neutrality_thresholds or None)
    discrepancies = cross_check(result, answers) if answers else []
    verdict = result.as_dict()
    if discrepancies:
        verdict["findings"] = list(verdict["findings"]) + [f.as_dict() for f in discrepancies]
        if verdict["status"] == "neutral":
            verdict["status"] = "discrepancy"
    return verdict


def vendor_graph(vendor: Vendor) -> tuple[str, list, list, list]:
    """(the vendor's entity id, entities, stakes, competitors) of its buyer's registry.
    The vendor's own entity first: on first use it is created, and the graph must hold it."""
    vendor_id = str(vendor_entity(vendor).pk)
    return (vendor_id, *graph_for(vendor.organization))


def latest_submitted(vendor: Vendor, on: datetime.date) -> Assessment | None:
    """The vendor's most recent assessment submitted by the end of `on` (not cancelled)."""
    end = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1),
                                                        datetime.time.min))
    return (Assessment.objects.filter(vendor=vendor, submitted_at__lt=end)
            .exclude(status=Assessment.Status.CANCELLED).order_by("-submitted_at").first())


@dataclass(frozen=True)
class NeutralityReport:
    """The registry's verdict on a day and where the vendor's own answers contradict it."""

    vendor: Vendor
    result: Result
    discrepancies: tuple[Finding, ...]
    assessment: Assessment | None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return (*self.result.findings, *self.discrepancies)

    def as_dict(self) -> dict:
        """The neutrality endpoint's body. `status` is the registry's alone (neutral,
        at_risk, conflicted); `discrepancy` says whether the answers disagree with it."""
        return {
            "vendor": str(self.vendor.pk), "vendor_name": self.vendor.name,
            "on": self.result.on.isoformat(), "status": self.result.status,
            "findings": [finding.as_dict() for finding in self.findings],
            "discrepancy": bool(self.discrepancies),
            "cross_checked_assessment": str(self.assessment.pk) if self.assessment else None,
            "cycles": [list(cycle) for cycle in self.result.cycles],
        }


def vendor_neutrality_on(*, vendor: Vendor, on: datetime.date,
                         graph: OwnershipGraph | None = None) -> NeutralityReport:
    """The registry's verdict on `on`, with a discrepancy finding for each answer of the
    latest assessment submitted by then that the registry contradicts (2 more queries)."""
    from questionnaires.assessments.services.lifecycle import answer_values, current_answers

    graph = graph or OwnershipGraph.load(vendor.organization)
    result = graph.analyse(vendor, on)
    assessment = latest_submitted(vendor, on)
    answers = answer_values(current_answers(assessment)) if assessment else {}
    discrepancies = tuple(cross_check(result, answers)) if answers else ()
    return NeutralityReport(vendor, result, discrepancies, assessment)


def vendor_status_changes(*, vendor: Vendor, graph: OwnershipGraph,
                          end: datetime.date) -> list[StatusChange]:
    """When and why the status changed, recomputed from the stakes' dates up to `end`."""
    node, entities, stakes, competitors = graph.plain(vendor)
    start = graph.first_day(vendor, end)
    try:
        return status_changes(node, entities, stakes, competitors, start=start, end=end,
                              thresholds=graph.thresholds)
    except OwnershipTooComplex as error:
        raise Conflict(str(error)) from None


# --- Change of control -----------------------------------------------------------------------------
def neutrality_refresh(*, vendor: Vendor, by, stake: Stake | None = None,
                       cause: str = "") -> NeutralityEvent | None:
    """Recompute the vendor's status today; when it changed, record and announce the change.

    Returns the NeutralityEvent, or None when the status stayed as it was."""
    events = neutrality_refresh_vendors(organization=vendor.organization,
                                        vendor_ids=[vendor.pk], by=by, stake=stake, cause=cause)
    return events[0] if events else None


@transaction.atomic
def neutrality_refresh_vendors(*, organization, vendor_ids: Iterable[Any] | None, by,
                               stake: Stake | None = None, cause: str = "",
                               graph: OwnershipGraph | None = None,
                               recheck: bool = True) -> list[NeutralityEvent]:
    """`neutrality_refresh` for several vendors of one buyer (None: all of them).

    `recheck=False` when the change comes from the buyer's own settings rather than from
    what is known about the vendors' owners (new thresholds, a renamed vendor): asking
    every vendor to re-answer because the buyer moved a threshold helps nobody.

    Inside the caller's transaction: the event, the new status, the audit entry and the
    re-check commit or roll back with the write that caused them, and emails leave only
    after the commit. Vendor rows are locked in id order, so concurrent writers queue up
    instead of both deciding the same change (or deadlocking)."""
    vendors = lock_vendors(organization, vendor_ids)
    if not vendors:
        return []
    graph = graph or OwnershipGraph.load(organization)
    today = timezone.localdate()
    events = []
    for vendor in vendors:
        vendor.organization = organization
        result = graph.analyse(vendor, today)
        if result.status != vendor.neutrality_status:
            events.append(_record_change(vendor, result, by=by, stake=stake, cause=cause,
                                         recheck=recheck))
    return events


def _record_change(vendor: Vendor, result: Result, *, by, stake: Stake | None,
                   cause: str, recheck: bool) -> NeutralityEvent:
    before = vendor.neutrality_status
    vendor.neutrality_status = result.status
    vendor.save(update_fields=["neutrality_status", "updated_at"])
    if recheck:
        assessment, recheck_note = _recheck(vendor, by)
    else:
        assessment, recheck_note = None, (
            "No re-check was issued: the change comes from the buyer's settings or registry, "
            "not from a change in the vendor's ownership.")
    # Read in this order: what happened, what the registry now shows, what follows.
    happened = [_note(cause or _stake_cause(stake))] if (cause or stake) else []
    event = NeutralityEvent.objects.create(
        organization=vendor.organization, vendor=vendor, from_status=before,
        to_status=result.status, stake=stake, recheck=assessment,
        findings=[*happened, *(finding.as_dict() for finding in result.findings),
                  _note(recheck_note)])
    reasons = [entry["reason"] for entry in event.findings if entry.get("reason")]
    audit_record(organization=vendor.organization, action="neutrality.changed", actor=by,
                 obj=vendor, data={"event": str(event.pk), "from": before,
                                   "to": result.status, "stake": str(stake.pk) if stake else None,
                                   "recheck": str(event.recheck_id) if event.recheck_id
                                   else None,
                                   "reasons": reasons})
    email_later(to=members_who_want(vendor.organization, NOTIFICATION_KIND),
                template="emails/neutrality_changed",
                context={"vendor": vendor.name, "buyer": vendor.organization.name,
                         "from_status": _status_words(before),
                         "to_status": _status_words(result.status), "reasons": reasons,
                         "url": settings.SITE_URL + reverse("workspace:vendors-detail",
                                                            args=[vendor.pk]),
                         "by": by.get_username() if by is not None and by.is_authenticated
                         else "the system"})
    return event


def _status_words(status: str) -> str:
    """A status as a sentence says it: "at risk"."""
    return NeutralityStatus(status).label.lower() if status in NeutralityStatus.values \
        else status


def _note(reason: str) -> dict:
    """An entry of an event's `findings` that explains rather than finds."""
    return {"kind": "note", "severity": "info", "reason": reason}


def _stake_cause(stake: Stake) -> str:
    share = f"{format_percent(Fraction(str(stake.percent)))}% of {stake.subject.name}"
    if stake.disposed_on is not None:
        return f"{stake.holder.name} disposed of {share} on {stake.disposed_on.isoformat()}."
    when = stake.acquired_on.isoformat() if stake.acquired_on else "an unknown date"
    return f"{stake.holder.name} acquired {share} on {when}."


def _recheck(vendor: Vendor, by) -> tuple[Assessment | None, str]:
    """Issue the rapid re-check to the vendor's contact, or say why not."""
    if not vendor.organization.auto_recheck:
        return None, "No re-check was issued: automatic re-checks are turned off."
    if not vendor.contact_email:
        return None, (f"No re-check was issued: {vendor.name} has no contact email. Add one "
                      "and issue the rapid neutrality re-check by hand.")
    # A second change while the first re-check is still open (two stakes recorded in a row)
    # would otherwise send the vendor the same questionnaire twice.
    still_open = (Assessment.objects.filter(vendor=vendor, template__key=RECHECK_KEY,
                                            template__organization__isnull=True,
                                            status__in=OPEN_STATUSES)
                  .order_by("-created_at").first())
    if still_open is not None:
        return still_open, (f"The rapid neutrality re-check issued on "
                            f"{still_open.created_at.date().isoformat()} is still open; "
                            "no second one was sent.")
    from questionnaires.assessments.services.lifecycle import assessment_issue

    due = timezone.localdate() + datetime.timedelta(days=RECHECK_DUE_DAYS)
    assessment, _ = assessment_issue(organization=vendor.organization, vendor=vendor,
                                     template=recheck_template(), due_date=due,
                                     respondents=[(vendor.contact_email, vendor.contact_name)],
                                     by=by)
    return assessment, (f"Rapid neutrality re-check issued to {vendor.contact_email}, due "
                        f"{due.isoformat()}.")


def recheck_template() -> Template:
    """The latest published library version of the rapid re-check, loading the library when
    this deployment never did."""
    def latest() -> Template | None:
        return (Template.objects.filter(organization__isnull=True, key=RECHECK_KEY,
                                        status=Template.Status.PUBLISHED)
                .order_by("-version").first())

    template = latest()
    if template is None:
        try:
            from questionnaires.authoring.services.library import library_load
        except ImportError:
            raise Conflict("the built-in questionnaire library cannot be loaded here, so the "
                           f"'{RECHECK_KEY}' re-check cannot be issued") from None
        from questionnaires.authoring.importers import ImportFailed

        try:
            library_load()
        except ImportFailed as error:
            raise Conflict(f"the built-in library failed to load, so the '{RECHECK_KEY}' "
                           f"re-check cannot be issued: {error}") from None
        template = latest()
    if template is None:
        raise Conflict(f"the built-in library has no published '{RECHECK_KEY}' "
                       "questionnaire to issue as the re-check; run manage.py load_library")
    return template
