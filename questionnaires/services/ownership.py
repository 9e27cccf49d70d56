"""The ownership graph of a buyer, read from the database for the pure analysis."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ..models import Competitor, Entity, Stake, Vendor


def graph_for(organization) -> tuple[list[dict], list[dict], list[dict]]:
    """(entities, stakes, competitors) of one buyer as plain data: 3 queries."""
    entities = [{"id": str(e.pk), "name": e.name, "kind": e.kind, "aliases": e.aliases,
                 "is_vendor": e.vendor_id is not None,
                 "parent_id": str(e.parent_id) if e.parent_id else None}
                for e in Entity.objects.filter(organization=organization)]
    stakes = [{"id": str(s.pk), "holder_id": str(s.holder_id), "subject_id": str(s.subject_id),
               "percent": float(s.percent),
               "voting_percent": None if s.voting_percent is None else float(s.voting_percent),
               "board_seats": s.board_seats, "observer_seats": s.observer_seats,
               "information_rights": s.information_rights, "acquired_on": s.acquired_on,
               "disposed_on": s.disposed_on, "source": s.source}
              for s in Stake.objects.filter(organization=organization)]
    competitors = [{"id": str(c.pk), "name": c.name, "aliases": c.aliases}
                   for c in Competitor.objects.filter(organization=organization)]
    return entities, stakes, competitors


def vendor_entity(vendor: Vendor) -> Entity:
    entity, _ = Entity.objects.get_or_create(
        organization=vendor.organization, vendor=vendor,
        defaults={"name": vendor.name, "kind": Entity.Kind.COMPANY, "aliases": vendor.aliases})
    return entity


def vendor_neutrality(*, vendor: Vendor, answers: dict | None = None,
                      extra_stakes: list[dict] | None = None,
                      on: datetime.date | None = None) -> dict:
    """The vendor's neutrality verdict at a date, optionally with hypothetical stakes (a
    stress-test scenario) and cross-checked against the vendor's own answers."""
    from ..neutrality import analyse, cross_check

    entities, stakes, competitors = graph_for(vendor.organization)
    vendor_id = str(vendor_entity(vendor).pk)
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
