"""How catalog tells the apps above it that achievements or demands changed (catalog imports nobody above it).

Two channels, for two needs:

- the outbox topic ``catalog.record_changed`` (``outbox.services.publish``), written in the same transaction as
  the change, payload ``{"model": "catalog.achievement", "pks": [...], "status": "published"}``: the durable one.
  Its handlers (the search index, saved-search notifications) run on the task queue at least once, even if the
  queue was unreachable at the time of the change (docs/architecture.md, "How a lower app tells a higher one").
- the signals below, sent in this process after the commit: for work that must happen at once and may be lost
  (the lexical index update that makes a published record searchable within 2 s).

``record_changed`` receives ``sender`` = the model class, ``pk`` and ``status`` (the status after the change).
"""

from django.db import transaction
from django.dispatch import Signal

from techtransfer.outbox import services as outbox

TOPIC = "catalog.record_changed"

record_changed = Signal()

# Sent after a bulk import commits: ``sender`` = the model class, ``pks`` = a list of ids (at most 5,000 per
# signal; a large import sends several), ``status`` = their status.
records_bulk_changed = Signal()


def announce(record) -> None:
    """Publish the change of ``record`` in the surrounding transaction; send ``record_changed`` once it commits."""
    model, pk, status = type(record), record.pk, record.status
    outbox.publish(TOPIC, {"model": model._meta.label_lower, "pks": [pk], "status": status})
    transaction.on_commit(lambda: record_changed.send(sender=model, pk=pk, status=status))


def announce_bulk(model, pks: list[int], status: str) -> None:
    """Publish a chunk of imported records in the surrounding transaction; send ``records_bulk_changed`` after."""
    outbox.publish(TOPIC, {"model": model._meta.label_lower, "pks": list(pks), "status": status})
    transaction.on_commit(lambda: records_bulk_changed.send(sender=model, pks=pks, status=status))
