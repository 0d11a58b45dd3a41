"""Periodic reports job: deadline reminders (30, 7 and 1 days before) and the overdue credit records, once a day
(``services.deadlines.run_daily``; idempotent, so a retried or repeated run changes nothing)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techtransfer.reports.services import deadlines


@db_periodic_task(crontab(hour="1", minute="30"))
def reports_daily() -> dict:
    """Every day at 01:30 UTC (HUEY runs on UTC): 09:30 in China, so reminders arrive in office hours; the day is
    the local one (``timezone.localdate``)."""
    return deadlines.run_daily()
