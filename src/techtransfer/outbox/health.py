"""The outbox's part of ``GET /api/v1/health`` (a ``status_checks`` plug-in declared on ``OutboxConfig``)."""

from __future__ import annotations

from techtransfer.core.health import Check

from . import services

# Events normally leave the outbox within a second of their commit; older pending ones mean the queue or the
# worker's relay loop is not doing its work.
GRACE_SECONDS = 30.0


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
