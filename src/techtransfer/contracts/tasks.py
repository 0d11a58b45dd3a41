"""Periodic contracts job: filings returned for correction and not corrected by their date lapse (see
``services.lapse_overdue``, which the tests call with an explicit day; reading a filing makes the same check)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techtransfer.contracts import services


@db_periodic_task(crontab(minute="7"))
def lapse_uncorrected_filings() -> int:
    """Hourly; idempotent (each filing re-checks its state under a row lock)."""
    return services.lapse_overdue()
