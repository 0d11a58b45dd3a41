"""Background work of the matching engine: keep the search index fresh, notify saved searches, rebuild.

``record_changed`` and ``index_records`` run as the handlers of the outbox topics ``catalog.record_changed`` and
``matching.reindex`` (``receivers``), on the task queue. A change is indexed first and the saved searches are
checked afterwards, in the same job, so that a newly published record is already searchable when subscriptions
re-run their queries. Both are idempotent (they index the current database state, and a saved search notifies a
user of a record once), so the outbox's at-least-once delivery is harmless.
"""

from __future__ import annotations

import time

from huey.contrib.djhuey import db_task

from . import indexing, subscriptions

CHUNK = 1000


def record_changed(kind: str, pks: list[int], status: str | None = None) -> int:
    """Index the current state of changed records (and the documents that change with them, e.g. the owner's,
    which lists what it offers and needs); notify subscriptions of newly public ones."""
    written = 0
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start:start + CHUNK]
        written += indexing.update_records(kind, chunk)
        for other, other_pks in indexing.dependents(kind, chunk).items():
            if other_pks:
                indexing.update_records(other, other_pks)
    if kind in subscriptions.RECORD_KINDS.values():
        subscriptions.notify_changed(kind, pks, status)
    return written


def index_records(kind: str, pks: list[int]) -> int:
    """Index the current state of people, organizations or other records (no notifications)."""
    return sum(indexing.update_records(kind, pks[i:i + CHUNK]) for i in range(0, len(pks), CHUNK))


@db_task()
def rebuild_index_task(requested_at: float | None = None) -> dict | None:
    """Rebuild the whole index, unless a rebuild started after this one was asked for."""
    requested_at = requested_at if requested_at is not None else time.time()
    if indexing.last_rebuild_started() > requested_at:
        return None
    return indexing.rebuild()
