"""Keeping the search index and the saved searches up to date with every committed change.

Achievements and demands publish ``catalog.record_changed`` in the transaction that changes them (outbox topic,
``catalog.signals``). The other models an app's search documents are built from are named in its
``<app>/search.py`` (``SearchDocument.watch``) and followed through Django's model signals, which publish
``matching.reindex`` in the writer's transaction the same way. Every host's index follows both topics in the change
log (``replica``: one indexer per data folder). The queued handlers do what happens once, not per host:
``on_catalog_change`` notifies the saved searches (at least once, even when the queue was down at the time of the
change). When jobs run inline (``TECHTRANSFER_TASKS=immediate``, the tests) the handlers also index, in the
writer's process, as the only host. The in-process signal ``catalog.signals.record_changed`` adds the immediate
lexical update of one record on the writing host (``_index_now``). A missing index (``store.index_missing``) is
rebuilt by this host's indexer (or inline).
"""

from __future__ import annotations

import logging

from django.db.models.signals import m2m_changed, post_delete, post_save
from huey.contrib.djhuey import HUEY

from techtransfer.catalog import signals as catalog_signals
from techtransfer.outbox import registry
from techtransfer.outbox import services as outbox

from . import indexing, replica, store, tasks
from .replica import REINDEX
from .subscriptions import RECORD_KINDS

log = logging.getLogger(__name__)


def _kind(sender) -> str | None:
    return RECORD_KINDS.get(getattr(getattr(sender, "_meta", None), "label_lower", ""))


@registry.handler(catalog_signals.TOPIC, name="matching.index_and_notify")
def on_catalog_change(delivery: registry.Delivery) -> int:
    """Notify saved searches of the changed achievements or demands; when jobs run inline, index them (and their
    dependents) first. With a queue every host's indexer indexes them (``replica``)."""
    kind = RECORD_KINDS.get(delivery.payload.get("model", ""))
    if kind is None:
        return 0
    pks, status = [int(p) for p in delivery.payload.get("pks", [])], delivery.payload.get("status")
    if not HUEY.immediate:
        return tasks.notify_changed(kind, pks, status)
    written = tasks.record_changed(kind, pks, status)
    store.mark_applied(delivery.created_at)
    return written


@registry.handler(REINDEX, name="matching.reindex")
def on_reindex(delivery: registry.Delivery) -> int:
    """Index the current state of people, organizations or other records (no notifications), when jobs run
    inline; with a queue there is nothing left to do once (every host's indexer applies the event itself)."""
    if not HUEY.immediate:
        return 0
    written = tasks.index_records(delivery.payload["kind"], [int(p) for p in delivery.payload.get("pks", [])])
    store.mark_applied(delivery.created_at)
    return written


def on_record_changed(sender, pk=None, status=None, **kwargs) -> None:
    kind = _kind(sender)
    if kind and pk is not None:
        _index_now(kind, int(pk))


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


def _later(kind: str, pks) -> None:
    pks = sorted({int(p) for p in pks if p is not None})
    if pks:
        outbox.publish(REINDEX, {"kind": kind, "pks": pks})


def _follower(kind: str, pks_of):
    """A receiver that publishes a re-index of the documents of ``kind`` that ``pks_of(instance)`` names, in the
    transaction that saves ``instance``."""

    def on_saved(sender, instance, **kwargs) -> None:
        _later(kind, pks_of(instance))

    def on_m2m_changed(sender, instance, action=None, **kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            _later(kind, pks_of(instance))

    return on_saved, on_m2m_changed


def on_index_missing(sender, root=None, **kwargs) -> None:
    # Not through the queue: the index is this host's files, and a rebuild must run where they are (a queued job
    # goes to whichever host's worker takes it). This host's indexer does it; inline jobs do it here.
    try:
        if HUEY.immediate:
            tasks.rebuild_index_task()
        else:
            replica.request_rebuild(root)
    except Exception:  # noqa: BLE001 - a search must not fail because the rebuild could not start
        log.exception("could not start the rebuild of the missing search index")


def connect() -> None:
    catalog_signals.record_changed.connect(on_record_changed, dispatch_uid="matching.index.record_changed")
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
