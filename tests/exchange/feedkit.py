"""Helpers of the feed tests: a record of every kind, and a reader that follows the feed like a peer does."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.services import feed
from techtransfer.exchange.services.keys import identity
from techtransfer.people.models import BrokerProfile, ExpertProfile, Person
from techtransfer.trading.models import Deal


def every_kind(tw, cw) -> dict:
    """One public record of each kind (and their organizations); call inside captured on-commit callbacks."""
    ach = tw.achievement(title_en="High-safety cathode material", abstract_en="A cathode material.")
    listing = tw.listing(ach)
    auction = tw.auction()
    deal = Deal.objects.create(
        achievement=listing.achievement,
        seller=tw.seller,
        region_id=tw.seller.region_id,
        buyer=tw.buyer_a,
        price=Decimal("500000.00"),
        transfer_mode="transfer",
        source="listing",
        listing=listing,
        concluded_at=timezone.now(),
    )
    expert = Person.objects.create(
        name="张专家",
        name_en="Zhang",
        organization=tw.seller,
        region_id="530102",
        email="zhang@example.cn",
        phone="13800000000",
    )
    ExpertProfile.objects.create(person=expert, titles="教授", specialties="锂电池")
    broker = Person.objects.create(
        name="李经纪", organization=tw.seller, region_id="530102", email="li@example.cn", phone="13900000000"
    )
    BrokerProfile.objects.create(
        person=broker, level="senior", certificate_no="JJR-001", certified_on=datetime.date(2024, 5, 1)
    )
    contract = cw.certified()
    return {
        "achievement": ach,
        "listing": listing,
        "auction": auction,
        "deal": deal,
        "expert": expert,
        "broker": broker,
        "contract": contract,
        "organization": tw.seller,
    }


def read_all(since: str = "", limit: int = 500) -> tuple[list[dict], str]:
    """Every item after ``since``, page by page, each page checked against the schema and the signature."""
    items, cursor = [], since
    while True:
        page = feed.page(cursor, limit)
        signing.verify_document(page, identity().public_key)
        fmt.validate_page(page)
        items += page["items"]
        cursor = page["next"]
        if not page["has_more"]:
            return items, cursor


def latest(items: list[dict]) -> dict[str, dict]:
    """The last item of each global id."""
    out: dict[str, dict] = {}
    for item in items:
        out[item["id"]] = item
    return out
