"""The platform's own processes: one demo and one task worker per data folder, and children that do not outlive
their parent.

- ``single_instance(data_dir, name)`` holds an exclusive ``flock`` on ``<data dir>/<name>.lock`` for the life of
  the process and writes its process id there. The operating system drops the lock when the process ends in any
  way (SIGKILL and crashes included), so a stale file never blocks a new start; a live holder is named in the
  refusal.
- ``watch_parent(pid)`` makes a child end itself when its parent is gone: the Linux parent-death signal
  (``prctl(PR_SET_PDEATHSIG, SIGTERM)``) where available, and on every system a thread that checks the parent
  process id every second, sends the process SIGTERM and, if that does not end it, exits it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import signal
import sys
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
CHECK_SECONDS = 1.0
GRACE_SECONDS = 10.0


class AlreadyRunning(Exception):
    """Another live process holds the lock of this data folder."""

    def __init__(self, name: str, pid: int | None, path: Path):
        self.name, self.pid, self.path = name, pid, path
        who = f"process {pid}" if pid else "another process"
        super().__init__(
            f"a TechTransfer {name} is already running on this data folder ({who}, lock {path}); "
            f"stop it first, or use another TECHTRANSFER_DATA_DIR"
        )


def single_instance(data_dir, name: str) -> int:
    """Take the lock ``<data_dir>/<name>.lock`` for the rest of this process's life, or raise ``AlreadyRunning``.

    Returns the lock's file descriptor (closing it releases the lock). It is not inherited by programs this
    process starts (Python's descriptors are non-inheritable), so a child does not keep its parent's lock.
    """
    path = Path(data_dir) / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip()
        os.close(fd)
        raise AlreadyRunning(name, int(holder) if holder.isdigit() else None, path) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def watch_parent(parent_pid: int) -> None:
    """End this process (SIGTERM, then exit after a grace period) once ``parent_pid`` is no longer its parent."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        _end()
        return
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(CHECK_SECONDS)
    _end()


def _end() -> None:
    print(f"techtransfer: parent process gone; stopping (pid {os.getpid()})", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os._exit(1)
