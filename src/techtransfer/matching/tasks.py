"""Background work of the matching engine: keep the search index fresh, notify saved searches, rebuild.

``record_changed`` and ``index_records`` run as the handlers of the outbox topics ``catalog.record_changed`` and
``matching.reindex`` (``receivers``) when jobs run inline; with a task queue each host's indexer (``replica``)
applies ``index_changed`` and ``index_records`` to its own index and the queued job only notifies
(``notify_changed``, which writes the records' lexical documents on its host first). Either way a change is
indexed before the saved searches are checked, so that a newly published record is already searchable when
subscriptions re-run their queries. All are idempotent (they index the current database state, and a saved search
notifies a user of a record once), so the outbox's at-least-once delivery is harmless.
"""

from __future__ import annotations

import time

from huey.contrib.djhuey import db_task

from techtransfer.catalog.models import PUBLIC_STATUSES

from . import indexing, subscriptions

CHUNK = 1000


def record_changed(kind: str, pks: list[int], status: str | None = None) -> int:
    """Index the current state of changed records (and the documents that change with them, e.g. the owner's,
    which lists what it offers and needs); notify subscriptions of newly public ones. (Jobs run inline: the
    writer's process does both; with a queue, each host's indexer does the first and the job the second.)"""
    written = index_changed(kind, pks)
    if kind in subscriptions.RECORD_KINDS.values():
        subscriptions.notify_changed(kind, pks, status)
    return written


def index_changed(kind: str, pks: list[int]) -> int:
    """Index the current state of changed records and of the documents that change with them."""
    written = 0
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start:start + CHUNK]
        written += indexing.update_records(kind, chunk)
        for other, other_pks in indexing.dependents(kind, chunk).items():
            if other_pks:
                indexing.update_records(other, other_pks)
    return written


def notify_changed(kind: str, pks: list[int], status: str | None = None) -> int:
    """Notify the saved searches that newly public records match (the queued job of a change, run once on
    whichever host's worker takes it). The saved queries are re-run on this host's index, which its indexer may
    not have brought up to date yet: the records' lexical documents are written first (idempotent)."""
    if kind not in subscriptions.RECORD_KINDS.values() or (status is not None and status not in PUBLIC_STATUSES):
        return 0
    for start in range(0, len(pks), CHUNK):
        indexing.update_records(kind, pks[start:start + CHUNK], semantic=False)
    return subscriptions.notify_changed(kind, pks, status)


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
