"""Many bidders at once on one auction (PostgreSQL): at least 50 bidder threads bid for about a minute; afterwards
the winner is the highest valid bid, no accepted bid is lost, no two bids were accepted at the same price, and the
end time follows the anti-sniping rule bid by bid.

Set TRADING_CONCURRENCY_SECONDS to shorten or lengthen the bidding (default 55 s)."""

from __future__ import annotations

import datetime
import os
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.orgs.models import Organization, OrgKind, Verification
from techtransfer.trading import services
from techtransfer.trading.models import Auction, AuctionStatus, Bid, ListingIntent
from tests.conftest import PANLONG, make_credit_code

BIDDERS = 50
SECONDS = float(os.environ.get("TRADING_CONCURRENCY_SECONDS", "55"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_bidders_for_a_minute_on_one_auction(tw):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (row locks); SQLite serializes writers anyway")
    now = timezone.now()
    # One-minute anti-sniping window: bids keep moving the end while they arrive.
    auction = tw.auction(now=now, start_price="1000.00", reserve_price="1200.00", increment="10.00",
                         ends_at=now + datetime.timedelta(seconds=20), anti_sniping_minutes=1)
    users = []
    for i in range(BIDDERS):
        org = Organization.objects.create(name=f"竞买人{i:02d}有限公司", kind=OrgKind.ENTERPRISE, region_id=PANLONG,
                                          credit_code=make_credit_code(PANLONG), verification=Verification.VERIFIED)
        user = User.objects.create_user(username=f"bidder{i:02d}", password="Correct-Horse-9")
        RoleAssignment.objects.create(user=user, role=Role.ORG_MEMBER, organization=org)
        ListingIntent.objects.create(auction=auction, buyer=org, user=user, qualified=True)
        users.append(user)

    results: list[list[tuple]] = [[] for _ in range(BIDDERS)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(BIDDERS)
    deadline = [0.0]

    def bidder(index: int) -> None:
        rng = random.Random(index)
        user = User.objects.get(pk=users[index].pk)
        try:
            barrier.wait()
            while time.monotonic() < deadline[0]:
                current = Auction.objects.only("current_price", "start_price", "increment").get(pk=auction.pk)
                amount = current.minimum_bid + current.increment * rng.choice((0, 0, 0, 1, 2))
                outcome = services.place_bid(user, auction, amount)
                results[index].append((outcome.bid.pk, outcome.accepted, outcome.code, outcome.bid.amount))
                time.sleep(rng.uniform(0, 0.02))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bidder, args=(i,)) for i in range(BIDDERS)]
    deadline[0] = time.monotonic() + SECONDS
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    answered = [r for rs in results for r in rs]
    accepted_ids = {bid_id for bid_id, ok, _code, _amount in answered if ok}
    auction.refresh_from_db()
    db_accepted = list(Bid.objects.filter(auction=auction, accepted=True).order_by("placed_at", "pk"))
    print(f"bidders={BIDDERS} seconds={SECONDS} answered={len(answered)} accepted={len(accepted_ids)}")
    # Enough contention to mean something, and every answer is in the database.
    assert len(answered) >= 500 and len(accepted_ids) >= 100, (len(answered), len(accepted_ids))
    assert Bid.objects.filter(auction=auction).count() == len(answered)
    # No accepted bid lost: exactly the bids reported as accepted are accepted in the database.
    assert {b.pk for b in db_accepted} == accepted_ids
    assert auction.bid_count == len(db_accepted)
    # No two accepted bids at the same price, and each accepted bid beat the previous one by the increment.
    amounts = [b.amount for b in db_accepted]
    assert len(set(amounts)) == len(amounts)
    assert amounts[0] >= auction.start_price
    assert all(later - earlier >= auction.increment for earlier, later in zip(amounts, amounts[1:], strict=False))
    assert all(b.bidder_org_id != a.bidder_org_id for a, b in zip(db_accepted, db_accepted[1:], strict=False))
    # The winner is the highest valid bid.
    top = max(db_accepted, key=lambda b: b.amount)
    assert auction.current_price == top.amount and auction.leader_org_id == top.bidder_org_id
    # Refused bids carry a reason; too-low ones were below the price standing when they were decided.
    refused = Bid.objects.filter(auction=auction, accepted=False)
    assert set(refused.values_list("refusal_code", flat=True)) <= {"too_low", "already_leading"}
    # The end time follows the rule bid by bid: a bid less than the window before the end moves it to
    # bid time + window, otherwise the end stays.
    window = datetime.timedelta(minutes=auction.anti_sniping_minutes)
    end = auction.scheduled_end
    for b in db_accepted:
        assert b.placed_at < end, "a bid was accepted after the end"
        if end - b.placed_at < window:
            end = b.placed_at + window
        assert b.ends_at_after == end
    assert auction.ends_at == end
    # Closing at the end sells to the highest bid.
    deal = services.close_auction(auction, auction.ends_at)
    assert deal.price == top.amount and deal.buyer_id == top.bidder_org_id
    assert Auction.objects.get(pk=auction.pk).status == AuctionStatus.SOLD
    assert deal.price >= Decimal("1200.00")
