from django.db import connection
from ninja import Router, Schema

import techtransfer
from techtransfer.core.apidoc import public
from techtransfer.core.services import headline_figures

router = Router(tags=["platform"])


class Health(Schema):
    status: str
    version: str
    database: str


@router.get("health", response=Health, summary="Liveness and database health")
@public
def health(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {"status": "ok", "version": techtransfer.__version__, "database": connection.vendor}


@router.get("figures", summary="Headline figures shown on the home page")
@public
def figures(request):
    return {f["key"]: f["value"] for f in headline_figures()}
