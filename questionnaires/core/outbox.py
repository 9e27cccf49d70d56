"""The outbox pattern, one way for every kind of queued work that must not be lost.

A workflow writes its row (a scoring job, a report) in its own transaction; after commit,
`publish_after_commit` queues the rows' tasks; a beat sweeper calls `publish` again for rows
the broker never took or whose message died. Rows that may be claimed by two dispatchers at
once are claimed first (`claim`): marked dispatched under a skip-locked row lock, so two
sweepers never publish the same row twice.

A publish that fails stops the batch at once (the broker is down: every other publish would
wait out the same timeout) and hands the unsent ids to `on_unsent`, so their rows stay
visible to the next sweep. Nothing here raises: the transaction that wrote the row has
committed and succeeds whatever happens to the broker."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import DatabaseError, transaction
from django.db.models import QuerySet

from questionnaires.core import dispatch

logger = logging.getLogger(__name__)


def publish_after_commit(dispatcher: Callable[..., int], ids: Sequence) -> None:
    """Run `dispatcher(ids)` after the current transaction commits (robust: a failure is
    logged, never raised to the committed caller)."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: dispatcher(ids), robust=True)


def claim(rows: QuerySet, *, batch: int, **mark) -> list:
    """Mark up to `batch` of `rows` with `mark` before they are published, skipping rows
    another dispatcher holds; the claimed primary keys ([] when the database is away)."""
    try:
        with transaction.atomic():
            ids = list(rows.select_for_update(skip_locked=True)
                       .values_list("pk", flat=True)[:batch])
            if ids:
                rows.model.objects.filter(pk__in=ids).update(**mark)
    except DatabaseError as exc:
        logger.warning("%s rows not claimed for dispatch (%s); the sweeper will retry",
                       rows.model.__name__, exc)
        return []
    return ids


def publish(task_name: str, ids: Sequence, *, what: str,
            on_unsent: Callable[[list], None] | None = None) -> int:
    """Publish one message of `task_name` per id, in order; the number published."""
    ids = list(ids)
    for index, pk in enumerate(ids):
        try:
            dispatch.publish(task_name, str(pk))
        except Exception as exc:  # kombu raises many types; all mean "not published"
            unsent = ids[index:]
            if on_unsent is not None:
                on_unsent(unsent)
            logger.warning("%d %s not dispatched (%s: %s); the sweeper will retry",
                           len(unsent), what, type(exc).__name__, exc)
            return index
    return len(ids)
