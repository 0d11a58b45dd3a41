"""Outbox fixtures: the task queue pointed at a throw-away Redis server (``redis_server``, tests/conftest.py) the
test can kill and restart."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_index(isolated_index):
    """A search index folder per test (the saved-search handler indexes before it notifies)."""
    return isolated_index


@pytest.fixture(autouse=True)
def fast_path_not_paused(monkeypatch):
    from techtransfer.outbox import services

    monkeypatch.setattr(services, "_fast_path_paused_until", 0.0)


@pytest.fixture
def redis_queue(redis_server, monkeypatch, settings):
    """The task queue on ``redis_server`` (not inline), as in production with TECHTRANSFER_REDIS_URL set."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    settings.REDIS_URL = redis_server.url
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "storage", RedisStorage(
        "techtransfer-test", url=f"{redis_server.url}?socket_connect_timeout=1&socket_timeout=5"))
    return HUEY


def run_queued(huey) -> int:
    """Run every job waiting in the queue, as `techtransfer worker` would. Returns how many ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran
