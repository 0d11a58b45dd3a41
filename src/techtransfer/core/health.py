"""Health checks behind `techtransfer check`, `techtransfer serve` and ``GET /api/v1/health``.

``run_checks`` lists configuration problems that must stop the server (a refused `techtransfer serve`).
``runtime_status`` answers how the running service is doing: the database (down: the service is down), then
conditions under which pages and writes keep working but background work waits (the task queue unreachable, a
backlog of follow-ups, a search index behind the database): "degraded". Apps add theirs as ``status_checks``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from techtransfer.core import plugins
from techtransfer.core.tasks import queue_status

OK, DEGRADED, DOWN = "ok", "degraded", "down"
_RANK = {OK: 0, DEGRADED: 1, DOWN: 2}


def run_checks(deploy: bool = False) -> list[str]:
    """Configuration (Django's system checks, ``--deploy`` adds the production ones), the data folder, the
    database and its migrations, then the apps' own ``health_checks`` (which may read the database), then Redis.
    Returns the problems, one line each; empty when everything is healthy."""
    problems: list[str] = []
    for msg in checks.run_checks(include_deployment_checks=deploy):
        if msg.is_silenced():  # SILENCED_SYSTEM_CHECKS, each with its reason in settings (as `manage.py check`)
            continue
        if msg.level >= checks.ERROR or (deploy and msg.level >= checks.WARNING):
            problems.append(f"{msg.id}: {msg.msg}")
    if not os.access(settings.DATA_DIR, os.W_OK):
        problems.append(f"data folder {settings.DATA_DIR} is not writable (TECHTRANSFER_DATA_DIR)")
    try:
        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any driver error means the database is unusable
        problems.append(f"cannot connect to the database ({settings.DATABASES['default']['ENGINE']}): {exc}")
        return problems
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        problems.append(f"{len(pending)} database migrations are not applied: run `techtransfer migrate`")
    else:
        for check in plugins.health_checks():
            problems.extend(check())
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"cannot reach Redis at TECHTRANSFER_REDIS_URL: {exc}")
    return problems


@dataclass
class Check:
    """One line of ``GET /api/v1/health``: ``status`` is ``ok``, ``degraded`` or ``down``; ``figures`` are the
    measurements behind it (counts, seconds)."""

    name: str
    status: str
    detail: str = ""
    figures: dict = field(default_factory=dict)


def _database() -> Check:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any driver error means the database is unusable
        return Check("database", DOWN, f"cannot reach the database: {type(exc).__name__}")
    return Check("database", OK, "", {"vendor": connection.vendor})


def _queue() -> Check:
    """The task queue (Redis, or the SQLite queue file): reachable, and how many jobs wait in it."""
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
        except Exception as exc:  # noqa: BLE001 - any client error: the queue is unreachable
            return Check("queue", DEGRADED, f"cannot reach Redis (TECHTRANSFER_REDIS_URL): {type(exc).__name__}",
                         {"reachable": False})
    try:
        status = queue_status()
    except Exception as exc:  # noqa: BLE001
        return Check("queue", DEGRADED, f"cannot read the task queue: {type(exc).__name__}", {"reachable": False})
    # The number of waiting jobs alone says nothing (an import queues thousands, worked off in seconds); a worker
    # that does not keep up shows as the search index's lag.
    return Check("queue", OK, "", {"reachable": True, "backend": status["backend"], "pending": status["pending"]})


def runtime_status() -> tuple[str, list[Check]]:
    """The overall status (the worst of the checks) and the checks: the database, the queue, then the apps'
    ``status_checks`` (skipped while the database is down: they read it)."""
    found = [_database()]
    if found[0].status != DOWN:
        found.append(_queue())
        for check in plugins.status_checks():
            try:
                found.extend(check())
            except Exception as exc:  # noqa: BLE001 - a failing check reports itself, not a 500
                found.append(Check(getattr(check, "__module__", "check"), DEGRADED,
                                   f"the check failed: {type(exc).__name__}"))
    worst = max((c.status for c in found), key=_RANK.__getitem__)
    return worst, found
