"""Writing and verifying the hash-chained audit trail, and checkpointing its heads."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from questionnaires.audit import checkpoint_file, signing
from questionnaires.audit.models import AuditCheckpoint, AuditEvent
from questionnaires.core.locks import advisory_lock
from questionnaires.core.models import Organization

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
MAIN = ""  # the organisation's main chain
CHAIN_OPENED = "audit.chain_opened"
LOOKUP_BATCH = 500  # (chain, seq) pairs per query when fetching the hashes of chain heads


def answers_stream(assessment) -> str:
    """The side chain that an assessment's answer saves extend."""
    return f"answers:{assessment.pk}"


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "organization": str(event.organization_id) if event.organization_id else None,
        "seq": event.seq,
        # The stable copy, not actor_id: deleting the user clears that link. Migration 0004
        # copied actor_id into actor_ref, so older events hash what they hashed before.
        "actor": event.actor_ref,
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
    return signing.canonical(payload)


def event_hash(event: AuditEvent, *, legacy: bool = False) -> str:
    """The event's hash: an HMAC under settings.AUDIT_HMAC_KEY, or, for an event written
    before the keyed chain (`legacy`, up to its chain's LEGACY checkpoint), plain SHA-256."""
    payload = _canonical(event)
    return signing.plain_digest(payload) if legacy else signing.keyed_digest(payload)


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
            actor_ref=actor.pk if actor is not None and actor.is_authenticated else None,
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


def _chain(org_id, stream: str) -> tuple[str | None, str]:
    """A chain's key, the same whether the organisation's id comes from a row or a file."""
    return (str(org_id) if org_id else None, stream)


def _label(org_id) -> str:
    return str(org_id) if org_id else "library"


@dataclass(frozen=True)
class Pin:
    """A chain's head as a signed checkpoint recorded it: the chain must still hold it."""

    seq: int
    hash: str
    source: str  # "table", "file" or "legacy"
    created_at: str


def _fields_of(row: AuditCheckpoint) -> dict:
    return signing.checkpoint_fields(
        organization_id=row.organization_id, stream=row.stream, seq=row.seq, hash=row.hash,
        kind=row.kind, created_at=row.created_at.isoformat())


def _table_pins(organization, problems: list) -> tuple[dict, dict]:
    """The latest signed checkpoint of each chain in the table, and each chain's LEGACY
    one. A row whose signature does not match is reported and otherwise ignored."""
    rows = AuditCheckpoint.objects.order_by("id")
    if organization is not None:
        rows = rows.filter(organization=organization)
    latest: dict[tuple, Pin] = {}
    legacy: dict[tuple, Pin] = {}
    for row in rows.iterator(chunk_size=2000):
        fields = _fields_of(row)
        if not signing.signature_matches(fields, row.signature):
            problems.append(AuditProblem(
                _label(row.organization_id), row.seq, None, f"checkpoint {row.id} in the "
                "table: its signature does not match: forged or edited", row.stream))
            continue
        chain = _chain(row.organization_id, row.stream)
        if row.kind == AuditCheckpoint.Kind.LEGACY:
            legacy[chain] = Pin(row.seq, row.hash, "legacy", fields["created_at"])
        elif chain not in latest or row.seq > latest[chain].seq:
            latest[chain] = Pin(row.seq, row.hash, "table", fields["created_at"])
    return latest, legacy


def _file_pins(organization, problems: list) -> dict:
    """The latest signed checkpoint of each chain in the checkpoint file."""
    scope = str(organization.pk) if organization is not None else None
    latest: dict[tuple, Pin] = {}
    for number, line in checkpoint_file.read():
        where = f"checkpoint file line {number}"  # no path: organisations see this too
        try:
            fields = signing.checkpoint_fields(
                organization_id=line["organization"], stream=line["stream"], seq=line["seq"],
                hash=line["hash"], kind=line["kind"], created_at=line["created_at"])
        except (KeyError, TypeError, ValueError):
            # Whose it was is unknown: only the whole trail's verification reports it, not
            # every organisation's.
            if scope is None:
                problems.append(AuditProblem("unknown", None, None,
                                             f"{where}: not a checkpoint"))
            continue
        if scope is not None and fields["organization"] != scope:
            continue
        if not signing.signature_matches(fields, line.get("signature", "")):
            problems.append(AuditProblem(_label(fields["organization"]), fields["seq"], None,
                                         f"{where}: its signature does not match: forged or "
                                         "edited", fields["stream"]))
            continue
        chain = (fields["organization"], fields["stream"])
        if chain not in latest or fields["seq"] > latest[chain].seq:
            latest[chain] = Pin(fields["seq"], fields["hash"], "file", fields["created_at"])
    return latest


def _pin_problems(pins: list[tuple[tuple, Pin]], found: dict) -> list[AuditProblem]:
    """Each checkpoint whose event is gone (the chain was cut or deleted) or different (it
    was rewritten); one problem for the same head pinned by the table and the file."""
    sources: dict[tuple, list[Pin]] = {}
    for chain, pin in pins:
        sources.setdefault((chain, pin.seq, pin.hash), []).append(pin)
    problems = []
    for (chain, seq, digest), same in sources.items():
        held = found.get((*chain, seq))
        if held == digest:
            continue
        what = ("is missing: the chain was cut short or deleted" if held is None
                else "differs: the chain was rewritten")
        names = " and ".join(sorted({pin.source for pin in same}))
        problems.append(AuditProblem(
            _label(chain[0]), seq, None, f"the {names} checkpoint of {same[0].created_at} "
            f"recorded {seq} events ending in {digest[:12]}; event {seq} {what}", chain[1]))
    return problems


def _file_behind(table: dict, file: dict) -> list[AuditProblem]:
    """The file is written before the table, so it never lags behind it unless it was cut,
    replaced or deleted (or AUDIT_CHECKPOINT_DIR moved)."""
    return [AuditProblem(_label(chain[0]), pin.seq, None,
                         f"the checkpoint file lacks the table's checkpoint of "
                         f"{pin.created_at} at seq {pin.seq}: the file was cut, replaced or "
                         "deleted", chain[1])
            for chain, pin in table.items() if chain not in file or file[chain].seq < pin.seq]


def _hash_problem(event: AuditEvent, legacy_until: int) -> str | None:
    if event_hash(event, legacy=event.seq <= legacy_until) == event.hash:
        return None
    if event.seq > legacy_until and event_hash(event, legacy=True) == event.hash:
        return ("content does not match its hash: recomputed with plain SHA-256, without "
                "the key, past the chain's keyed start (or its legacy checkpoint was deleted)")
    return "content does not match its hash: edited"


def audit_verify(*, organization: Organization | None = None) -> list[AuditProblem]:
    """Walk each chain in order and report every break: an edited event (its hash no longer
    matches its content under the key), a deleted one (a gap in seq or a prev_hash that
    points nowhere) or a reordered one (prev_hash not the previous event's hash). Then hold
    each side chain to its anchors in the main chain: it must exist from the event its
    opening names, and hold the events that each submission recorded as its head. Last,
    hold every chain to its latest signed checkpoints (table and file): a chain cut short,
    deleted whole or rewritten since is reported."""
    problems: list[AuditProblem] = []
    table, legacy = _table_pins(organization, problems)
    file = _file_pins(organization, problems)
    pins = [*table.items(), *file.items(), *legacy.items()]
    pinned: set[tuple] = {(*chain, pin.seq) for chain, pin in pins}
    found: dict[tuple, str] = {}  # (org, stream, seq) pinned by a checkpoint -> its hash
    # Each organisation's main chain ("" sorts first) is walked before its side chains, so
    # the anchors are known when the side chains come, and only the anchored events' hashes
    # are kept: memory grows with the number of chains, not of answer saves.
    events = AuditEvent.objects.order_by("organization_id", "stream", "seq")
    if organization is not None:
        events = events.filter(organization=organization)
    anchors: list[tuple[AuditEvent, str, int, str]] = []  # event, stream, seq, hash
    anchored: dict[tuple, str | None] = {}  # (org, stream, seq) -> the hash found there
    first_seq: dict[tuple, int] = {}  # (org, stream) of each side chain -> its first seq
    current, expected_prev, expected_seq, legacy_until = object(), GENESIS, 1, 0
    for event in events.iterator(chunk_size=2000):
        chain = (event.organization_id, event.stream)
        if chain != current:
            current, expected_prev, expected_seq = chain, GENESIS, 1
            keyed = _chain(*chain)
            legacy_until = legacy[keyed].seq if keyed in legacy else 0
        label = _label(event.organization_id)

        def problem(text: str, event=event, label=label) -> None:
            problems.append(AuditProblem(label, event.seq, event.id, text, event.stream))

        if event.seq != expected_seq:
            problem(f"expected seq {expected_seq}: an event is missing or the chain was "
                    "reordered")
        if event.prev_hash != expected_prev:
            problem("prev_hash does not match the previous event: deleted or reordered")
        if (broken := _hash_problem(event, legacy_until)) is not None:
            problem(broken)
        expected_prev, expected_seq = event.hash, event.seq + 1
        if (*keyed, event.seq) in pinned:
            found[(*keyed, event.seq)] = event.hash
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
    problems += _anchor_problems(anchors, anchored, first_seq)
    return problems + _pin_problems(pins, found) + _file_behind(table, file)


def _anchor_problems(anchors: list, anchored: dict, first_seq: dict) -> list[AuditProblem]:
    problems = []
    opened = set()
    for event, stream, seq, digest in anchors:
        if event.action == CHAIN_OPENED:
            opened.add((event.organization_id, stream))
        if anchored[(event.organization_id, stream, seq)] != digest:
            problems.append(AuditProblem(
                _label(event.organization_id), event.seq, event.id,
                f"names event {seq} of chain {stream}, which is missing or different: "
                "the side chain was deleted, cut or rewritten", MAIN))
    for (org_id, stream), seq in first_seq.items():
        if (org_id, stream) not in opened:
            problems.append(AuditProblem(_label(org_id), seq, None,
                                         "this chain's opening is not in the main chain: "
                                         "inserted, or the opening event was deleted",
                                         stream))
    return problems


# --- Checkpoints -------------------------------------------------------------------------------
def _hashes_at(keys: list[tuple]) -> dict[tuple, str]:
    """{(organization_id, stream, seq): hash} of the events at those places that exist."""
    found = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        where = Q()
        for org_id, stream, seq in keys[start:start + LOOKUP_BATCH]:
            where |= Q(organization_id=org_id, stream=stream, seq=seq)
        for org_id, stream, seq, digest in AuditEvent.objects.filter(where).values_list(
                "organization_id", "stream", "seq", "hash"):
            found[(org_id, stream, seq)] = digest
    return found


def audit_checkpoint(*, organization: Organization | None = None) -> list[AuditCheckpoint]:
    """Sign and record the head (length and last hash) of every chain that grew since its
    latest checkpoint: appended to the checkpoint file, then stored in the table. The file
    comes first, so a crash between the two leaves it ahead of the table, never behind.

    A chain that no longer holds its latest checkpoint's event (cut or rewritten since) gets
    no new checkpoint, which would bless the damage: it is logged, and verify_audit keeps
    reporting it. Celery beat runs this every few minutes; so does `verify_audit
    --checkpoint` once the trail verified."""
    table, legacy = _table_pins(organization, [])
    lengths = AuditEvent.objects.values_list("organization_id", "stream").annotate(
        length=Max("seq")).order_by()
    if organization is not None:
        lengths = lengths.filter(organization=organization)
    grown = {}
    for org_id, stream, length in lengths:
        chain = _chain(org_id, stream)
        previous = max([p for p in (table.get(chain), legacy.get(chain)) if p is not None],
                       key=lambda pin: pin.seq, default=None)
        if previous is None or length > previous.seq:
            grown[(org_id, stream)] = (length, previous)
    hashes = _hashes_at([(*chain, length) for chain, (length, _) in grown.items()]
                        + [(*chain, prev.seq) for chain, (_, prev) in grown.items() if prev])
    now, rows = timezone.now(), []
    for (org_id, stream), (length, previous) in grown.items():
        if previous is not None and hashes.get((org_id, stream, previous.seq)) != previous.hash:
            logger.error("audit chain %s %r no longer holds its checkpoint at seq %s: not "
                         "checkpointed again; run manage.py verify_audit", _label(org_id),
                         stream, previous.seq)
            continue
        if (org_id, stream, length) not in hashes:
            continue
        row = AuditCheckpoint(organization_id=org_id, stream=stream, seq=length,
                              hash=hashes[(org_id, stream, length)],
                              kind=AuditCheckpoint.Kind.CHECKPOINT, created_at=now)
        row.signature = signing.checkpoint_signature(_fields_of(row))
        rows.append(row)
    checkpoint_file.append([{**_fields_of(row), "signature": row.signature} for row in rows])
    return AuditCheckpoint.objects.bulk_create(rows, batch_size=1000)
