"""Advisory locks: one way to serialise writers that no row lock covers.

PostgreSQL holds a `pg_advisory_xact_lock` until the transaction ends; SQLite serialises
writers anyway, so there the lock is a no-op. A lock is named `namespace:key`
("ownership-registry:<organisation id>"), so two uses can never share a lock by accident.

Lock order. A transaction that takes more than one lock takes them in this order, the same
everywhere, so no two writers wait for each other in a circle:

1. the buyer's ownership registry (`ownership-registry:<org>`, ownership.services.neutrality
   `registry_lock`), then the entity names (`entity-names:<org>`) when it names a holder;
2. the vendor rows (`select_for_update` in id order, `lock_vendors`);
3. the assessment row (`select_for_update`: answer saves, submission);
4. the audit chain being appended to (`audit-chain:<org>/<stream>`, audit.services), last:
   every audited write records its event at the end.

Loading the built-in library (`library-load`) takes its lock first and then only the audit
chain's.
"""

from __future__ import annotations

import hashlib

from django.db import connection

# The first 15 hex digits of the name's SHA-256: 60 bits, a positive bigint as PostgreSQL
# takes it, with collisions between names too unlikely to matter.
KEY_HEX_DIGITS = 15


def advisory_lock(namespace: str, key: object = "") -> None:
    """Wait for, then hold until the end of the current transaction, the lock named
    `namespace:key`. Call inside `transaction.atomic()`: outside one PostgreSQL would let
    the lock go again as soon as the statement ends."""
    assert connection.in_atomic_block, f"advisory_lock({namespace!r}) outside a transaction"
    if connection.vendor != "postgresql":
        return
    name = f"{namespace}:{key}"
    number = int(hashlib.sha256(name.encode()).hexdigest()[:KEY_HEX_DIGITS], 16)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
