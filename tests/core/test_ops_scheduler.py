"""One periodic-task schedule across task workers on one Redis (core/scheduler.py): several schedulers contend for
each minute, exactly one enqueues its periodic tasks."""

from __future__ import annotations

import datetime
import threading

import pytest
from huey import crontab
from huey.consumer import Scheduler

from techtransfer.core.scheduler import SingleScheduleConsumer, SingleScheduler, SingleScheduleRedisHuey


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


def worker_huey(url: str) -> SingleScheduleRedisHuey:
    """One worker's view of the shared queue, with one periodic task due every minute (as each worker process
    imports the same tasks modules)."""
    huey = SingleScheduleRedisHuey("tt-sched", url=url, utc=True)

    @huey.periodic_task(crontab(minute="*"), name="every_minute")
    def every_minute():
        return None

    return huey


def scheduler(huey) -> SingleScheduler:
    consumer = huey.create_consumer(workers=1, periodic=True)
    assert isinstance(consumer, SingleScheduleConsumer)
    sched = consumer._create_scheduler()
    assert isinstance(sched, SingleScheduler)
    return sched


def test_two_schedulers_contending_enqueue_each_minute_once(redis_url):
    hosts = [worker_huey(redis_url), worker_huey(redis_url)]
    schedulers = [scheduler(h) for h in hosts]
    minute = datetime.datetime(2026, 12, 3, 19, 30)
    for step in range(3):
        now = minute + datetime.timedelta(minutes=step, seconds=5)
        barrier = threading.Barrier(len(schedulers))

        def tick(s, now=now, barrier=barrier):
            barrier.wait()
            s.enqueue_periodic_tasks(now)

        threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert hosts[0].pending_count() == step + 1, "each minute's periodic task is enqueued exactly once"
    # A second check within an already claimed minute (a restarted worker) enqueues nothing either.
    schedulers[1].enqueue_periodic_tasks(minute + datetime.timedelta(seconds=50))
    assert hosts[0].pending_count() == 3
    assert [t.name for t in hosts[1].pending()] == ["every_minute"] * 3


def test_without_the_claim_every_scheduler_enqueues(redis_url):
    """The situation the claim prevents: Huey's own scheduler on each of two workers enqueues the task twice."""
    hosts = [worker_huey(redis_url), worker_huey(redis_url)]
    now = datetime.datetime(2026, 12, 3, 19, 30, 5)
    for h in hosts:
        Scheduler(huey=h, stop_flag=None, interval=1, periodic=True).enqueue_periodic_tasks(now)
    assert hosts[0].pending_count() == 2


def test_the_settings_name_the_single_schedule_huey_with_redis(tmp_path):
    from tests.core.settings_probe import probe

    found = probe(tmp_path, {"TECHTRANSFER_REDIS_URL": "redis://127.0.0.1:1/0"}, "HUEY['huey_class']")
    assert found == "techtransfer.core.scheduler.SingleScheduleRedisHuey"
    assert probe(tmp_path, {}, "HUEY['huey_class']") == "huey.SqliteHuey"
