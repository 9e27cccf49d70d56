"""Writing and verifying the hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from questionnaires.audit.models import AuditEvent
from questionnaires.core.locks import advisory_lock
from questionnaires.core.models import Organization

GENESIS = "0" * 64
MAIN = ""  # the organisation's main chain
CHAIN_OPENED = "audit.chain_opened"


def answers_stream(assessment) -> str:
    """The side chain that an assessment's answer saves extend."""
    return f"answers:{assessment.pk}"


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
    if event.stream:  # main-chain hashes stay what they were before side chains existed
        payload["stream"] = event.stream
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _lock_chain(organization_id, stream: str) -> None:
    # Two writers must not both extend a chain from the same head: one lock per chain,
    # the last lock of the order in questionnaires.core.locks.
    advisory_lock("audit-chain", str(organization_id) + (f"/{stream}" if stream else ""))


def chain_head(*, organization_id, stream: str = MAIN) -> dict | None:
    """{"seq", "hash"} of the chain's last event, or None for an empty chain."""
    return (AuditEvent.objects.filter(organization_id=organization_id, stream=stream)
            .order_by("-seq").values("seq", "hash").first())


def audit_record(*, organization: Organization | None, action: str, actor=None,
                 actor_label: str = "", obj=None, data: dict | None = None,
                 stream: str = MAIN) -> AuditEvent:
    """Append one event to one of the organisation's chains (inside the caller's
    transaction). The first event of a side chain also records its opening in the main
    chain, so deleting a whole side chain breaks verification."""
    # No savepoint: a failed insert must fail the caller's transaction anyway, and the
    # hot path (every answer save) is spared two statements.
    with transaction.atomic(savepoint=False):
        org_id = organization.pk if organization else None
        _lock_chain(org_id, stream)
        head = chain_head(organization_id=org_id, stream=stream)
        event = AuditEvent(
            organization_id=org_id,
            stream=stream,
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
        if stream and head is None:
            audit_record(organization=organization, action=CHAIN_OPENED,
                         actor_label="system", data={"stream": stream, "first": event.hash})
    return event


@dataclass(frozen=True)
class AuditProblem:
    organization: str
    seq: int | None
    event_id: int | None
    problem: str
    stream: str = MAIN

    def __str__(self) -> str:
        where = f"event {self.event_id} (seq {self.seq})" if self.event_id else f"seq {self.seq}"
        chain = f" chain {self.stream}" if self.stream else ""
        return f"organisation {self.organization}{chain}: {where}: {self.problem}"


def audit_verify(*, organization: Organization | None = None) -> list[AuditProblem]:
    """Walk each chain in order and report every break: an edited event (its hash no longer
    matches its content), a deleted one (a gap in seq or a prev_hash that points nowhere) or
    a reordered one (prev_hash not the previous event's hash). Then hold each side chain to
    its anchors in the main chain: it must exist from the event its opening names, and hold
    the events that each submission recorded as its head."""
    problems: list[AuditProblem] = []
    # Each organisation's main chain ("" sorts first) is walked before its side chains, so
    # the anchors are known when the side chains come, and only the anchored events' hashes
    # are kept: memory grows with the number of chains, not of answer saves.
    events = AuditEvent.objects.order_by("organization_id", "stream", "seq")
    if organization is not None:
        events = events.filter(organization=organization)
    anchors: list[tuple[AuditEvent, str, int, str]] = []  # event, stream, seq, hash
    anchored: dict[tuple, str | None] = {}  # (org, stream, seq) -> the hash found there
    first_seq: dict[tuple, int] = {}  # (org, stream) of each side chain -> its first seq
    current, expected_prev, expected_seq = object(), GENESIS, 1
    for event in events.iterator(chunk_size=2000):
        chain = (event.organization_id, event.stream)
        if chain != current:
            current, expected_prev, expected_seq = chain, GENESIS, 1
        label = str(event.organization_id or "library")

        def problem(text: str, event=event, label=label) -> None:
            problems.append(AuditProblem(label, event.seq, event.id, text, event.stream))

        if event.seq != expected_seq:
            problem(f"expected seq {expected_seq}: an event is missing or the chain was "
                    "reordered")
        if event.prev_hash != expected_prev:
            problem("prev_hash does not match the previous event: deleted or reordered")
        if event_hash(event) != event.hash:
            problem("content does not match its hash: edited")
        expected_prev, expected_seq = event.hash, event.seq + 1
        if event.stream:
            first_seq.setdefault(chain, event.seq)
            if (*chain, event.seq) in anchored:
                anchored[(*chain, event.seq)] = event.hash
            continue
        if event.action == CHAIN_OPENED:
            anchor = (event, event.data.get("stream", ""), 1, event.data.get("first", ""))
        elif isinstance(event.data.get("answers_chain"), dict):
            head = event.data["answers_chain"]
            anchor = (event, head.get("stream", ""), head.get("seq"), head.get("hash"))
        else:
            continue
        anchors.append(anchor)
        anchored[(event.organization_id, anchor[1], anchor[2])] = None
    opened = set()
    for event, stream, seq, digest in anchors:
        if event.action == CHAIN_OPENED:
            opened.add((event.organization_id, stream))
        if anchored[(event.organization_id, stream, seq)] != digest:
            problems.append(AuditProblem(
                str(event.organization_id or "library"), event.seq, event.id,
                f"names event {seq} of chain {stream}, which is missing or different: "
                "the side chain was deleted, cut or rewritten", MAIN))
    for (org_id, stream), seq in first_seq.items():
        if (org_id, stream) not in opened:
            problems.append(AuditProblem(str(org_id or "library"), seq, None,
                                         "this chain's opening is not in the main chain: "
                                         "inserted, or the opening event was deleted",
                                         stream))
    return problems
