"""Statistics from the contract ledger: equal to a brute-force recomputation from the raw contracts, amendments
and cancellations counted on the day they are registered, drill-down by region tier, and region scope."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.contracts import services as contracts
from techtransfer.contracts.models import Status, TechContract
from techtransfer.stats import services as stats
from tests.contracts.conftest import cw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _current(contract_qs):
    """Brute force: what the statistics must show today, straight from the contracts."""
    totals = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
    for c in contract_qs.filter(status=Status.CERTIFIED):
        for key in (c.category_id, "all"):
            t = totals[key]
            t[0] += 1
            t[1] += c.contract_amount
            t[2] += c.tech_amount
    return totals


def _pay(amount):
    return [{"due_on": datetime.date.today() + datetime.timedelta(days=30), "amount": amount, "note": "一次付清"}]


@pytest.fixture
def book(cw):  # noqa: F811
    made = [
        cw.certified(),
        cw.certified(
            category="transfer", subcategory="tr_patent", contract_amount="500000.00", payments=_pay("500000.00")
        ),
        cw.certified(
            lines=[{"kind": "equipment", "amount": "300000.00", "description": "光伏层压机"}],
            contract_amount="900000.00",
            payments=_pay("900000.00"),
        ),
        cw.certified(
            category="consulting", subcategory="con_feasibility", contract_amount="80000.00", payments=_pay("80000.00")
        ),
    ]
    cw.made = made
    return cw


def test_breakdown_equals_brute_force(book):
    expected = _current(TechContract.objects.all())
    rows = {r.key: r for r in stats.breakdown("category", stats.ledger())}
    assert set(rows) == {k for k in expected if k != "all"}
    for key, (n, amount, tech) in expected.items():
        if key == "all":
            continue
        assert (rows[key].count, rows[key].contract_amount, rows[key].tech_amount) == (n, amount, tech)
    total = contracts.ledger_totals()
    assert (total.count, total.contract_amount, total.tech_amount) == tuple(expected["all"])
    # the equipment line is excluded from the technology transaction amount
    assert expected["all"][1] - expected["all"][2] == Decimal("300000.00")


def test_amendment_and_cancellation_change_statistics(book):
    first, second = book.made[0], book.made[1]
    contracts.amend(book.reviewer, first, note="增加研发内容", contract_amount="1200000.00")
    contracts.cancel(book.reviewer, second, reason="双方解除合同")
    expected = _current(TechContract.objects.all())
    assert expected["all"][0] == 3
    rows = {r.key: r for r in stats.breakdown("category", stats.ledger())}
    assert "transfer" not in rows  # cancelled: it nets to zero and disappears
    assert rows["development"].contract_amount == expected["development"][1]
    assert rows["development"].tech_amount == expected["development"][2]
    # the period before today does not see today's amendment or cancellation
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert stats.ledger(end=yesterday).count() == 0


def test_region_drill_down(book):
    province = stats.by_region(stats.ledger(), tier="province")
    assert [(r.key, r.count) for r in province] == [("530000", 4)]
    city = stats.by_region(stats.ledger(), parent="530000", tier="city")
    assert [(r.key, r.count) for r in city] == [("530100", 4)]
    county = stats.by_region(stats.ledger(), parent="530100", tier="county")
    assert [(r.key, r.count) for r in county] == [(book.wuhua, 4)]
    absorption = stats.by_region(stats.ledger(), side="absorption", parent="530100", tier="county")
    assert [r.key for r in absorption] == [book.w.panlong_org.region_id]
    assert stats.by_region(stats.ledger(), parent="530300", tier="county") == []


def _counted(user):
    return contracts.ledger_totals(stats.ledger(user)).count


def test_region_admins_see_only_their_scope(book):
    assert _counted(book.w.province_admin) == 4
    assert _counted(book.w.kunming_admin) == 4
    assert _counted(book.w.wuhua_admin) == 4
    assert _counted(book.w.panlong_admin) == 0  # sellers are in 五华区
    assert _counted(book.qujing_reviewer) == 0  # another city's registration point
    assert _counted(book.reviewer) == 4


def test_by_organization_type(book):
    rows = {r.key: r.count for r in stats.breakdown("seller_type", stats.ledger())}
    seller_type = book.made[0].seller.party_type
    assert rows == {seller_type: 4}
    buyers = {r.key: r.count for r in stats.breakdown("buyer_type", stats.ledger())}
    assert sum(buyers.values()) == 4 and book.made[0].buyer.party_type in buyers
