"""The outbox's part of ``GET /api/v1/health`` (a ``status_checks`` plug-in declared on ``OutboxConfig``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from techtransfer.core.health import Check

from . import services
from .models import Cursor

# Events normally leave the outbox within a second of their commit; older pending ones mean the queue or the
# worker's relay loop is not doing its work.
GRACE_SECONDS = 30.0
# A follower (a host's search index) that has not been seen for this long is probably gone for good; its cursor
# keeps the log from being pruned until an operator removes it (`techtransfer index forget HOST`).
STALE_DAYS = 3


def backlog() -> list[Check]:
    b = services.backlog()
    figures = {"pending": b["pending"], "oldest_pending_seconds": (
        round(b["oldest_seconds"], 1) if b["oldest_seconds"] is not None else None)}
    if b["pending"] and b["oldest_seconds"] is not None and b["oldest_seconds"] > GRACE_SECONDS:
        detail = f"{b['pending']} follow-up(s) not yet handed to the task queue"
        if b["last_error"]:  # its kind only: the endpoint is public, the full text (addresses) is in the back office
            detail += f" (last error: {b['last_error'].split(':', 1)[0]})"
        return [Check("outbox", "degraded", detail, figures)]
    return [Check("outbox", "ok", "", figures)]


def followers(now: datetime.datetime | None = None) -> list[Check]:
    """Followers of the change log whose heartbeat is older than ``STALE_DAYS``: each holds every event after its
    position in the database until its cursor is deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=STALE_DAYS)
    stale = Cursor.objects.filter(heartbeat__lt=cutoff).count()
    figures = {"followers": Cursor.objects.count(), "stale": stale}
    if stale:  # no names: the endpoint is public; `techtransfer index hosts` lists them
        return [Check("followers", "degraded", f"{stale} follower(s) of the change log not seen for over "
                      f"{STALE_DAYS} days hold back its pruning (list them with `techtransfer index hosts`, remove "
                      "a host that is gone with `techtransfer index forget HOST`)", figures)]
    return [Check("followers", "ok", "", figures)]
