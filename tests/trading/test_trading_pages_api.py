"""Trading pages and API: browsing, creating, registering, bidding (with the refusal shown), objections, and the
permission checks on every write."""

import datetime
import json

import pytest
from django.utils import timezone

from techtransfer.trading import services
from techtransfer.trading.models import Auction, Bid, Listing, Notice, Objection

MIN = datetime.timedelta(minutes=1)


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_pages_render_for_visitors_with_empty_states(client_for):
    c = client_for()
    for url in ("/trading/", "/trading/listings/", "/trading/auctions/", "/trading/notices/", "/trading/deals/"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert b'class="empty"' in r.content
    assert c.get("/trading/listings/new/").status_code == 302  # sign in first
    assert c.get("/trading/listings/999/").status_code == 404


@pytest.mark.django_db
def test_listing_pages_create_register_and_qualify(tw, client_for):
    ach = tw.achievement(title="高原光伏清洗机器人")
    admin = client_for(tw.seller_admin)
    r = admin.get("/trading/listings/new/")
    assert ach.title in r.content.decode()
    r = admin.post("/trading/listings/new/", {"achievement": ach.pk, "price": "12.345", "transfer_mode": "transfer"})
    assert r.status_code == 400 and "price" in r.content.decode()
    r = admin.post("/trading/listings/new/", {"achievement": ach.pk, "price": "420000", "transfer_mode": "transfer",
                                              "period_days": "10", "deposit": "10000",
                                              "verified_buyers_only": "on"})
    listing = Listing.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/trading/listings/{listing.pk}/"
    assert listing.deposit == 10000 and listing.verified_buyers_only
    # A buyer registers; the page lists only its own registration.
    buyer = client_for(tw.user_a)
    buyer.post(f"/trading/listings/{listing.pk}/", {"action": "register", "buyer": tw.buyer_a.pk})
    client_for(tw.user_b).post(f"/trading/listings/{listing.pk}/", {"action": "register"})
    page = buyer.get(f"/trading/listings/{listing.pk}/").content.decode()
    assert tw.buyer_a.name in page and tw.buyer_b.name not in page
    assert 'value="register"' not in page  # registered once: no second registration offered
    assert 'value="register"' in client_for(tw.user_c).get(f"/trading/listings/{listing.pk}/").content.decode()
    # The buyer cannot qualify itself; the seller can, after recording the deposit.
    intent = listing.intents.get(buyer=tw.buyer_a)
    buyer.post(f"/trading/listings/{listing.pk}/", {"action": "qualify", "intent": intent.pk, "qualified": "1"})
    intent.refresh_from_db()
    assert not intent.qualified
    admin.post(f"/trading/listings/{listing.pk}/", {"action": "deposit", "intent": intent.pk,
                                                     "deposit_status": "paid"})
    r = admin.post(f"/trading/listings/{listing.pk}/", {"action": "qualify", "intent": intent.pk, "qualified": "1"},
                   follow=True)
    intent.refresh_from_db()
    assert intent.qualified and intent.deposit_status == "paid"
    page = r.content.decode()
    assert tw.buyer_a.name in page and tw.buyer_b.name in page


@pytest.mark.django_db
def test_bidding_through_the_page_shows_the_refusal(tw, client_for):
    now = timezone.now()
    a = tw.auction(now=now, qualify=((tw.user_a, tw.buyer_a), (tw.user_b, tw.buyer_b)))
    c = client_for(tw.user_a)
    r = c.post(f"/trading/auctions/{a.pk}/", {"action": "bid", "amount": "50"}, follow=True)
    assert "100000" in r.content.decode() and Bid.objects.get().refusal_code == "too_low"
    r = c.post(f"/trading/auctions/{a.pk}/", {"action": "bid", "amount": "100000"}, follow=True)
    assert r.status_code == 200 and Bid.objects.filter(accepted=True).count() == 1
    state = client_for(tw.user_b).get(f"/trading/auctions/{a.pk}/state.json").json()
    assert state["current_price"] == "100000.00" and state["minimum_bid"] == "110000.00"
    assert state["leader"] and not state["leader_is_me"] and state["reserve_price"] is None
    assert client_for().get(f"/trading/auctions/{a.pk}/").status_code == 200


@pytest.mark.django_db
def test_api_bids_answer_201_or_409_with_the_reason(tw, client_for):
    now = timezone.now()
    a = tw.auction(now=now, qualify=((tw.user_a, tw.buyer_a), (tw.user_b, tw.buyer_b)))
    c = client_for(tw.user_a)
    url = f"/api/v1/trading/auctions/{a.pk}/bids"
    r = post_json(c, url, {"amount": "100000"})
    assert r.status_code == 201 and r.json()["accepted"] is True
    r = post_json(c, url, {"amount": "200000"})
    assert r.status_code == 409 and r.json()["code"] == "already_leading" and r.json()["field"] == "amount"
    r = post_json(client_for(tw.user_b), url, {"amount": "105000"})
    body = r.json()
    assert r.status_code == 409 and body["code"] == "too_low" and body["minimum_bid"] == "110000.00"
    r = post_json(client_for(tw.user_b), url, {"amount": "1.001"})
    assert r.status_code == 400 and r.json()["field"] == "amount"
    r = post_json(client_for(), url, {"amount": "300000"})
    assert r.status_code == 403
    history = client_for().get(url).json()
    assert [h["amount"] for h in history] == ["100000.00"]
    state = client_for().get(f"/api/v1/trading/auctions/{a.pk}/state").json()
    assert state["bid_count"] == 1


@pytest.mark.django_db
def test_api_listing_lifecycle_and_permissions(tw, client_for):
    ach = tw.achievement()
    data = {"achievement": ach.pk, "price": "300000", "transfer_mode": "transfer", "period_days": 5}
    assert post_json(client_for(tw.user_a), "/api/v1/trading/listings", data).status_code == 403
    r = post_json(client_for(tw.seller_admin), "/api/v1/trading/listings", data)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = post_json(client_for(tw.user_a), f"/api/v1/trading/listings/{pk}/intents", {})
    assert r.status_code == 201 and r.json()["qualified"] is True
    intent = r.json()["id"]
    assert post_json(client_for(tw.user_a), f"/api/v1/trading/intents/{intent}/qualify",
                     {"qualified": False}).status_code == 403
    assert post_json(client_for(tw.other_admin), f"/api/v1/trading/listings/{pk}/cancel",
                     {"reason": "x"}).status_code == 403
    r = client_for(tw.seller_admin).post(f"/api/v1/trading/listings/{pk}/close")
    assert r.status_code == 409 and r.json()["field"] == "ends_at"
    listing = Listing.objects.get(pk=pk)
    services.close_listing(listing, listing.ends_at)
    deals = client_for().get("/api/v1/trading/deals").json()
    assert deals["count"] == 1 and deals["items"][0]["buyer"] == tw.buyer_a.pk
    assert deals["items"][0]["contract"] is not None
    r = client_for().get("/api/v1/trading/listings?status=bogus")
    assert r.status_code == 400 and r.json()["field"] == "status"
    assert client_for().get("/api/v1/trading/listings?page_size=1000").status_code == 400


@pytest.mark.django_db
def test_api_auction_create_hides_reserve_from_the_public(tw, client_for):
    ach = tw.achievement()
    ends = (timezone.now() + 60 * MIN).isoformat()
    data = {"achievement": ach.pk, "transfer_mode": "transfer", "start_price": "1000", "increment": "100",
            "reserve_price": "5000", "ends_at": ends}
    r = post_json(client_for(tw.seller_admin), "/api/v1/trading/auctions", data)
    assert r.status_code == 201 and r.json()["reserve_price"] == "5000.00"
    pk = r.json()["id"]
    assert client_for().get(f"/api/v1/trading/auctions/{pk}").json()["reserve_price"] is None
    assert Auction.objects.get(pk=pk).anti_sniping_minutes == 5


@pytest.mark.django_db
def test_notice_pages_objection_and_handling(tw, client_for):
    funded = tw.achievement(public_funding="省科技计划项目")
    admin = client_for(tw.seller_admin)
    r = admin.post("/trading/notices/new/", {"achievement": funded.pk, "buyer": tw.buyer_a.pk, "price": "500000",
                                             "transfer_mode": "transfer", "contact": "科技处", "period_days": "15"})
    notice = Notice.objects.get()
    assert r.status_code == 302
    page = client_for().get(f"/trading/notices/{notice.pk}/").content.decode()
    assert funded.title in page and tw.buyer_a.name in page and "500000" in page
    client_for(tw.user_c).post(f"/trading/notices/{notice.pk}/", {"action": "object", "text": "价格偏低"})
    objection = Objection.objects.get()
    # Another signed-in user does not read the objection; the seller does and handles it.
    assert "价格偏低" not in client_for(tw.user_b).get(f"/trading/notices/{notice.pk}/").content.decode()
    client_for(tw.user_b).post(f"/trading/notices/{notice.pk}/", {"action": "handle", "objection": objection.pk,
                                                                  "outcome": "upheld", "note": "x"})
    objection.refresh_from_db()
    assert objection.outcome == "pending"
    admin.post(f"/trading/notices/{notice.pk}/", {"action": "handle", "objection": objection.pk,
                                                  "outcome": "dismissed", "note": "已说明评估依据"})
    objection.refresh_from_db()
    assert objection.outcome == "dismissed"
    r = client_for(tw.user_c).get(f"/api/v1/trading/notices/{notice.pk}/objections")
    assert [o["outcome"] for o in r.json()] == ["dismissed"]
    assert client_for(tw.user_b).get(f"/api/v1/trading/notices/{notice.pk}/objections").json() == []
