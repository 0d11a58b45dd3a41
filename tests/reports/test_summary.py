"""Summaries of the accepted annual reports, the filing-status board and the exports (issue 14, item 5): totals
equal a brute-force sum, only accepted reports count, breakdowns by region tier, type and mode, the year before,
the board's statuses with overdue units, the scope of each role, and texts that never leave the scope."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from techtransfer.core.errors import DomainError, Forbidden
from techtransfer.reports.services import summary as service
from techtransfer.reports.services import templates
from tests.conftest import PANLONG, QILIN, WUHUA
from tests.reports.summary_world import KUNMING, PROVINCE, brute_totals, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw(make_org, make_user):
    return build(make_org, make_user)


def _as_decimal(totals: dict) -> dict:
    return {k: Decimal(v) for k, v in totals.items()}


def test_totals_equal_a_brute_force_sum_of_the_accepted_reports(sw):
    s = service.summarize(sw.platform, 2024, PROVINCE)
    expected = brute_totals(sw.reports, 2024)
    assert _as_decimal(s.totals) == expected
    assert any(v for v in expected.values())
    # counts are int, money Decimal; an empty field counts as zero
    assert isinstance(s.totals["patents_granted"], int) and isinstance(s.totals["transfer_amount"], Decimal)
    assert s.totals["office_budget"] == Decimal("0.00")
    # the numeric fields of the template, no text
    assert set(s.totals) == {f.key for f in templates.fields(templates.template_for(2024)).values() if f.numeric}
    assert s.counts == {"obligated": 6, "filed": 4, "accepted": 3, "accepted_previous": 3}


def test_drafts_returned_and_submitted_reports_are_not_counted(sw):
    s = service.summarize(sw.platform, 2024, PROVINCE)
    returned = next(r for r in sw.reports if r.organization == sw.u_returned and r.year == 2024)
    draft = next(r for r in sw.reports if r.organization == sw.u_draft)
    assert {r.pk for r in s.reports} == {r.pk for r in sw.reports if r.year == 2024 and r.status == "accepted"}
    assert returned not in s.reports and draft not in s.reports
    # counting the returned report would change the totals: the generator gave it figures
    assert any(returned.values.get(k) not in (None, 0, "0.00") for k in s.totals)


def test_breakdown_by_the_next_region_tier(sw):
    province = service.summarize(sw.platform, 2024, PROVINCE)
    assert province.child_tier == "city"
    cities = {r["region"]: r for r in province.by_region}
    assert set(cities) == {KUNMING, "530300"}
    assert cities[KUNMING]["units"] == 2 and cities["530300"]["units"] == 1
    assert _as_decimal(cities[KUNMING]["totals"]) == brute_totals(sw.reports, 2024, region_prefix="5301")
    city = service.summarize(sw.platform, 2024, KUNMING)
    assert city.child_tier == "county"
    assert {r["region"]: r["units"] for r in city.by_region} == {WUHUA: 1, PANLONG: 1}
    assert _as_decimal(city.totals) == brute_totals(sw.reports, 2024, region_prefix="5301")
    county = service.summarize(sw.platform, 2024, QILIN)
    assert county.child_tier is None and county.by_region == [] and county.counts["accepted"] == 1


def test_breakdown_by_unit_type_and_by_mode(sw):
    s = service.summarize(sw.platform, 2024, PROVINCE)
    kinds = {r["kind"]: r for r in s.by_kind}
    assert {k: r["units"] for k, r in kinds.items()} == {"university": 2, "institute": 1}
    assert sum(r["totals"]["reward_amount"] for r in s.by_kind) == s.totals["reward_amount"]
    modes = {m["mode"]: m for m in s.by_mode}
    assert list(modes) == ["transfer", "licence", "equity", "development", "consulting", "service"]
    expected = brute_totals(sw.reports, 2024)
    for mode, m in modes.items():
        assert (m["count"], m["amount"], m["received"]) == (
            expected[f"{mode}_count"],
            expected[f"{mode}_amount"],
            expected[f"{mode}_received"],
        )


def test_year_over_year(sw):
    s = service.summarize(sw.platform, 2024, PROVINCE)
    before = brute_totals(sw.reports, 2023)
    assert _as_decimal(s.previous) == {k: v for k, v in before.items()}
    row = next(r for r in s.rows() if r["key"] == "transfer_amount")
    cur, prev = Decimal(s.totals["transfer_amount"]), before["transfer_amount"]
    assert row["previous"] == prev
    assert row["change"] == ((cur - prev) * 100 / prev).quantize(Decimal("0.1"))
    assert service.change_percent(150, 100) == Decimal("50.0")
    assert service.change_percent(5, 0) is None and service.change_percent(5, None) is None
    # 2023 has no 2022 reports: no year before
    assert service.summarize(sw.platform, 2023, PROVINCE).previous == {}


def test_board_statuses_with_overdue_units(sw):
    departments = service.board(sw.platform, 2024, PROVINCE, today=datetime.date(2025, 4, 1))
    by_name = {d["name"]: d for d in departments}
    assert set(by_name) == {"省教育厅", "昆明市科技局"}
    edu = {u["name"]: u for u in by_name["省教育厅"]["units"]}
    assert {n: u["status"] for n, u in edu.items()} == {
        "五华大学": "accepted",
        "盘龙学院": "accepted",
        "麒麟研究所": "accepted",
        "麒麟师范学院": "draft",
    }
    # the draft in Qujing is past the province's deadline (31 March)
    assert edu["麒麟师范学院"]["overdue"] and not edu["五华大学"]["overdue"]
    assert edu["盘龙学院"]["late"] and by_name["省教育厅"]["counts"]["late"] == 1
    km = {u["name"]: u for u in by_name["昆明市科技局"]["units"]}
    assert km["五华农科所"]["status"] == "returned" and km["盘龙材料所"]["status"] == "not_started"
    # Kunming's own round runs until 15 April: not overdue yet on 1 April
    assert not km["盘龙材料所"]["overdue"] and km["盘龙材料所"]["due_on"] == datetime.date(2025, 4, 15)
    assert by_name["省教育厅"]["counts"] == {
        "not_started": 0, "draft": 1, "submitted": 0, "returned": 0, "accepted": 3, "overdue": 1, "late": 1,
        "total": 4,
    }  # fmt: skip
    later = service.board(sw.platform, 2024, PROVINCE, today=datetime.date(2025, 4, 16))
    km_later = next(d for d in later if d["name"] == "昆明市科技局")
    assert km_later["counts"]["overdue"] == 1  # the unit that never started; the returned one was submitted


def test_scope_of_departments_and_region_administrators(sw):
    edu = service.summarize(sw.edu_admin, 2024)
    assert {r.organization for r in edu.reports} == {sw.u_wuhua, sw.u_panlong, sw.u_qilin}
    assert _as_decimal(edu.totals) == brute_totals(sw.reports, 2024, supervisor=sw.edu)
    km = service.summarize(sw.km_dept_admin, 2024)
    assert km.reports == [] and km.counts["obligated"] == 2 and km.counts["filed"] == 1
    assert [d["name"] for d in service.board(sw.edu_admin, 2024)] == ["省教育厅"]
    wuhua = service.summarize(sw.wuhua, 2024)
    assert wuhua.region == WUHUA and [r.organization for r in wuhua.reports] == [sw.u_wuhua]
    assert {u["name"] for d in service.board(sw.wuhua, 2024) for u in d["units"]} == {"五华大学", "五华农科所"}
    with pytest.raises(Forbidden):
        service.summarize(sw.wuhua, 2024, PANLONG)
    with pytest.raises(Forbidden):
        service.summarize(sw.kunming, 2024, PROVINCE)
    for user in (sw.unit_admin, sw.member, sw.visitor):
        with pytest.raises(Forbidden):
            service.summary_scope(user)


def test_bad_parameters_are_clear_errors(sw, client_for):
    with pytest.raises(DomainError):
        service.parse_year("20x4")
    with pytest.raises(DomainError):
        service.summarize(sw.platform, 2024, "999999")
    api = client_for(sw.platform)
    for query, field in (
        ("year=abc", "year"),
        ("year=1", "year"),
        ("region=12", "region"),
        ("region=999999", "region"),
    ):
        r = api.get(f"/api/v1/reports/summary?{query}")
        assert r.status_code == 400 and r.json()["field"] == field, (query, r.content)
    assert client_for(sw.platform).get("/reports/summary/?year=abc").status_code == 400
    assert client_for(sw.platform).get("/reports/export.csv?year=2024").status_code == 404


def test_pages_and_api_refuse_users_out_of_scope(sw, client_for):
    urls = [
        "/reports/summary/?year=2024",
        "/reports/board/?year=2024",
        "/reports/export.xlsx?year=2024",
        "/reports/export.json?year=2024",
        "/api/v1/reports/summary?year=2024",
        "/api/v1/reports/board?year=2024",
        "/api/v1/reports/export.xlsx?year=2024",
        "/api/v1/reports/export.json?year=2024",
    ]
    for user in (sw.unit_admin, sw.member, sw.visitor):
        for url in urls:
            assert client_for(user).get(url).status_code == 403, (user.username, url)
    anonymous = client_for()
    assert anonymous.get("/api/v1/reports/summary").status_code == 401
    assert anonymous.get("/reports/summary/").status_code == 302  # to sign in


def test_summary_page_and_api(sw, client_for):
    c = client_for(sw.province)
    page = c.get("/reports/summary/?year=2024")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="by-mode"' in html and "<svg" in html and 'data-region="530300"' in html
    assert 'data-testid="accepted">3<' in html
    data = c.get("/api/v1/reports/summary?year=2024").json()
    assert data["schema"] == service.SCHEMA and data["region"] == PROVINCE and data["obligated"] == 6
    assert _as_decimal(data["totals"]) == brute_totals(sw.reports, 2024)
    assert "units" not in data
    board = c.get("/api/v1/reports/board?year=2024").json()
    assert {d["name"] for d in board["departments"]} == {"省教育厅", "昆明市科技局"}
    assert sum(d["counts"]["overdue"] for d in board["departments"]) == 2  # today is long after both deadlines
    assert c.get("/reports/board/?year=2024").status_code == 200
    empty = c.get("/reports/summary/?year=2030").content.decode()
    assert 'data-testid="empty"' in empty
    # a year before the first template: nothing to sum, still an answer
    before_templates = c.get("/reports/summary/?year=2010")
    assert before_templates.status_code == 200 and 'data-testid="empty"' in before_templates.content.decode()
    assert c.get("/api/v1/reports/summary?year=2010").json()["totals"] == {}
    assert len(load_workbook(io.BytesIO(c.get("/reports/export.xlsx?year=2010").content)).sheetnames) == 1


def test_excel_has_a_sheet_per_section_with_the_totals(sw, client_for):
    r = client_for(sw.platform).get("/reports/export.xlsx?year=2024&region=530000")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    wb = load_workbook(io.BytesIO(r.content))
    template = templates.template_for(2024)
    sections = templates.sections(template)
    assert len(wb.sheetnames) == 1 + len(sections)
    expected = brute_totals(sw.reports, 2024)
    for sheet_name, section in zip(wb.sheetnames[1:], sections, strict=True):
        rows = list(wb[sheet_name].values)
        header, body = rows[0], rows[1:]
        numeric = [f for f in section.fields if f.numeric]
        if numeric:
            units = body[:-1]
            total = body[-1]
            assert len(units) == 3
            for i, f in enumerate(section.fields):
                col = 5 + i
                assert f.unit in header[col]
                assert Decimal(str(total[col])) == expected[f.key], f.key
                assert sum(Decimal(str(u[col])) for u in units) == expected[f.key]
        else:
            assert len(body) == 3 and any("SECRET-measures" in str(c) for row in body for c in row)
            # a text starting with "=" is no formula
            assert all(not str(c).startswith("=") for row in body for c in row)
    summary = {row[0]: row[1:] for row in wb[wb.sheetnames[0]].values if row and row[0]}
    assert summary[str(service.MODE_LABELS["licence"])][:3] == (
        expected["licence_count"],
        float(expected["licence_amount"]),
        float(expected["licence_received"]),
    )
    # the sheet is written in the active language (zh-Hans in the tests)
    assert summary["已受理报告"][0] == 3 and summary["须报送的单位"][0] == 6
    for f in templates.fields(template).values():
        if f.numeric:
            value, before = summary[f.label][1], summary[f.label][2]
            assert (
                Decimal(str(value)) == expected[f.key] and Decimal(str(before)) == brute_totals(sw.reports, 2023)[f.key]
            )


def test_json_export(sw, client_for):
    r = client_for(sw.kunming).get("/api/v1/reports/export.json?year=2024")
    assert r.status_code == 200
    data = json.loads(r.content)
    assert set(data) >= {"schema", "year", "region", "totals", "by_kind", "by_region", "units"}
    assert data["schema"] == "techtransfer.reports.summary/1" and data["year"] == 2024 and data["region"] == KUNMING
    assert {u["name"] for u in data["units"]} == {"五华大学", "盘龙学院"}
    assert {r["region"] for r in data["by_region"]} == {WUHUA, PANLONG}
    assert _as_decimal(data["totals"]) == brute_totals(sw.reports, 2024, region_prefix="5301")
    unit = next(u for u in data["units"] if u["name"] == "五华大学")
    assert unit["texts"]["measures"].startswith("SECRET-measures")
    assert isinstance(unit["figures"]["patents_granted"], int) and isinstance(unit["figures"]["transfer_amount"], str)
    same = client_for(sw.kunming).get("/reports/export.json?year=2024")
    assert json.loads(same.content) == data


def _everything(client, year=2024) -> str:
    parts = []
    for url in (
        f"/reports/summary/?year={year}",
        f"/reports/board/?year={year}",
        f"/reports/export.json?year={year}",
        f"/api/v1/reports/summary?year={year}",
        f"/api/v1/reports/board?year={year}",
        f"/api/v1/reports/export.json?year={year}",
    ):
        parts.append(client.get(url).content.decode())
    for url in (f"/reports/export.xlsx?year={year}", f"/api/v1/reports/export.xlsx?year={year}"):
        r = client.get(url)
        if r.status_code == 200:
            wb = load_workbook(io.BytesIO(r.content))
            parts.extend(str(c) for ws in wb for row in ws.values for c in row)
        else:
            parts.append(r.content.decode())
    return "\n".join(parts)


def test_texts_never_reach_a_user_out_of_scope(sw, client_for):
    """Confidentiality: the texts (measures, cases, problems) of a report reach only the users in its scope, only
    once accepted — never a draft's, a returned or a submitted report's — through the pages, the API or exports."""
    secret = {r.pk: r.values["measures"] for r in sw.reports}
    accepted_2024 = {r.pk for r in sw.reports if r.year == 2024 and r.status == "accepted"}
    qilin = next(r.pk for r in sw.reports if r.organization == sw.u_qilin and r.year == 2024)
    platform = _everything(client_for(sw.platform))
    for pk, text in secret.items():
        assert (text in platform) == (pk in accepted_2024), text
    kunming = _everything(client_for(sw.kunming))
    assert secret[qilin] not in kunming and "麒麟研究所" not in kunming
    km_dept = _everything(client_for(sw.km_dept_admin))
    assert not any(text in km_dept for text in secret.values())  # its only 2024 report is returned
    edu = _everything(client_for(sw.edu_admin))
    assert all((text in edu) == (pk in accepted_2024) for pk, text in secret.items())
    for user in (sw.unit_admin, sw.member, sw.visitor):
        out = _everything(client_for(user))
        assert not any(text in out for text in secret.values())
        assert "SECRET" not in out


def test_by_field_is_the_reporting_units_registered_contracts_by_technical_field(sw):
    """A report has no field of its own: the breakdown by field sums the certified contracts registered in the year
    whose seller is a unit with an accepted report, by the contracts' technical field (brute force over random
    contracts, some of units without an accepted report, some not certified, some in another year)."""
    import random

    from techtransfer.contracts.models import Status, TechContract
    from techtransfer.taxonomy.models import TechField

    rng = random.Random(21)
    fields = list(TechField.objects.all()[:4]) + [None]
    sellers = [sw.u_wuhua, sw.u_panlong, sw.u_qilin, sw.u_returned, sw.company]
    made = []
    for n in range(80):
        seller = rng.choice(sellers)
        made.append(
            TechContract.objects.create(
                name="领域合同",
                status=rng.choice([Status.CERTIFIED, Status.CERTIFIED, Status.CANCELLED, Status.SUBMITTED]),
                category_id=rng.choice(["transfer", "development", "service"]),
                tech_field=rng.choice(fields),
                contract_amount=Decimal(rng.randint(1, 5_000_000)) / 100,
                registered_on=datetime.date(rng.choice([2023, 2024, 2024, 2025]), rng.randint(1, 12), 1),
                registration_number=f"F{n:06d}",
                seller_org=seller,
                seller_region_id=seller.region_id,
            )
        )
    accepted = {sw.u_wuhua.pk, sw.u_panlong.pk, sw.u_qilin.pk}
    expected: dict = {}
    for c in made:
        if c.seller_org_id in accepted and c.status == Status.CERTIFIED and c.registered_on.year == 2024:
            n, amount = expected.get(c.tech_field_id, (0, Decimal("0.00")))
            expected[c.tech_field_id] = (n + 1, amount + c.contract_amount)
    built = service.summarize(sw.province, 2024, PROVINCE)
    assert {r["field"]: (r["contracts"], r["amount"]) for r in built.by_field} == expected
    assert [r["amount"] for r in built.by_field] == sorted((r["amount"] for r in built.by_field), reverse=True)
    exported = json.loads(service.exchange_bytes(sw.province, built))
    assert {r["field"]: r["contracts"] for r in exported["by_field"]} == {k: v[0] for k, v in expected.items()}
    # A county administrator sees only its county's units' contracts.
    wuhua = service.summarize(sw.wuhua, 2024, WUHUA)
    assert sum(r["contracts"] for r in wuhua.by_field) == sum(
        1
        for c in made
        if c.seller_org_id == sw.u_wuhua.pk and c.status == Status.CERTIFIED and c.registered_on.year == 2024
    )
    from django.test import Client

    page = Client()
    page.force_login(sw.province)
    html = page.get("/reports/summary/", {"year": 2024, "region": PROVINCE}).content.decode()
    assert 'data-testid="by-field"' in html and html.count("data-field-code=") == len(expected)
