"""The search index's part of ``GET /api/v1/health`` (a ``status_checks`` plug-in on ``MatchingConfig``)."""

from __future__ import annotations

import time

from techtransfer.core.health import Check
from techtransfer.outbox import services as outbox

from . import store
from .receivers import INDEX_TOPICS

# A change is normally in the index within 2 s of its commit; past this the index is reported as lagging.
GRACE_SECONDS = 30.0


def index_lag() -> list[Check]:
    """The newest committed change of an indexed record against the newest this host's index has applied
    (one indexed query and one small file)."""
    newest = outbox.newest(INDEX_TOPICS)
    if newest is None:
        return [Check("index", "ok", "", {"lag_seconds": 0})]
    committed = newest.created_at.timestamp()
    waiting = time.time() - committed if committed > store.applied() else 0.0
    figures = {"lag_seconds": round(waiting, 1)}
    if waiting > GRACE_SECONDS:
        return [Check("index", "degraded", f"the search index has not applied the changes of the last "
                      f"{int(waiting)} s (is `techtransfer worker` running?)", figures)]
    return [Check("index", "ok", "", figures)]
