"""stats: the demonstration-institution targets count the organizations holding a demonstration level in the region
(``stats.services.demonstration_actual``), no longer the figure entered."""

from decimal import Decimal

import pytest

from techtransfer.orgs.models import DemoLevel, OrgKind
from techtransfer.stats import services as stats
from techtransfer.stats.models import Target
from tests.conftest import KUNMING, QILIN, WUHUA

pytestmark = pytest.mark.django_db


def test_progress_counts_organizations_with_a_level_in_the_region(make_org):
    make_org(region=WUHUA, kind=OrgKind.TT_SERVICE, demo_level=DemoLevel.NATIONAL, demo_year=2019)
    make_org(region=WUHUA, kind=OrgKind.UNIVERSITY, demo_level=DemoLevel.MUNICIPAL, demo_year=2024)
    make_org(region=QILIN, kind=OrgKind.TT_SERVICE, demo_level=DemoLevel.PROVINCIAL, demo_year=2019)
    make_org(region=WUHUA, kind=OrgKind.TT_SERVICE)
    t = Target.objects.create(
        region_code=KUNMING,
        indicator="demo_institutions",
        year_from=2020,
        year_to=2020,
        value=Decimal(4),
        reported_actual=Decimal(99),
    )
    later = Target.objects.create(
        region_code=KUNMING, indicator="demo_institutions", year_from=2025, year_to=2025, value=Decimal(4)
    )
    province = Target.objects.create(
        region_code="530000", indicator="demo_institutions", year_from=2025, year_to=2025, value=Decimal(10)
    )
    other = Target.objects.create(
        region_code=KUNMING,
        indicator="maker_spaces",
        year_from=2020,
        year_to=2020,
        value=Decimal(4),
        reported_actual=Decimal(3),
    )
    progress = {p.target.pk: p for p in stats.target_progress([t, later, province, other])}
    assert progress[t.pk].actual == 1  # only the level granted by 2020; the entered 99 is not used
    assert progress[later.pk].actual == 2 and progress[later.pk].share == Decimal("0.5")
    assert progress[province.pk].actual == 3
    assert progress[other.pk].actual == 3  # entered indicators keep the reported figure
