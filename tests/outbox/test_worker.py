"""`techtransfer worker` relays what the outbox holds: a follow-up committed while nothing could queue it is handed
to the queue and run by the worker (end to end, in a separate data folder)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time

from tests.cli.test_cli import run
from tests.cli.test_processes import _env, _wait_for


def test_the_worker_relays_and_runs_a_pending_follow_up(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    db = sqlite3.connect(tmp_path / "techtransfer.sqlite3")
    committed = time.time() - 60
    with db:  # as left by a change whose post-commit relay found the queue unreachable
        db.execute(
            "INSERT INTO outbox_event (topic, payload, created_at, attempts, last_error) VALUES (?, ?, ?, 1, ?)",
            ("matching.reindex", json.dumps({"kind": "organization", "pks": []}),
             time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(committed)), "ConnectionError: refused"))

    def relayed() -> bool:
        return db.execute("SELECT relayed_at FROM outbox_event").fetchone()[0] is not None

    assert not relayed()
    check = run(["check"], tmp_path)  # a minute-old backlog: degraded, a warning, not a failure
    assert check.returncode == 0, check.stderr
    assert "warning: outbox degraded: 1 follow-up(s) not yet handed to the task queue" in check.stderr
    assert "warning: index degraded" in check.stderr
    worker = subprocess.Popen([sys.executable, "-m", "techtransfer", "worker", "--quiet"], env=_env(tmp_path),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    applied = tmp_path / "index" / "applied"
    try:
        assert _wait_for(relayed, 60), "the worker's relay loop did not relay the pending event"
        # The handler ran on the worker's queue: the index notes the change as applied.
        assert _wait_for(applied.exists, 30), "the relayed job did not run"
        assert float(applied.read_text()) >= committed - 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert db.execute("SELECT last_error FROM outbox_event").fetchone()[0] == ""
