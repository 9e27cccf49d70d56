"""Writing and verifying the hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from ..models import AuditEvent, Organization

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "organization": str(event.organization_id) if event.organization_id else None,
        "seq": event.seq,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "created_at": event.created_at.isoformat(),
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _lock_chain(organization_id) -> None:
    # Two writers must not both extend the chain from the same head. PostgreSQL: a
    # transaction-scoped advisory lock per organisation; SQLite serialises writers anyway.
    if connection.vendor == "postgresql":
        key = int(hashlib.sha256(str(organization_id).encode()).hexdigest()[:15], 16)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def audit_record(*, organization: Organization | None, action: str, actor=None,
                 actor_label: str = "", obj=None, data: dict | None = None) -> AuditEvent:
    """Append one event to the organisation's chain (inside the caller's transaction)."""
    with transaction.atomic():
        org_id = organization.pk if organization else None
        _lock_chain(org_id)
        head = (AuditEvent.objects.filter(organization_id=org_id)
                .order_by("-seq").values("seq", "hash").first())
        event = AuditEvent(
            organization_id=org_id,
            seq=(head["seq"] + 1) if head else 1,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_label=actor_label or (actor.get_username() if actor is not None
                                        and actor.is_authenticated else "system"),
            action=action,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            data=json.loads(json.dumps(data or {}, default=str)),
            created_at=timezone.now(),
            prev_hash=head["hash"] if head else GENESIS,
        )
        event.hash = event_hash(event)
        event.save()
    return event


@dataclass(frozen=True)
class AuditProblem:
    organization: str
    seq: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id} (seq {self.seq})" if self.event_id else f"seq {self.seq}"
        return f"organisation {self.organization}: {where}: {self.problem}"


def audit_verify(*, organization: Organization | None = None) -> list[AuditProblem]:
    """Walk each chain in order and report every break: an edited event (its hash no longer
    matches its content), a deleted one (a gap in seq or a prev_hash that points nowhere) or
    a reordered one (prev_hash not the previous event's hash)."""
    problems: list[AuditProblem] = []
    events = AuditEvent.objects.order_by("organization_id", "seq")
    if organization is not None:
        events = events.filter(organization=organization)
    current_org, expected_prev, expected_seq = object(), GENESIS, 1
    for event in events.iterator(chunk_size=2000):
        if event.organization_id != current_org:
            current_org, expected_prev, expected_seq = event.organization_id, GENESIS, 1
        label = str(event.organization_id or "library")
        if event.seq != expected_seq:
            problems.append(AuditProblem(label, event.seq, event.id,
                                         f"expected seq {expected_seq}: an event is missing "
                                         "or the chain was reordered"))
        if event.prev_hash != expected_prev:
            problems.append(AuditProblem(label, event.seq, event.id,
                                         "prev_hash does not match the previous event: "
                                         "deleted or reordered"))
        if event_hash(event) != event.hash:
            problems.append(AuditProblem(label, event.seq, event.id,
                                         "content does not match its hash: edited"))
        expected_prev, expected_seq = event.hash, event.seq + 1
    return problems
