from typing import Literal

from django.db import connection
from ninja import Router, Schema
from ninja.responses import Status as Reply

import techtransfer
from techtransfer.core import health as healthmod
from techtransfer.core.apidoc import public
from techtransfer.core.services import headline_figures

router = Router(tags=["platform"])

StatusValue = Literal["ok", "degraded", "down"]


class HealthCheck(Schema):
    status: StatusValue
    detail: str = ""
    figures: dict[str, bool | int | float | str | None] = {}


class Health(Schema):
    status: StatusValue
    version: str
    database: str
    checks: dict[str, HealthCheck]


@router.get("health", response={200: Health, 503: Health}, summary="Liveness, and what waits (degraded)",
            description="`ok`: everything works. `degraded` (still 200): pages and writes work but background "
                        "work waits — the task queue is unreachable, follow-ups are not yet queued (`outbox`), "
                        "or the search index lags behind the database (`index`). `down` (503): no database.")
@public
def health(request):
    status, checks = healthmod.runtime_status()
    body = {"status": status, "version": techtransfer.__version__, "database": connection.vendor,
            "checks": {c.name: {"status": c.status, "detail": c.detail, "figures": c.figures} for c in checks}}
    return Reply(503 if status == healthmod.DOWN else 200, body)


@router.get("figures", summary="Headline figures shown on the home page")
@public
def figures(request):
    return {f["key"]: f["value"] for f in headline_figures()}
