"""The one advisory lock: held by its transaction until it ends, keyed by namespace and key,
and refused outside a transaction (where PostgreSQL would drop it at once)."""

from __future__ import annotations

import hashlib
import threading

import pytest
from django.db import connection, transaction

from questionnaires.core.locks import KEY_HEX_DIGITS, advisory_lock

pytestmark = pytest.mark.django_db(transaction=True)


def _number(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:KEY_HEX_DIGITS], 16)


def _free_elsewhere(name: str) -> bool:
    """Could another connection take the lock `name` right now?"""
    result: list[bool] = []

    def probe() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_number(name)])
                result.append(cursor.fetchone()[0])
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=10)
    return result[0]


def test_the_lock_is_held_until_the_transaction_ends_and_only_for_its_own_name():
    with transaction.atomic():
        advisory_lock("ownership-registry", "org-1")
        assert not _free_elsewhere("ownership-registry:org-1")
        assert _free_elsewhere("ownership-registry:org-2")
        assert _free_elsewhere("entity-names:org-1")  # same key, other namespace
    assert _free_elsewhere("ownership-registry:org-1")


def test_outside_a_transaction_the_lock_is_refused():
    with pytest.raises(AssertionError, match="outside a transaction"):
        advisory_lock("library-load")
