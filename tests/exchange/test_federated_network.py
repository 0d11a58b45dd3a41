"""Network statistics: the peers' statistics records summed by source and year beside this platform's own; for
region and platform administrators only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from techtransfer.exchange.services import network, pull
from tests.exchange.pullkit import statistics_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_statistics_by_source_and_year(world, fake_peer, peer, client_for):
    peer.region_id = "530100"
    peer.save()
    fake_peer.put(statistics_record("cq-test", "2025-a", 2025, {"count": 10, "contract_amount": "1200.50"}))
    fake_peer.put(
        statistics_record("cq-test", "2025-b", 2025, {"count": 5, "contract_amount": "100.00", "tech_amount": "80.00"})
    )
    fake_peer.put(statistics_record("cq-test", "2024", 2024, {"count": 3}))
    assert pull.pull(peer).ok
    table = network.statistics(world.platform_admin)
    assert [s.name for s in table.sources] == ["重庆技术市场"]
    years = table.sources[0].years
    assert years[2025] == {
        "count": Decimal("15"),
        "contract_amount": Decimal("1300.50"),
        "tech_amount": Decimal("80.00"),
    }
    assert years[2024] == {"count": Decimal("3"), "contract_amount": Decimal("0.00"), "tech_amount": Decimal("0.00")}
    assert table.years == [2025, 2024] and set(table.own) == {2025, 2024}
    # A region administrator sees the peers serving inside the region; another region's does not.
    assert [s.name for s in network.statistics(world.province_admin).sources] == ["重庆技术市场"]
    assert network.statistics(world.panlong_admin).sources == []
    html = client_for(world.province_admin).get("/exchange/network/").content.decode()
    assert "重庆技术市场" in html and "1300.50" in html and "contract_amount" in html
    assert client_for(world.member).get("/exchange/network/").status_code == 403
    assert client_for().get("/exchange/network/").status_code == 302
