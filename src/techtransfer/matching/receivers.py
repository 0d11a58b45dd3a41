"""Signal receivers: every committed change of a searchable record is queued for indexing.

Achievements and demands announce their changes through ``catalog.signals.record_changed`` (one record) and
``records_bulk_changed`` (an import: ``pks`` list); those also feed the saved searches. The other models an
app's search documents are built from are named in its ``<app>/search.py`` (``SearchDocument.watch``) and
followed through Django's model signals, after their transaction commits. A missing index
(``store.index_missing``) is rebuilt through the queue.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from huey.contrib.djhuey import HUEY

from techtransfer.catalog import signals as catalog_signals

from . import indexing, store, tasks
from .subscriptions import RECORD_KINDS

log = logging.getLogger(__name__)


def _kind(sender) -> str | None:
    return RECORD_KINDS.get(getattr(getattr(sender, "_meta", None), "label_lower", ""))


def _enqueue(task, *args) -> None:
    try:
        task(*args)
    except Exception:  # noqa: BLE001 - a failed index update must never undo or fail the user's change
        log.exception("could not queue search index update %s%r", getattr(task, "name", task), args)


def on_record_changed(sender, pk=None, status=None, **kwargs) -> None:
    kind = _kind(sender)
    if kind and pk is not None:
        _index_now(kind, int(pk))
        _enqueue(tasks.record_changed_task, kind, [int(pk)], status)


def _index_now(kind: str, pk: int) -> None:
    """The lexical update of one record, right away in this process (a few milliseconds), so that a published
    record is searchable within 2 seconds whatever the queue's polling delay; the queued job repeats it
    (idempotent) and adds vectors, the owner's document and notifications. Skipped when jobs run inline."""
    if HUEY.immediate:
        return
    try:
        indexing.update_records(kind, [pk], semantic=False)
    except Exception:  # noqa: BLE001 - the queued job retries; the user's change stands
        log.exception("immediate index update of %s %s failed; the queued job will retry", kind, pk)


def on_records_bulk_changed(sender, pks=None, status=None, **kwargs) -> None:
    kind = _kind(sender)
    if kind and pks:
        _enqueue(tasks.record_changed_task, kind, [int(p) for p in pks], status)


def _later(kind: str, pks) -> None:
    pks = [int(p) for p in pks if p is not None]
    if pks:
        transaction.on_commit(lambda: _enqueue(tasks.index_records_task, kind, pks))


def _follower(kind: str, pks_of):
    """A receiver that re-indexes the documents of ``kind`` that ``pks_of(instance)`` names, after commit."""

    def on_saved(sender, instance, **kwargs) -> None:
        _later(kind, pks_of(instance))

    def on_m2m_changed(sender, instance, action=None, **kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            _later(kind, pks_of(instance))

    return on_saved, on_m2m_changed


def on_index_missing(sender, root=None, **kwargs) -> None:
    tasks.rebuild_index_task()


def connect() -> None:
    catalog_signals.record_changed.connect(on_record_changed, dispatch_uid="matching.index.record_changed")
    catalog_signals.records_bulk_changed.connect(on_records_bulk_changed,
                                                 dispatch_uid="matching.index.records_bulk_changed")
    store.index_missing.connect(on_index_missing, dispatch_uid="matching.index.rebuild_missing")
    for kind, doc in indexing.search_documents().items():
        for model, pks_of in doc.watch:
            on_saved, on_m2m_changed = _follower(kind, pks_of)
            uid = f"matching.index.{kind}.{model._meta.label}"
            if model._meta.auto_created:  # a many-to-many ``through`` table
                m2m_changed.connect(on_m2m_changed, sender=model, weak=False, dispatch_uid=uid)
            else:
                post_save.connect(on_saved, sender=model, weak=False, dispatch_uid=f"{uid}.save")
                post_delete.connect(on_saved, sender=model, weak=False, dispatch_uid=f"{uid}.delete")
