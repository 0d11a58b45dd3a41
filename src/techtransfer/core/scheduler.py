"""One periodic-task schedule for all task workers sharing a Redis queue.

Huey's consumer runs a scheduler beside its workers that enqueues the periodic tasks (``@db_periodic_task``) due in
the current minute. With several ``techtransfer worker`` processes on several hosts and one Redis queue, each would
enqueue them: the nightly jobs would run once per worker. Here the scheduler first claims the minute in Redis
(``SET key NX EX``, one atomic command): the one worker that wins enqueues that minute's periodic tasks, the others
skip it and go on running tasks. A claim per minute, rather than a lease held by one worker, needs no renewal and no
hand-over: when a worker stops, the next minute is claimed by another one at once. Delayed and retried tasks need
nothing: Redis hands each of them out once (Huey reads its schedule atomically).

``settings.HUEY["huey_class"]`` names :class:`SingleScheduleRedisHuey` when ``TECHTRANSFER_REDIS_URL`` is set; the
SQLite queue serves one host and one worker (its data-folder lock), so it needs no claim.
"""

from __future__ import annotations

import logging
import os
import socket

from huey import RedisHuey
from huey.consumer import Consumer, Scheduler

log = logging.getLogger(__name__)

CLAIM_SECONDS = 3600  # a claimed minute is remembered this long (clocks of the hosts may differ by that much)


def claim_key(huey_name: str, now) -> str:
    return f"huey.{huey_name}.periodic.{now:%Y%m%d%H%M}"


def claim_minute(huey, now) -> bool:
    """True when this process is the one that enqueues the periodic tasks of the minute ``now`` (UTC, as Huey's
    scheduler passes it)."""
    owner = f"{socket.gethostname()}:{os.getpid()}"
    return bool(huey.storage.conn.set(claim_key(huey.name, now), owner, nx=True, ex=CLAIM_SECONDS))


class SingleScheduler(Scheduler):
    def enqueue_periodic_tasks(self, now):
        now = now or self.huey._get_timestamp()
        try:
            claimed = claim_minute(self.huey, now)
        except Exception:
            self._logger.exception("Cannot claim the periodic tasks of %s in Redis; skipping them.", now)
            return
        if claimed:
            super().enqueue_periodic_tasks(now)
        else:
            self._logger.debug("Periodic tasks of %s are enqueued by another worker.", now)


class SingleScheduleConsumer(Consumer):
    scheduler_class = SingleScheduler


class SingleScheduleRedisHuey(RedisHuey):
    """Huey on Redis whose consumers enqueue each minute's periodic tasks once between them."""

    def create_consumer(self, **options):
        return SingleScheduleConsumer(self, **options)
