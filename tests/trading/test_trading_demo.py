"""The trading demo part: built through the services on top of a (small) demo catalogue; nothing without one."""

import pytest

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.catalog.models import Achievement
from techtransfer.orgs.models import OrgKind
from techtransfer.trading import demo
from techtransfer.trading.models import (
    Auction,
    AuctionStatus,
    Deal,
    Listing,
    ListingStatus,
    Notice,
    NoticeStatus,
    ObjectionOutcome,
)
from tests.conftest import PANLONG, WUHUA


@pytest.mark.django_db
def test_demo_does_nothing_without_a_demo_catalogue():
    said = []
    assert demo.load(said.append) == 0
    assert said and not Listing.objects.exists()


@pytest.mark.django_db
def test_demo_builds_every_kind_of_lot(make_org, make_user):
    uni = make_org("演示大学", region=WUHUA, kind=OrgKind.UNIVERSITY, is_demo=True)
    ent = make_org("演示企业", region=PANLONG, is_demo=True)
    for i in range(2):
        make_org(f"演示竞买企业{i}", region=PANLONG, is_demo=True)
    for name, org in (("uni_admin", uni), ("ent_admin", ent)):
        user = User.objects.create_user(username=name, password="Correct-Horse-9", is_demo=True)
        RoleAssignment.objects.create(user=user, role=Role.ORG_ADMIN, organization=org)
    for i in range(8):
        Achievement.objects.create(owner=uni, region_id=uni.region_id, title=f"演示成果{i}", abstract="摘要",
                                   transfer_modes=["transfer"], status="published", is_demo=True)
    said = []
    assert demo.load(said.append) > 10
    assert sorted(Listing.objects.values_list("status", flat=True)) == [ListingStatus.OPEN, ListingStatus.OPEN,
                                                                         ListingStatus.SOLD]
    assert sorted(Auction.objects.values_list("status", flat=True)) == sorted(
        [AuctionStatus.OPEN, AuctionStatus.SOLD, AuctionStatus.FAILED])
    running = Auction.objects.get(status=AuctionStatus.OPEN)
    assert running.bid_count == 3 and running.current_price is not None
    sold = Auction.objects.get(status=AuctionStatus.SOLD)
    assert sold.ends_at > sold.scheduled_end  # the last bid came in the anti-sniping window
    notice = Notice.objects.get()
    assert notice.status == NoticeStatus.IN_PERIOD
    assert notice.objections.get().outcome == ObjectionOutcome.DISMISSED
    assert Deal.objects.count() == 2 and all(d.is_demo for d in Deal.objects.all())
    assert all(x.is_demo for x in [*Listing.objects.all(), *Auction.objects.all(), notice])
