"""The outbox's jobs: run one handler for one event (what the relay enqueues), and prune the log nightly."""

from __future__ import annotations

import datetime
import logging

from django.db.models import Min
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import registry
from .models import Cursor, Event

log = logging.getLogger(__name__)

# Relayed events are kept this long (to read in the back office what happened), and in any case until every
# follower's cursor is past them.
KEEP_DAYS = 7


@db_task(retries=3, retry_delay=2)
def run_handler(event_id: int, topic: str, name: str, payload: dict, created_at: float):
    """Run the handler ``name`` of ``topic`` for one event (at least once; handlers are idempotent)."""
    fn = registry.get(topic, name)
    if fn is None:  # a handler that was renamed or removed since the event was relayed
        log.warning("outbox event %s (%s): no handler %s any more; skipped", event_id, topic, name)
        return None
    return fn(registry.Delivery(event_id, topic, payload, created_at))


def prune(keep_days: int = KEEP_DAYS, now: datetime.datetime | None = None) -> int:
    """Delete relayed events older than ``keep_days`` that every follower's cursor has passed. Returns how many."""
    now = now or timezone.now()
    old = Event.objects.filter(relayed_at__isnull=False, created_at__lt=now - datetime.timedelta(days=keep_days))
    slowest = Cursor.objects.aggregate(m=Min("position"))["m"]
    if slowest is not None:
        old = old.filter(id__lte=slowest)
    deleted, _ = old.delete()
    return deleted


@db_periodic_task(crontab(hour="3", minute="41"))
def prune_events() -> int:
    return prune()
