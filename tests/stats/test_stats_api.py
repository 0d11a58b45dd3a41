"""Statistics API: tables, drill-down, export, validation and region scope."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.stats.test_stats_ledger import book  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_by_category_and_total(book, client_for):  # noqa: F811
    r = client_for(book.w.province_admin).get("/api/v1/stats/contracts?dimension=category")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"]["count"] == 4
    assert Decimal(body["total"]["contract_amount"]) == Decimal("2480000.00")
    assert Decimal(body["total"]["tech_amount"]) == Decimal("2180000.00")
    assert {row["key"] for row in body["rows"]} == {"development", "transfer", "consulting"}


def test_drill_down_and_scope(book, client_for):  # noqa: F811
    r = client_for(book.w.province_admin).get("/api/v1/stats/contracts/regions?tier=county&parent=530100")
    assert [(row["key"], row["count"]) for row in r.json()["rows"]] == [(book.wuhua, 4)]
    r = client_for(book.w.panlong_admin).get("/api/v1/stats/contracts/regions?tier=county&parent=530100")
    assert r.json()["rows"] == []


def test_export_xlsx(book, client_for):  # noqa: F811
    r = client_for(book.w.province_admin).get("/api/v1/stats/contracts?dimension=category&format=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert len(rows) == 1 + 3 + 1  # header, three categories, total
    assert rows[-1][2] == 4


def test_validation_and_anonymous(book, client_for):  # noqa: F811
    c = client_for(book.w.province_admin)
    r = c.get("/api/v1/stats/contracts?dimension=colour")
    assert r.status_code == 400 and r.json()["field"] == "dimension"
    r = c.get("/api/v1/stats/contracts/regions?parent=53")
    assert r.status_code == 400 and r.json()["field"] == "parent"
    r = c.get("/api/v1/stats/contracts?start=2026-02-01&end=2026-01-01")
    assert r.status_code == 400 and r.json()["field"] == "end"
    assert client_for().get("/api/v1/stats/contracts").status_code in (401, 403)
