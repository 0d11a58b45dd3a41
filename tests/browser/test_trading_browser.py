"""Two bidders in two browser contexts bid against each other on the live auction page; after polling both pages
show the same current price and the same leading bidder, and a refused bid shows its reason."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.trading.conftest import tw  # noqa: F401  (the trading world fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(new_page, live_server, username: str):
    page = new_page("en")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-9")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    return page


def leader(page) -> str:
    return page.locator("#a-leader").inner_text().replace("(you)", "").strip()


def bid(page, amount: str) -> None:
    page.fill("#b-amount", amount)
    page.get_by_test_id("bid-button").click()


def test_two_bidders_see_the_same_outcome(live_server, new_page, tw):  # noqa: F811
    auction = tw.auction(now=timezone.now(), qualify=((tw.user_a, tw.buyer_a), (tw.user_b, tw.buyer_b)))
    url = f"{live_server.url}/trading/auctions/{auction.pk}/"
    a = sign_in(new_page, live_server, "buyer_a")
    b = sign_in(new_page, live_server, "buyer_b")
    a.goto(url)
    b.goto(url)
    expect(a.locator("#a-phase")).to_have_text("Running")

    # A opens at the start price; B's page picks it up by polling.
    bid(a, "100000")
    expect(a.get_by_test_id("bid-result")).to_have_text("Bid accepted.")
    expect(b.get_by_test_id("current-price")).to_have_text("100000.00", timeout=10000)

    # B bids too little and is told why; then outbids A.
    bid(b, "105000")
    expect(b.get_by_test_id("bid-result")).to_contain_text("110000")
    expect(b.get_by_test_id("bid-result")).to_have_attribute("data-code", "too_low")
    bid(b, "110000")
    expect(b.get_by_test_id("bid-result")).to_have_text("Bid accepted.")

    # A answers; both pages converge on the same price, leader and bid count.
    expect(a.get_by_test_id("current-price")).to_have_text("110000.00", timeout=10000)
    bid(a, "130000")
    expect(a.get_by_test_id("bid-result")).to_have_text("Bid accepted.")
    for page in (a, b):
        expect(page.get_by_test_id("current-price")).to_have_text("130000.00", timeout=10000)
        expect(page.locator("#a-count")).to_have_text("3", timeout=10000)
    assert leader(a) == leader(b) and re.match(r"^Bidder \d{4}$", leader(a))
    expect(a.locator("#a-leader")).to_contain_text("(you)")
    expect(b.locator("#a-leader")).not_to_contain_text("(you)")
    assert a.locator("#a-bids tr").count() == b.locator("#a-bids tr").count() == 3
    auction.refresh_from_db()
    assert str(auction.current_price) == "130000.00" and auction.leader_org == tw.buyer_a
