"""Health checks behind `techtransfer check` and `techtransfer serve`."""

from __future__ import annotations

import os


def run_checks(deploy: bool = False) -> list[str]:
    from django.conf import settings
    from django.core import checks
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    problems: list[str] = []
    for msg in checks.run_checks(include_deployment_checks=deploy):
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
        from techtransfer.regions.models import Region

        if not Region.objects.filter(code=settings.PROVINCE_CODE, tier="province").exists():
            problems.append(
                f"TECHTRANSFER_PROVINCE={settings.PROVINCE_CODE} is not a province in the region table"
            )
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"cannot reach Redis at TECHTRANSFER_REDIS_URL: {exc}")
    return problems
