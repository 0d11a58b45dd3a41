"""Periodic exchange job: pull every enabled peer platform every 15 minutes (``services.pull.pull_all``; a pull is
idempotent and a failing peer is reported, not retried in a loop)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techtransfer.exchange.services import pull


@db_periodic_task(crontab(minute="*/15"))
def pull_peers() -> dict:
    runs = pull.pull_all()
    return {"peers": len(runs), "failed": sum(1 for r in runs if not r.ok)}
