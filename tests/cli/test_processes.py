"""One worker per data folder, and a worker started for a parent ends when the parent is killed (issue 22)."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from techtransfer.core import processes


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TECHTRANSFER_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TECHTRANSFER_DATA_DIR"] = str(data_dir)
    return env


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_a_second_worker_on_one_data_folder_is_refused_naming_the_first(tmp_path):
    first = subprocess.Popen([sys.executable, "-m", "techtransfer", "worker", "--quiet"], env=_env(tmp_path),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: (tmp_path / "worker.lock").exists() and
                         (tmp_path / "worker.lock").read_text().strip() == str(first.pid), 60)
        second = subprocess.run([sys.executable, "-m", "techtransfer", "worker"], env=_env(tmp_path),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"a TechTransfer worker is already running on this data folder (process {first.pid}" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)
    # The first is gone: its lock went with it, although the file stays.
    fd = processes.single_instance(tmp_path, "worker")
    os.close(fd)


def test_a_stale_lock_file_does_not_block_and_a_live_one_names_its_holder(tmp_path):
    (tmp_path / "demo.lock").write_text("999999\n")  # left by a process killed long ago
    fd = processes.single_instance(tmp_path, "demo")
    try:
        assert (tmp_path / "demo.lock").read_text() == f"{os.getpid()}\n"
        holder = subprocess.run(
            [sys.executable, "-c", "from techtransfer.core import processes; import sys; "
             f"processes.single_instance({str(tmp_path)!r}, 'demo')"], capture_output=True, text=True,
        )
        assert holder.returncode != 0 and f"process {os.getpid()}" in holder.stderr
    finally:
        os.close(fd)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_worker_ends_when_its_parent_is_killed(tmp_path):
    parent_code = textwrap.dedent("""
        import os, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-m", "techtransfer", "worker", "--quiet",
                                  "--parent", str(os.getpid())])
        print(child.pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", parent_code], env=_env(tmp_path), stdout=subprocess.PIPE,
                              text=True, start_new_session=True)
    worker_pid = int(parent.stdout.readline())
    try:
        assert _wait_for(lambda: (tmp_path / "worker.lock").exists(), 60), "the worker did not start"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait_for(lambda: not _alive(worker_pid), 15), "the worker outlived its killed parent"
    finally:
        if _alive(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)
