"""Smoke test of `techtransfer demo` as a user runs it: fresh data folder, server answers, accounts printed."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from techtransfer.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (local test server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.fixture
def demo_server(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TECHTRANSFER_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TECHTRANSFER_DATA_DIR"] = str(tmp_path / "data")
    log = (tmp_path / "demo.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "techtransfer", "demo", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"techtransfer demo exited with {proc.returncode}:\n{(tmp_path / 'demo.log').read_text()}")
            try:
                if get(base + "/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"home page did not answer within 120 s:\n{(tmp_path / 'demo.log').read_text()}")
            time.sleep(1)
        yield base, tmp_path / "demo.log"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server, its workers and the task worker it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_demo_command_serves_the_demo_province(demo_server):
    base, log = demo_server
    output = log.read_text()
    assert "Demo data loaded." in output
    assert DEMO_PASSWORD in output
    for username, label, _scope in DEMO_ACCOUNTS:
        assert username in output and label in output

    status, html = get(base + "/organizations/")
    assert status == 200
    assert len(set(re.findall(r'href="/organizations/(\d+)/"', html))) >= 10

    status, body = get(base + "/api/v1/health")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"
