"""Auctions: every refusal reason, the increment, anti-sniping, closing (sold / failed 流拍), cancellation."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from techtransfer.audit.models import AuditEntry
from techtransfer.catalog.models import Status as AchStatus
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.trading import services
from techtransfer.trading.models import Auction, AuctionStatus, Bid, Deal, RefusalCode

MIN = datetime.timedelta(minutes=1)


def bidders(tw):
    return ((tw.user_a, tw.buyer_a), (tw.user_b, tw.buyer_b))


@pytest.mark.django_db
def test_every_refusal_has_its_reason_and_is_kept(tw):
    now = timezone.now()
    a = tw.auction(now=now, qualify=bidders(tw), starts_at=now + MIN, ends_at=now + 60 * MIN)
    assert services.place_bid(tw.user_a, a, "100000", now=now).code == RefusalCode.NOT_STARTED
    t = now + 2 * MIN
    assert services.place_bid(tw.seller_member, a, "200000", now=t).code == RefusalCode.OWN_LOT
    assert services.place_bid(tw.user_c, a, "200000", now=t).code == RefusalCode.NOT_QUALIFIED
    assert services.place_bid(tw.visitor, a, "200000", now=t).code == RefusalCode.NOT_QUALIFIED
    low = services.place_bid(tw.user_a, a, "99999.99", now=t)
    assert low.code == RefusalCode.TOO_LOW and "100000" in low.message
    first = services.place_bid(tw.user_a, a, "100000", now=t)
    assert first.accepted and first.code == ""
    assert services.place_bid(tw.user_a, a, "150000", now=t).code == RefusalCode.ALREADY_LEADING
    assert services.place_bid(tw.user_b, a, "109999.99", now=t).code == RefusalCode.TOO_LOW
    assert services.place_bid(tw.user_b, a, "110000", now=t).accepted
    assert services.place_bid(tw.user_a, a, "500000", now=a.ends_at + MIN).code == RefusalCode.CLOSED
    a.refresh_from_db()
    assert (a.current_price, a.leader_org, a.bid_count) == (Decimal("110000.00"), tw.buyer_b, 2)
    assert Bid.objects.filter(auction=a, accepted=False).count() == 8
    assert Bid.objects.filter(auction=a, accepted=True).count() == 2
    assert AuditEntry.objects.filter(action="trading.auction.bid", object_id=str(a.pk)).count() == 2


@pytest.mark.django_db
def test_malformed_amounts_are_input_errors_and_leave_no_trace(tw):
    a = tw.auction(qualify=bidders(tw))
    for amount in ("", "abc", "-5", "1.234", "NaN"):
        with pytest.raises(DomainError) as exc:
            services.place_bid(tw.user_a, a, amount)
        assert exc.value.field == "amount"
    with pytest.raises(Forbidden):
        services.place_bid(None, a, "100000")
    assert not Bid.objects.exists()


@pytest.mark.django_db
def test_a_bid_in_the_last_minutes_extends_the_end(tw):
    now = timezone.now()
    a = tw.auction(now=now, qualify=bidders(tw), ends_at=now + 30 * MIN, anti_sniping_minutes=5)
    end = a.ends_at
    services.place_bid(tw.user_a, a, "100000", now=end - 10 * MIN)  # outside the window: no change
    a.refresh_from_db()
    assert a.ends_at == end
    late = end - datetime.timedelta(seconds=30)
    outcome = services.place_bid(tw.user_b, a, "110000", now=late)
    a.refresh_from_db()
    assert a.ends_at == late + 5 * MIN == outcome.bid.ends_at_after
    assert a.scheduled_end == end
    # Bidding in the extension is allowed and extends again.
    later = end + 3 * MIN
    assert services.place_bid(tw.user_a, a, "120000", now=later).accepted
    a.refresh_from_db()
    assert a.ends_at == later + 5 * MIN
    with pytest.raises(Conflict):
        services.close_auction(a, later + 4 * MIN)


@pytest.mark.django_db
def test_no_extension_when_anti_sniping_is_off(tw):
    now = timezone.now()
    a = tw.auction(now=now, qualify=bidders(tw), ends_at=now + 30 * MIN, anti_sniping_minutes=0)
    services.place_bid(tw.user_a, a, "100000", now=a.ends_at - datetime.timedelta(seconds=5))
    a.refresh_from_db()
    assert a.ends_at == a.scheduled_end


@pytest.mark.django_db
def test_highest_bid_at_or_above_the_reserve_wins(tw):
    ach = tw.achievement()
    now = timezone.now()
    a = tw.auction(ach, now=now, qualify=bidders(tw), reserve_price="120000", fee_rate="0.0150")
    services.place_bid(tw.user_a, a, "100000", now=now)
    services.place_bid(tw.user_b, a, "110000", now=now)
    services.place_bid(tw.user_a, a, "120000", now=now)
    with pytest.raises(Conflict):
        services.close_auction(a, now)
    with pytest.raises(Forbidden):
        services.close_auction(a, a.ends_at, actor=tw.user_a)
    deal = services.close_auction(a, a.ends_at)
    a.refresh_from_db()
    ach.refresh_from_db()
    assert a.status == AuctionStatus.SOLD and ach.status == AchStatus.TRANSFERRED
    assert (deal.buyer, deal.buyer_user, deal.price, deal.fee) == (tw.buyer_a, tw.user_a, Decimal("120000.00"),
                                                                   Decimal("1800.00"))
    assert deal.contract is not None and deal.contract.contract_amount == Decimal("120000.00")
    with pytest.raises(Conflict):
        services.close_auction(a, a.ends_at)


@pytest.mark.django_db
def test_no_bid_reaching_the_reserve_fails_the_auction(tw):
    ach = tw.achievement()
    now = timezone.now()
    a = tw.auction(ach, now=now, qualify=bidders(tw), reserve_price="150000")
    services.place_bid(tw.user_a, a, "100000", now=now)
    services.place_bid(tw.user_b, a, "140000", now=now)
    result = services.close_auction(a, a.ends_at)
    ach.refresh_from_db()
    assert result.status == AuctionStatus.FAILED and ach.status == AchStatus.PUBLISHED
    assert not Deal.objects.exists()
    assert AuditEntry.objects.filter(action="trading.auction.failed", object_id=str(a.pk)).exists()


@pytest.mark.django_db
def test_no_bids_at_all_fails_too(tw):
    a = tw.auction(reserve_price="0")
    assert services.close_auction(a, a.ends_at).status == AuctionStatus.FAILED


@pytest.mark.django_db
def test_cancel_only_without_accepted_bids(tw):
    now = timezone.now()
    a = tw.auction(now=now, qualify=bidders(tw))
    b = tw.auction(now=now, qualify=bidders(tw))
    services.place_bid(tw.user_a, b, "100000", now=now)
    with pytest.raises(Conflict):
        services.cancel_auction(tw.seller_admin, b, "撤拍")
    with pytest.raises(Forbidden):
        services.cancel_auction(tw.user_a, a, "撤拍")
    services.cancel_auction(tw.region_admin, a, "权属争议")
    a.refresh_from_db()
    assert a.status == AuctionStatus.CANCELLED
    assert services.place_bid(tw.user_a, a, "100000", now=now).code == RefusalCode.CLOSED


@pytest.mark.django_db
def test_auction_input_is_checked(tw):
    ach = tw.achievement()
    now = timezone.now()
    base = {"transfer_mode": "transfer", "start_price": "1000", "increment": "100", "ends_at": now + MIN}
    for extra, field in [({"start_price": "0"}, "start_price"), ({"increment": ""}, "increment"),
                         ({"ends_at": now - MIN}, "ends_at"), ({"fee_rate": "0.5"}, "fee_rate"),
                         ({"anti_sniping_minutes": "999"}, "anti_sniping_minutes"),
                         ({"starts_at": now + 2 * MIN}, "ends_at")]:
        with pytest.raises(DomainError) as exc:
            services.create_auction(tw.seller_admin, ach, {**base, **extra}, now=now)
        assert exc.value.field == field
    assert not Auction.objects.exists()


@pytest.mark.django_db
def test_deposit_and_qualification_for_a_direct_auction(tw):
    now = timezone.now()
    a = tw.auction(now=now, deposit="20000")
    intent = services.register_intent(tw.user_a, a, now=now)
    assert not intent.qualified
    assert services.place_bid(tw.user_a, a, "100000", now=now).code == RefusalCode.NOT_QUALIFIED
    services.record_deposit(tw.seller_admin, intent, "paid")
    services.qualify(tw.seller_admin, intent, True)
    assert services.place_bid(tw.user_a, a, "100000", now=now).accepted


@pytest.mark.django_db
def test_the_database_refuses_two_accepted_bids_at_one_price(tw):
    now = timezone.now()
    a = tw.auction(now=now, qualify=bidders(tw))
    services.place_bid(tw.user_a, a, "100000", now=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.create(auction=a, bidder_org=tw.buyer_b, user=tw.user_b, amount=Decimal("100000"),
                           placed_at=now, accepted=True)


@pytest.mark.django_db
def test_the_clock_closes_ended_auctions(tw):
    now = timezone.now()
    a = tw.auction(now=now, qualify=bidders(tw), reserve_price="0")
    services.place_bid(tw.user_a, a, "100000", now=now)
    assert services.close_due(now)["auctions"] == 0
    assert services.close_due(a.ends_at)["auctions"] == 1
    a.refresh_from_db()
    assert a.status == AuctionStatus.SOLD and a.deal.price == Decimal("100000.00")


@pytest.mark.django_db
def test_live_state_hides_the_reserve_from_bidders(tw):
    now = timezone.now()
    a = tw.auction(now=now, qualify=bidders(tw), reserve_price="150000")
    services.place_bid(tw.user_a, a, "100000", now=now)
    a.refresh_from_db()
    seen_by_a = services.auction_state(tw.user_a, a, now=now)
    seen_by_b = services.auction_state(tw.user_b, a, now=now)
    seen_by_seller = services.auction_state(tw.seller_admin, a, now=now)
    assert seen_by_a["reserve_price"] is None and seen_by_seller["reserve_price"] == "150000.00"
    assert seen_by_a["leader_is_me"] and not seen_by_b["leader_is_me"]
    assert seen_by_a["leader"] == seen_by_b["leader"] and seen_by_a["leader"]
    assert tw.buyer_a.name not in str(seen_by_b)
    assert seen_by_b["current_price"] == "100000.00" and seen_by_b["minimum_bid"] == "110000.00"
    assert seen_by_b["phase"] == "running" and not seen_by_b["reserve_met"]
