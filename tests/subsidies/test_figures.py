"""Subsidy statistics by policy, region and year: counts, amounts approved, paid and clawed back, and the ratio
of subsidy to 技术交易额."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from techtransfer.subsidies.services import figures
from tests.subsidies.claim_world import build

pytestmark = pytest.mark.django_db


def by_policy(rows, level_region="530000"):
    return {r.policy: r for r in rows if r.region == level_region}


def test_figures_by_policy_region_and_year(cw):
    world = build(cw)
    year = world.a.registered_on.year
    rows = figures.subsidy_figures()
    assert {(r.policy, r.region, r.year) for r in rows} == {("yn-local", "530000", year),
                                                           ("wuhua-local", "530000", year)}
    yn, wh = by_policy(rows)["yn-local"], by_policy(rows)["wuhua-local"]
    # yn-local: the paid claim (contract a) and the approved one of 盘龙 (contract b); the candidate is not counted
    assert (yn.approved, yn.paid, yn.amount_approved, yn.amount_paid) == (2, 1, D("230000.00"), D("200000.00"))
    tech = world.a.tech_amount + world.b.tech_amount
    assert yn.tech_amount == tech and yn.ratio == (D("230000.00") / tech).quantize(D("0.0001"))
    # wuhua-local: one approved claim; the void one was paid 15,000 then clawed back
    assert (wh.approved, wh.paid, wh.amount_approved, wh.amount_paid, wh.clawed_back) == (
        1, 0, D("50000.00"), D("15000.00"), D("15000.00"))
    assert wh.tech_amount == world.a.tech_amount  # only the contracts of its approved claims
    # every contract registered with a seller in Yunnan that year
    assert yn.region_tech_amount == tech and yn.region_ratio == yn.ratio


def test_city_level_filters_and_totals(cw):
    world = build(cw)
    year = world.a.registered_on.year
    rows = figures.subsidy_figures(level="city", policy="yn-local")
    assert [(r.policy, r.region, r.region_name) for r in rows] == [("yn-local", "530100", "昆明市")]
    assert figures.subsidy_figures(year=year - 1) == []
    total = figures.summary(figures.subsidy_figures(year=year))
    assert total["amount_approved"] == D("280000.00") and total["clawed_back"] == D("15000.00")
    assert figures.years() == [year]


def test_the_statistics_page_and_api(client, cw):
    page = client.get("/subsidies/statistics/").content.decode()
    assert 'data-testid="empty"' in page
    assert client.get("/api/v1/subsidies/statistics").json()["rows"] == []
    world = build(cw)
    year = world.a.registered_on.year
    page = client.get("/subsidies/statistics/", {"year": year, "policy": "yn-local"}).content.decode()
    assert 'data-testid="figures"' in page and "230000.00" in page and "6222" not in page
    data = client.get("/api/v1/subsidies/statistics", {"year": year, "level": "city"}).json()
    assert {r["policy"]: r["amount_approved"] for r in data["rows"]} == {"yn-local": "230000.00",
                                                                         "wuhua-local": "50000.00"}
    assert data["summary"]["amount_paid"] == "215000.00"
    assert client.get("/api/v1/subsidies/statistics", {"level": "county"}).status_code == 422
    assert client.get("/subsidies/statistics/", {"year": "abc", "level": "x"}).status_code == 200
