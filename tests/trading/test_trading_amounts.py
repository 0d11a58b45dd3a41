"""Hardening (issue 11): every trading amount goes through ``core.fields.parse_money`` — a bid of
``{"amount": 1e30}`` (the issue's exact input) and its kin are a 400 naming the field, never a 500."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from techtransfer.trading.models import Bid

pytestmark = pytest.mark.django_db

def post_raw(client, url, body: str):
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("raw", ["1e30", "1e999999", "-1e30", "1e-30", '"1e30"', '"NaN"', '"Infinity"',
                                 '"1e999999999"', '"1E-999999999"', "123456789012345678901234567890"])
def test_a_bid_of_an_absurd_amount_is_a_400_naming_amount(tw, client_for, raw):
    a = tw.auction(now=timezone.now(), qualify=((tw.user_a, tw.buyer_a),))
    url = f"/api/v1/trading/auctions/{a.pk}/bids"
    response = post_raw(client_for(tw.user_a), url, '{"amount": ' + raw + "}")
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == "amount"
    assert Bid.objects.count() == 0


@pytest.mark.parametrize("field", ["price", "deposit", "auction_increment"])
@pytest.mark.parametrize("raw", ["1e30", '"1e999999999"', '"NaN"'])
def test_listing_amounts_are_bounded(tw, client_for, field, raw):
    ach = tw.achievement()
    body = {"achievement": ach.pk, "price": "500000", "transfer_mode": "transfer", "period_days": 20}
    text = json.dumps(body)[:-1] + f', "{field}": {raw}}}' if field != "price" else \
        json.dumps({k: v for k, v in body.items() if k != "price"})[:-1] + f', "price": {raw}}}'
    response = post_raw(client_for(tw.seller_admin), "/api/v1/trading/listings", text)
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field


@pytest.mark.parametrize("field", ["start_price", "reserve_price", "increment", "deposit", "fee_rate"])
def test_auction_amounts_are_bounded(tw, client_for, field):
    now = timezone.now()
    body = {"achievement": tw.achievement().pk, "transfer_mode": "transfer", "start_price": "100000",
            "increment": "1000", "ends_at": (now + datetime.timedelta(hours=1)).isoformat()}
    text = json.dumps({k: v for k, v in body.items() if k != field})[:-1] + f', "{field}": 1e30}}'
    response = post_raw(client_for(tw.seller_admin), "/api/v1/trading/auctions", text)
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field
