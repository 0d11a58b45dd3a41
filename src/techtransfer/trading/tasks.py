"""Periodic trading job: close ended listing periods, auctions and clean notice periods (see
``services.close_due``, which the tests call with an explicit time)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techtransfer.trading import services


@db_periodic_task(crontab(minute="*"))
def close_due_trading() -> dict:
    """Every minute; idempotent (each lot re-checks its state under a row lock)."""
    return services.close_due()
