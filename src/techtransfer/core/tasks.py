"""Background tasks: how domain apps declare them.

Apps put their tasks in ``<app>/tasks.py`` with Huey's Django decorators, so the worker discovers them::

    from huey.contrib.djhuey import db_periodic_task, db_task
    from huey import crontab

    @db_task()
    def reindex(kind: str, pk: int) -> None: ...

    @db_periodic_task(crontab(minute="*"))
    def close_due_auctions() -> None: ...

A task must be safe to run twice (the queue delivers at least once) and must re-check state inside its
own transaction. In tests (and with ``TECHTRANSFER_TASKS=immediate``) tasks run inline.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task


def queue_status() -> dict:
    """Pending task count and backend, for health checks and the back office."""
    return {"backend": type(HUEY.storage).__name__, "pending": HUEY.pending_count(), "immediate": HUEY.immediate}


@db_periodic_task(crontab(hour="3", minute="17"))
def clear_expired_sessions() -> int:
    """Nightly: drop expired sign-in sessions (Django keeps them until told otherwise)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
