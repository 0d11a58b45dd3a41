"""Smoke test of `techtransfer demo` as a user runs it: fresh data folder, server answers, accounts printed."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from techtransfer.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.processes import free_port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (local test server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """One demo for the tests of this module, in their order: the last one kills it."""
    tmp_path = tmp_path_factory.mktemp("demo")
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
        yield base, tmp_path / "demo.log", proc, env
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the server, its workers and the task worker it started
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_demo_command_serves_the_demo_province(demo_server):
    base, log, _proc, _env = demo_server
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


def _processes_of(data_dir: str) -> list[int]:
    """Live processes whose environment names this data folder (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environ = open(f"/proc/{entry}/environ", "rb").read().split(b"\0")
            state = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"TECHTRANSFER_DATA_DIR={data_dir}".encode() in environ and state != "Z":
            found.append(int(entry))
    return found


def test_a_second_demo_on_the_same_data_folder_is_refused(demo_server):
    _base, _log, proc, env = demo_server
    second = subprocess.run([sys.executable, "-m", "techtransfer", "demo", "--port", str(free_port())],
                            env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 2
    assert f"a TechTransfer demo is already running on this data folder (process {proc.pid}" in second.stderr
    worker = subprocess.run([sys.executable, "-m", "techtransfer", "worker"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert worker.returncode == 2 and "a TechTransfer worker is already running" in worker.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_demo_leaves_no_process_of_its_data_folder(demo_server):
    _base, _log, proc, env = demo_server
    data_dir = env["TECHTRANSFER_DATA_DIR"]
    assert len(_processes_of(data_dir)) >= 3  # the demo, its web workers and its task worker
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _processes_of(data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_of(data_dir) == []
