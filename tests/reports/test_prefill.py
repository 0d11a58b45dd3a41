"""Pre-filled figures (issue 14, item 2): ``registered_figures`` equals a brute-force count over random contracts,
deals and brokers; amended contracts count with their new amount, cancelled ones not; ``explain`` and
``contracts_for`` describe and list the same records."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.catalog.models import Achievement
from techtransfer.contracts import services as contracts
from techtransfer.contracts.models import Status, TechContract
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import OrgKind
from techtransfer.people.models import BrokerLevel, BrokerProfile, Person
from techtransfer.reports.services import prefill
from techtransfer.trading.models import Deal, DealSource, Listing
from tests.conftest import PANLONG, WUHUA
from tests.contracts.conftest import cw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
YEAR = 2025
CATEGORIES = ["transfer", "licence", "development", "consulting", "service"]
STATUSES = [Status.CERTIFIED, Status.CERTIFIED, Status.CANCELLED, Status.SUBMITTED, Status.REFUSED]
MODES = ["equity", "equity", "transfer", "licence_ordinary"]
_numbers = iter(range(1, 100_000))


def _deal(seller, buyer, ach, mode, price, at):
    listing = Listing.objects.create(
        achievement=ach, seller=seller, region_id=seller.region_id, price=price, transfer_mode=mode,
        starts_at=at - datetime.timedelta(days=20), ends_at=at, status="sold",
    )
    return Deal.objects.create(
        achievement=ach, seller=seller, region_id=seller.region_id, buyer=buyer, price=price, transfer_mode=mode,
        source=DealSource.LISTING, listing=listing, concluded_at=at,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_equal_a_brute_force_count(make_org, seed):
    rng = random.Random(seed)
    unit = make_org("随机大学", region=WUHUA, kind=OrgKind.UNIVERSITY)
    other = make_org("另一单位", region=PANLONG, kind=OrgKind.INSTITUTE)
    buyer = make_org("买方企业", region=PANLONG)
    tz = timezone.get_current_timezone()
    made = []
    for _ in range(60):
        seller = rng.choice([unit, unit, other])
        day = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randint(-40, 400))
        c = TechContract.objects.create(
            name="随机合同", status=rng.choice(STATUSES), category_id=rng.choice(CATEGORIES),
            contract_amount=Decimal(rng.randint(1, 10_000_000)) / 100, registered_on=day,
            registration_number=f"R{next(_numbers):08d}", seller_org=seller, seller_region_id=seller.region_id,
        )
        made.append(c)
    ach = Achievement.objects.create(owner=unit, region_id=unit.region_id, title="作价投资成果", abstract="摘要")
    deals = []
    for _ in range(15):
        seller = rng.choice([unit, other])
        # Around the year's edges in local time (Asia/Shanghai): 1 January 00:30 belongs to the year.
        at = datetime.datetime(YEAR, 1, 1, 0, 30, tzinfo=tz) + datetime.timedelta(hours=rng.randint(-48, 24 * 370))
        deals.append(_deal(seller, buyer, ach, rng.choice(MODES), Decimal(rng.randint(100, 999_999)), at))
    for i in range(rng.randint(0, 4)):
        person = Person.objects.create(name=f"经纪人{i}", organization=unit, region_id=WUHUA)
        BrokerProfile.objects.create(person=person, level=BrokerLevel.JUNIOR)
    Person.objects.create(name="普通人员", organization=unit, region_id=WUHUA)

    expected = {k: (0 if k.endswith(("_count", "_brokers")) else Decimal("0.00")) for k in prefill.KEYS}
    for c in made:
        if c.seller_org_id == unit.pk and c.status == Status.CERTIFIED and c.registered_on.year == YEAR:
            expected[f"{c.category_id}_count"] += 1
            expected[f"{c.category_id}_amount"] += c.contract_amount
    for d in deals:
        if d.seller_id == unit.pk and d.transfer_mode == "equity" and d.concluded_at.astimezone(tz).year == YEAR:
            expected["equity_count"] += 1
            expected["equity_amount"] += d.price
    expected["office_brokers"] = BrokerProfile.objects.filter(person__organization=unit).count()

    figures = prefill.registered_figures(unit, YEAR)
    assert list(figures) == list(prefill.KEYS)
    assert figures == expected
    assert all(isinstance(figures[k], Decimal) for k in prefill.KEYS if k.endswith("_amount"))
    for code in CATEGORIES:
        listed = prefill.contracts_for(unit, YEAR, f"{code}_count")
        assert listed.count() == expected[f"{code}_count"]
        assert sum((c.contract_amount for c in listed), Decimal("0")) == expected[f"{code}_amount"]
    assert prefill.contracts_for(unit, YEAR, "equity_amount").count() == expected["equity_count"]
    assert prefill.contracts_for(unit, YEAR, "office_brokers").count() == expected["office_brokers"]


def test_amended_counts_with_its_new_amount_and_cancelled_not(cw):  # noqa: F811
    """Through the registration services: certification counts the contract in the year it is registered, an
    amendment changes the amount counted, a cancellation takes the contract out."""
    year = timezone.localdate().year
    unit = cw.w.wuhua_org
    kept = cw.certified(category="transfer", subcategory="tr_patent", contract_amount="300000.00",
                        payments=[{"due_on": datetime.date.today() + datetime.timedelta(days=30),
                                   "amount": "300000.00"}])
    dropped = cw.certified()
    before = prefill.registered_figures(unit, year)
    assert (before["transfer_count"], before["transfer_amount"]) == (1, Decimal("300000.00"))
    assert (before["development_count"], before["development_amount"]) == (1, Decimal("1000000.00"))
    contracts.amend(cw.reviewer, kept, note="金额变更", contract_amount="350000.00")
    contracts.cancel(cw.reviewer, dropped, "双方解除合同")
    after = prefill.registered_figures(unit, year)
    assert (after["transfer_count"], after["transfer_amount"]) == (1, Decimal("350000.00"))
    assert (after["development_count"], after["development_amount"]) == (0, Decimal("0.00"))
    assert prefill.registered_figures(cw.w.panlong_org, year)["transfer_count"] == 0  # the buyer is not the seller
    text = prefill.explain(unit, year, after)
    assert set(text) == set(prefill.KEYS)
    assert "1 certified transfer contracts" in text["transfer_count"]["en"]
    assert "350000.00" in text["transfer_amount"]["en"] and "350000.00" in text["transfer_amount"]["zh"]


def test_unknown_figure_key_is_refused(make_org):
    with pytest.raises(DomainError) as exc:
        prefill.contracts_for(make_org(), YEAR, "bogus_count")
    assert exc.value.field == "key"
