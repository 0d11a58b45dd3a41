"""Dashboard pages: figures, drill-down, charts beside tables, Excel export of every table, scope limits."""

import io

import pytest
from openpyxl import load_workbook

from techtransfer.stats import services as stats
from techtransfer.stats import tables
from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.stats.test_stats_summary import history  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_dashboard_shows_every_table_with_chart_and_export(history, client_for):  # noqa: F811
    r = client_for(history.w.province_admin).get("/stats/", {"year": "2025"})
    assert r.status_code == 200
    html = r.content.decode()
    for name in tables.TABLE_NAMES:
        assert f'data-testid="table-{name}"' in html
        assert f'data-testid="export-{name}"' in html
    assert html.count("<svg") >= 8
    assert "<script" not in html.split("<main>")[1]  # charts need no script
    assert 'data-testid="drill-530100"' in html and 'data-testid="drill-530300"' in html
    # Kunming: counties of the city; the 昆明市 figures only.
    r = client_for(history.w.province_admin).get("/stats/", {"year": "2025", "region": "530100"})
    page = r.content.decode()
    assert "五华区" in page and "麒麟区" not in page
    assert r.context["output"].count == stats.totals(None, region="530100").count == 2


def test_every_table_exports_to_excel_equal_to_the_page(history, client_for):  # noqa: F811
    client = client_for(history.w.province_admin)
    for name in (*tables.TABLE_NAMES, "targets"):
        r = client.get("/stats/export/", {"table": name, "year": "2025", "region": "530000", "format": "xlsx"})
        assert r.status_code == 200, name
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = list(ws.iter_rows(values_only=True))
        if name != "targets":
            table = tables.build(history.w.province_admin, name, *_year(2025), "530000")
            assert len(rows) == len(table.rows) + 1
    r = client.get("/stats/export/", {"table": "category", "format": "csv", "year": "2025"})
    assert r.status_code == 200 and "技术开发" in _body(r)
    assert client.get("/stats/export/", {"table": "nope"}).status_code == 404
    assert client.get("/stats/export/", {"table": "category", "format": "pdf"}).status_code == 400


def _body(r) -> str:
    raw = b"".join(r.streaming_content) if r.streaming else r.content
    return raw.decode("utf-8-sig")


def _year(y):
    import datetime

    return datetime.date(y, 1, 1), datetime.date(y, 12, 31)


def test_region_administrators_see_only_their_scope(history, client_for):  # noqa: F811
    kunming = client_for(history.w.kunming_admin)
    r = kunming.get("/stats/", {"year": "2025"})
    assert r.context["p"].region == "530100"
    r = kunming.get("/stats/", {"year": "2025", "region": "530300"})
    assert r.context["p"].region == "530100" and r.context["output"].count == 2
    x = kunming.get("/stats/export/", {"table": "category", "year": "2025", "region": "530000", "format": "csv"})
    text = _body(x)
    assert "技术咨询" not in text  # the consulting contract was sold in 曲靖市
    panlong = client_for(history.w.panlong_admin).get("/stats/", {"year": "2025"})
    assert panlong.context["output"].count == 0
    # API: same scope.
    body = client_for(history.w.kunming_admin).get("/api/v1/stats/contracts", {"dimension": "category"}).json()
    assert body["total"]["count"] == stats.totals(history.w.kunming_admin).count == 2
    assert client_for().get("/stats/").status_code == 302
    assert client_for().get("/api/v1/stats/contracts").status_code in (401, 403)


def test_bad_parameters_are_reported_not_crashing(history, client_for):  # noqa: F811
    client = client_for(history.w.province_admin)
    for params in (
        {"year": "abc"},
        {"region": "12"},
        {"region": "999999"},
        {"start": "2025-05-01", "end": "2025-01-01"},
    ):
        assert client.get("/stats/", params).status_code == 200
    for params in (
        {"dimension": "colour"},
        {"start": "x"},
        {"start": "2025-05-01", "end": "2025-01-01"},
        {"format": "doc"},
    ):
        r = client.get("/api/v1/stats/contracts", params)
        assert 400 <= r.status_code < 500 and "code" in r.json()


def test_dashboard_and_contract_page_in_both_languages(history, client_for):  # noqa: F811
    client = client_for(history.w.province_admin)
    zh = client.get("/stats/", {"year": "2025"}).content.decode()
    assert "技术市场统计" in zh and "按合同类别" in zh and "昆明市" in zh
    client.cookies["techtransfer_language"] = "en"
    en = client.get("/stats/", {"year": "2025"}).content.decode()
    assert "Technology-market statistics" in en and "By contract category" in en and "Kunming" in en
    detail = client.get(f"/contracts/{history.made[0].pk}/").content.decode()
    assert "Registration certificate" in detail and "Amount split" in detail


def test_month_periods_on_the_page(history, client_for):  # noqa: F811
    import datetime

    r = client_for(history.w.province_admin).get("/stats/", {"start": "2025-01", "end": "2025-02"})
    p = r.context["p"]
    assert (p.start, p.end) == (datetime.date(2025, 1, 1), datetime.date(2025, 2, 28))
    assert r.context["output"].count == stats.totals(None, p.start, p.end).count == 3
