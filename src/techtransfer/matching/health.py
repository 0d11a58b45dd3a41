"""The search index's part of ``GET /api/v1/health`` (a ``status_checks`` plug-in on ``MatchingConfig``)."""

from __future__ import annotations

from techtransfer.core.health import Check

from .replica import index_lag_seconds

# A change is normally in the index within 2 s of its commit; past this the index is reported as lagging.
GRACE_SECONDS = 30.0


def index_lag() -> list[Check]:
    """This host's index against the change log: how long the oldest change not yet applied here has been
    waiting (``replica.index_lag_seconds``: one indexed query and one small file)."""
    waiting = index_lag_seconds()
    figures = {"lag_seconds": round(waiting, 1)}  # no host name: the endpoint is public
    if waiting > GRACE_SECONDS:
        return [Check("index", "degraded", f"the search index has not applied the changes of the last "
                      f"{int(waiting)} s (is `techtransfer worker` or `techtransfer serve` running on this host?)",
                      figures)]
    return [Check("index", "ok", "", figures)]
