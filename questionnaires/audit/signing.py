"""The digests of the audit trail: plain data in, hex digests out (no ORM).

Events are chained with HMAC-SHA256 under settings.AUDIT_HMAC_KEY, a key kept out of the
database: whoever can write the table but lacks the key cannot edit an event and recompute
the hashes after it. Events written before the keyed chain existed keep their plain SHA-256
hashes; a signed LEGACY checkpoint per chain records up to which seq that holds, so a
rewrite with plain SHA-256 past it is caught.

Checkpoints (a chain's head: seq and hash) are signed with the same key under a prefix of
their own, so a checkpoint's signature can never pass for an event's hash or the reverse.

Migrations import this module: what it computes for given input must never change."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings

CHECKPOINT_DOMAIN = b"diligence.audit.checkpoint\n"


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def plain_digest(payload: bytes) -> str:
    """The hash of events written before the keyed chain (and only of those)."""
    return hashlib.sha256(payload).hexdigest()


def keyed_digest(payload: bytes, key: str | None = None) -> str:
    secret = key if key is not None else settings.AUDIT_HMAC_KEY
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def checkpoint_fields(*, organization_id, stream: str, seq: int, hash: str, kind: str,
                      created_at: str) -> dict:
    """What a checkpoint's signature covers, as plain JSON-able data (also one file line)."""
    return {"organization": str(organization_id) if organization_id else None,
            "stream": stream, "seq": int(seq), "hash": hash, "kind": kind,
            "created_at": created_at}


def checkpoint_signature(fields: dict, key: str | None = None) -> str:
    return keyed_digest(CHECKPOINT_DOMAIN + canonical(fields), key)


def signature_matches(fields: dict, signature: str) -> bool:
    return hmac.compare_digest(checkpoint_signature(fields), signature or "")
