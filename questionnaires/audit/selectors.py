"""Browsing the audit trail of one organisation: filters, and rows for the CSV export."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from questionnaires.audit.models import AuditEvent
from questionnaires.core.models import Organization

EXPORT_HEADERS = ["Seq", "Time (UTC)", "Actor", "Action", "Object type", "Object id", "Data",
                  "Hash", "Chain"]


@dataclass(frozen=True)
class AuditQuery:
    action: str = ""   # exact, or a prefix ending in "." ("assessment." for all of them)
    actor: str = ""
    object: str = ""   # an object's id, or a type such as "Assessment"
    since: datetime.date | None = None
    until: datetime.date | None = None


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def audit_events(*, organization: Organization, query: AuditQuery) -> QuerySet[AuditEvent]:
    """The organisation's events matching `query`, newest first."""
    events = AuditEvent.objects.filter(organization=organization)
    if query.action.endswith("."):
        events = events.filter(action__startswith=query.action)
    elif query.action:
        events = events.filter(action=query.action)
    if query.actor:
        events = events.filter(actor_label__icontains=query.actor)
    if query.object:
        events = events.filter(Q(object_id=query.object) | Q(object_type__iexact=query.object))
    # Whole days as half-open ranges on the timestamp, so the index serves them.
    if query.since:
        events = events.filter(created_at__gte=_start_of(query.since))
    if query.until:
        events = events.filter(created_at__lt=_start_of(query.until + datetime.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def audit_rows(events: QuerySet[AuditEvent], chunk: int = 2000) -> Iterator[list]:
    for event in events.iterator(chunk_size=chunk):
        yield [event.seq, event.created_at.isoformat(), event.actor_label, event.action,
               event.object_type, event.object_id,
               json.dumps(event.data, sort_keys=True, ensure_ascii=False), event.hash,
               event.stream or "main"]
