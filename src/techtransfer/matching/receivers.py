"""Signal receivers: every committed change of a searchable record is queued for indexing.

Achievements and demands announce their changes through ``catalog.signals.record_changed`` (one record) and
``records_bulk_changed`` (an import: ``pks`` list); people, profiles, organizations and demand refinements are
followed through Django's model signals, after their transaction commits.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

log = logging.getLogger(__name__)

RECORD_KINDS = {"catalog.achievement": "achievement", "catalog.demand": "demand"}


def _kind(sender) -> str | None:
    return RECORD_KINDS.get(getattr(getattr(sender, "_meta", None), "label_lower", ""))


def _enqueue(task, *args) -> None:
    try:
        task(*args)
    except Exception:  # noqa: BLE001 - a failed index update must never undo or fail the user's change
        log.exception("could not queue search index update %s%r", getattr(task, "name", task), args)


def on_record_changed(sender, pk=None, status=None, **kwargs) -> None:
    from .tasks import record_changed_task

    kind = _kind(sender)
    if kind and pk is not None:
        _index_now(kind, int(pk))
        _enqueue(record_changed_task, kind, [int(pk)], status)


def _index_now(kind: str, pk: int) -> None:
    """The lexical update of one record, right away in this process (a few milliseconds), so that a published
    record is searchable within 2 seconds whatever the queue's polling delay; the queued job repeats it
    (idempotent) and adds vectors, the owner's document and notifications. Skipped when jobs run inline."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return
    from . import indexing

    try:
        indexing.update_records(kind, [pk], semantic=False)
    except Exception:  # noqa: BLE001 - the queued job retries; the user's change stands
        log.exception("immediate index update of %s %s failed; the queued job will retry", kind, pk)


def on_records_bulk_changed(sender, pks=None, status=None, **kwargs) -> None:
    from .tasks import record_changed_task

    kind = _kind(sender)
    if kind and pks:
        _enqueue(record_changed_task, kind, [int(p) for p in pks], status)


def _later(kind: str, pks) -> None:
    from .tasks import index_records_task

    pks = [int(p) for p in pks if p is not None]
    if pks:
        transaction.on_commit(lambda: _enqueue(index_records_task, kind, pks))


def on_model_saved(sender, instance, **kwargs) -> None:
    label = sender._meta.label_lower
    if label == "orgs.organization":
        _later("organization", [instance.pk])
    elif label == "people.person":
        _later("expert", [getattr(getattr(instance, "expert", None), "pk", None)] if _has(instance, "expert") else [])
        _later("broker", [getattr(getattr(instance, "broker", None), "pk", None)] if _has(instance, "broker") else [])
    elif label == "people.expertprofile":
        _later("expert", [instance.pk])
    elif label == "people.brokerprofile":
        _later("broker", [instance.pk])
    elif label == "catalog.demandrefinement":
        _later("demand", [instance.demand_id])


def _has(person, attr: str) -> bool:
    try:
        return getattr(person, attr) is not None
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return False


def on_person_fields_changed(sender, instance, action=None, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        on_model_saved(type(instance), instance)


def connect() -> None:
    from techtransfer.catalog import signals
    from techtransfer.catalog.models import DemandRefinement
    from techtransfer.orgs.models import Organization
    from techtransfer.people.models import BrokerProfile, ExpertProfile, Person

    signals.record_changed.connect(on_record_changed, dispatch_uid="matching.index.record_changed")
    bulk = getattr(signals, "records_bulk_changed", None)
    if bulk is not None:
        bulk.connect(on_records_bulk_changed, dispatch_uid="matching.index.records_bulk_changed")
    for model in (Organization, Person, ExpertProfile, BrokerProfile, DemandRefinement):
        post_save.connect(on_model_saved, sender=model, dispatch_uid=f"matching.index.save.{model._meta.label}")
        post_delete.connect(on_model_saved, sender=model, dispatch_uid=f"matching.index.delete.{model._meta.label}")
    m2m_changed.connect(on_person_fields_changed, sender=Person.fields.through,
                        dispatch_uid="matching.index.person_fields")
