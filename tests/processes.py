"""Support for tests that start other programs: free ports, the environment of a `techtransfer` child process, and
a throw-away Redis server (the `redis_server` fixture in tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

SRC = str(Path(__file__).resolve().parents[1] / "src")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """The environment for a `python -m techtransfer …` child on its own data folder: this process's variables
    without any ``TECHTRANSFER_*`` or Django settings module (the child reads only what the test gives it), the
    checkout's ``src`` on the path, and ``variables``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TECHTRANSFER_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({"TECHTRANSFER_DATA_DIR": str(data_dir), "TECHTRANSFER_ALLOWED_HOSTS": "127.0.0.1,localhost",
                **variables})
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


class RedisServer:
    """``redis-server`` on a free port, without persistence: ``stop()`` kills it (SIGKILL), ``start()`` brings it
    back on the same port, empty."""

    def __init__(self, tmp_path):
        self.port = free_port()
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
