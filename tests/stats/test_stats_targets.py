"""Plan targets: seeded from domain.md §4, editable rows, progress against the ledger."""

from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.stats import services as stats
from techtransfer.stats.models import Target
from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.stats.test_stats_ledger import book  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_seeded_targets():
    assert Target.objects.count() == 15
    yn = Target.objects.get(region_code="530000", indicator="turnover", year_to=2025)
    assert yn.value == Decimal("20000000000.00")
    cq = Target.objects.get(region_code="500000", indicator="turnover")
    assert (cq.year_from, cq.year_to, cq.cumulative) == (2018, 2020, True)


def test_progress_against_ledger(book, client_for):  # noqa: F811
    year = timezone.localdate().year
    Target.objects.create(region_code="530000", indicator="turnover", year_from=year, year_to=year, value=4960000)
    Target.objects.create(region_code="530300", indicator="contracts", year_from=year, year_to=year, value=10)
    body = client_for(book.w.province_admin).get("/api/v1/stats/targets?region=530000").json()
    mine = [t for t in body if t["year_to"] == year]
    assert len(mine) == 1 and Decimal(mine[0]["actual"]) == Decimal("2480000.00")
    assert Decimal(mine[0]["share"]) == Decimal("0.5")
    qj = client_for(book.w.province_admin).get("/api/v1/stats/targets?region=530300").json()
    assert Decimal(qj[0]["actual"]) == 0  # no seller in 曲靖市
    old = [t for t in body if t["year_to"] == 2020 and t["indicator"] == "turnover"]
    assert Decimal(old[0]["actual"]) == 0


def test_seeded_targets_name_measure_and_direction():
    """Issue 12 item 10: existing targets keep the indicator's measure on the output side; Guangxi 2020 (广西 plan:
    annual output and absorption technology transaction amount ≥ ¥10 bn) counts 技术交易额 on both sides."""
    gx = Target.objects.get(region_code="450000", indicator="turnover", year_to=2020)
    assert (gx.measure, gx.direction) == ("tech_amount", "both")
    cq = Target.objects.get(region_code="500000", indicator="turnover")
    assert (cq.measure, cq.direction) == ("contract_amount", "output")
    assert set(Target.objects.filter(indicator="contracts").values_list("measure", flat=True)) == {"count"}
    assert set(Target.objects.filter(indicator="demo_institutions").values_list("measure", flat=True)) == {""}


def test_output_absorption_and_both(book):  # noqa: F811
    """Output counts sellers in the region, absorption buyers in it, both is output + absorption: a contract whose
    seller (五华区) and buyer (盘龙区) are both in 昆明市 counts once on each side (Guangxi plan's "output and
    absorption" 技术交易额)."""
    year = timezone.localdate().year
    tech = Decimal("2180000.00")  # the book's 技术交易额: 1,000,000 + 500,000 + 600,000 + 80,000

    def actual(region, direction, measure="tech_amount", indicator="turnover"):
        t = Target.objects.create(region_code=region, indicator=indicator, measure=measure, direction=direction,
                                  year_from=year, year_to=year, value=1)
        return stats.target_progress([t])[0].actual

    assert actual("530100", "output") == tech
    assert actual("530100", "absorption") == tech
    assert actual("530100", "both") == 2 * tech
    assert actual("530102", "both") == tech  # 五华区: sellers only
    assert actual("530103", "absorption") == tech and actual("530103", "output") == 0  # 盘龙区: buyers only
    assert actual("530100", "both", "contract_amount") == 2 * Decimal("2480000.00")
    assert actual("530103", "absorption", "count", "contracts") == 4
    assert actual("530100", "both", "count", "contracts") == 8


def test_measure_must_fit_the_indicator():
    """A count target cannot sum amounts, and entered indicators have no ledger measure."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Target(region_code="530000", indicator="contracts", measure="tech_amount", year_from=2025, year_to=2025,
               value=1).full_clean()
    with pytest.raises(ValidationError):
        Target(region_code="530000", indicator="demo_zones", measure="count", year_from=2025, year_to=2025,
               value=1).full_clean()
    t = Target.objects.create(region_code="530000", indicator="tech_amount", year_from=2025, year_to=2025, value=1)
    assert t.measure == "tech_amount" and t.direction == "output"


def test_targets_api_names_measure_and_direction(client_for, world):
    body = client_for(world.province_admin).get("/api/v1/stats/targets?region=450000").json()
    gx = next(t for t in body if t["indicator"] == "turnover" and t["year_to"] == 2020)
    assert gx["measure"] == "tech_amount" and gx["direction"] == "both" and gx["direction_label"]
