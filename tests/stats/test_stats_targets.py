"""Plan targets: seeded from domain.md §4, editable rows, progress against the ledger."""

from decimal import Decimal

import pytest
from django.utils import timezone

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
