"""Health checks behind `techtransfer check` and `techtransfer serve`."""

from __future__ import annotations

import os

import redis
from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from techtransfer.core import plugins


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
