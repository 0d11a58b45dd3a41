"""Signals other apps listen to (catalog imports nobody above it; listeners import catalog).

``record_changed`` is sent after the database transaction that changed an achievement or demand commits:
a status transition, an edit, or a bulk import. Listeners (the search index, subscriptions) receive
``sender`` = the model class, ``pk`` and ``status`` (the status after the change).
"""

from django.db import transaction
from django.dispatch import Signal

record_changed = Signal()


def announce(record) -> None:
    """Send ``record_changed`` for ``record`` once the surrounding transaction commits."""
    model, pk, status = type(record), record.pk, record.status
    transaction.on_commit(lambda: record_changed.send(sender=model, pk=pk, status=status))

# Sent after a bulk import commits: ``sender`` = the model class, ``pks`` = a list of ids (at most 5,000 per
# signal; a large import sends several), ``status`` = their status. Listeners re-index those records.
records_bulk_changed = Signal()
