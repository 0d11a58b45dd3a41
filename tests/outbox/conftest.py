"""Outbox fixtures: a throw-away Redis server the test can kill and restart, and the task queue pointed at it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis


@pytest.fixture(autouse=True)
def _own_index(isolated_index):
    """A search index folder per test (the saved-search handler indexes before it notifies)."""
    return isolated_index


@pytest.fixture(autouse=True)
def fast_path_not_paused(monkeypatch):
    from techtransfer.outbox import services

    monkeypatch.setattr(services, "_fast_path_paused_until", 0.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """``redis-server`` on a free port, without persistence: ``stop()`` kills it (SIGKILL), ``start()`` brings it
    back on the same port, empty."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.proc = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - a fixed local program
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


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
