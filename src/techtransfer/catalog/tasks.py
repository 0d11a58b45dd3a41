"""Periodic catalog job: dual-use information (军民两用) — due declassifications applied, lapsed grants notified
(``dualuse.run_daily``; idempotent). Access itself ends at read time whether or not this runs."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techtransfer.catalog import dualuse


@db_periodic_task(crontab(hour="16", minute="5"))
def catalog_dual_use_daily() -> dict:
    """Every day at 16:05 UTC (HUEY runs on UTC): 00:05 in China, so a declassification takes effect as its day
    begins; the day is the local one (``timezone.localdate``)."""
    return dualuse.run_daily()
