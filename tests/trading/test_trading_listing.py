"""Listings: who may list, buyer registration, deposit and qualification, and the end of the listing period
(one buyer → deal, several → auction, none → extended or closed)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.audit.models import AuditEntry
from techtransfer.catalog.models import Status as AchStatus
from techtransfer.contracts.models import TechContract
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.notifications.models import Notification
from techtransfer.trading import services
from techtransfer.trading.models import (
    Auction,
    Deal,
    DealSource,
    DepositStatus,
    Listing,
    ListingStatus,
)

DAY = datetime.timedelta(days=1)


@pytest.mark.django_db
def test_owner_admin_lists_a_published_achievement_and_it_goes_into_negotiation(tw):
    ach = tw.achievement()
    listing = tw.listing(ach, price="800000.50", period_days=30)
    ach.refresh_from_db()
    assert listing.status == ListingStatus.OPEN
    assert listing.price == Decimal("800000.50")
    assert listing.seller == tw.seller and listing.region_id == tw.seller.region_id
    assert (listing.ends_at - listing.starts_at).days == 30
    assert ach.status == AchStatus.IN_NEGOTIATION
    assert AuditEntry.objects.filter(action="trading.listing.create", object_id=str(listing.pk)).exists()
    # Listed once: the achievement is no longer "published", so a second listing is refused.
    with pytest.raises(Conflict):
        tw.listing(ach)


@pytest.mark.django_db
def test_only_owner_admins_and_reviewers_in_scope_may_list(tw):
    ach = tw.achievement()
    data = {"price": "1000", "transfer_mode": "transfer"}
    for user in (tw.seller_member, tw.user_a, tw.other_admin, tw.visitor):
        with pytest.raises(Forbidden):
            services.create_listing(user, ach, data)
    assert not Listing.objects.exists()
    listing = services.create_listing(tw.region_admin, ach, data)
    assert listing.created_by == tw.region_admin


@pytest.mark.django_db
def test_listing_input_is_checked_field_by_field(tw):
    ach = tw.achievement()
    cases = [
        ({"price": "0", "transfer_mode": "transfer"}, "price"),
        ({"price": "12.345", "transfer_mode": "transfer"}, "price"),
        ({"price": "abc", "transfer_mode": "transfer"}, "price"),
        ({"price": "100", "transfer_mode": "equity"}, "transfer_mode"),  # not among the achievement's modes
        ({"price": "100", "transfer_mode": "transfer", "deposit": "200"}, "deposit"),
        ({"price": "100", "transfer_mode": "transfer", "no_buyer_action": "sell"}, "no_buyer_action"),
        ({"price": "100", "transfer_mode": "transfer", "period_days": "0"}, "period_days"),
        ({"price": "100", "transfer_mode": "transfer", "ends_at": "2001-01-01T00:00"}, "ends_at"),
        ({"price": "100", "transfer_mode": "transfer", "colour": "red"}, "colour"),
    ]
    for data, field in cases:
        with pytest.raises(DomainError) as exc:
            services.create_listing(tw.seller_admin, ach, data)
        assert exc.value.field == field, data
    ach.refresh_from_db()
    assert ach.status == AchStatus.PUBLISHED and not Listing.objects.exists()


@pytest.mark.django_db
def test_unpublished_achievements_cannot_be_listed(tw):
    ach = tw.achievement(status=AchStatus.DRAFT, published_at=None)
    with pytest.raises(Conflict):
        tw.listing(ach)


@pytest.mark.django_db
def test_buyer_registration_rules(tw):
    listing = tw.listing(qualification="具备产业化能力")
    with pytest.raises(DomainError) as exc:
        services.register_intent(tw.seller_member, listing)
    assert exc.value.code == "own_lot"
    with pytest.raises(DomainError) as exc:
        services.register_intent(tw.user_unverified, listing)
    assert exc.value.code == "not_qualified"
    with pytest.raises(Forbidden):
        services.register_intent(tw.user_a, listing, tw.buyer_b.pk)
    with pytest.raises(Forbidden):
        services.register_intent(tw.visitor, listing)
    intent = services.register_intent(tw.user_a, listing, note="拟用于量产")
    # Conditions stated: the seller must qualify the buyer first.
    assert intent.buyer == tw.buyer_a and not intent.qualified
    assert intent.deposit_status == DepositStatus.NOT_REQUIRED
    # The registration's audit entry carries the lot's region (region administrators read it).
    entry = AuditEntry.objects.get(action="trading.intent.register", object_id=str(intent.pk))
    assert entry.region_code == listing.region_id == intent.region_id
    with pytest.raises(Conflict):
        services.register_intent(tw.user_a, listing)
    assert Notification.objects.filter(user=tw.seller_admin, title__contains=tw.buyer_a.name).exists()
    later = timezone.now() + 21 * DAY
    with pytest.raises(Conflict):
        services.register_intent(tw.user_b, listing, now=later)


@pytest.mark.django_db
def test_deposit_must_be_paid_before_qualification(tw):
    listing = tw.listing(deposit="50000")
    intent = services.register_intent(tw.user_a, listing)
    assert intent.deposit_status == DepositStatus.PENDING and not intent.qualified
    with pytest.raises(DomainError) as exc:
        services.qualify(tw.seller_admin, intent, True)
    assert exc.value.field == "deposit_status"
    with pytest.raises(Forbidden):
        services.record_deposit(tw.user_a, intent, DepositStatus.PAID)
    with pytest.raises(Forbidden):
        services.record_deposit(tw.other_admin, intent, DepositStatus.PAID)
    services.record_deposit(tw.seller_admin, intent, DepositStatus.PAID)
    services.qualify(tw.seller_admin, intent, True, "资料齐全")
    intent.refresh_from_db()
    assert intent.qualified and intent.qualification_note == "资料齐全"
    services.record_deposit(tw.region_admin, intent, DepositStatus.REFUNDED)
    intent.refresh_from_db()
    assert intent.deposit_status == DepositStatus.REFUNDED and not intent.qualified
    assert AuditEntry.objects.filter(action="trading.intent.deposit", object_id=str(intent.pk)).count() == 2


@pytest.mark.django_db
def test_one_qualified_buyer_buys_at_the_listed_price(tw):
    ach = tw.achievement()
    listing = tw.listing(ach, price="650000")
    intent = services.register_intent(tw.user_a, listing)
    assert intent.qualified  # no deposit and no conditions: nothing to check
    services.register_intent(tw.user_b, listing, tw.buyer_b.pk)
    services.qualify(tw.seller_admin, listing.intents.get(buyer=tw.buyer_b), False, "不符合条件")
    with pytest.raises(Conflict):
        services.close_listing(listing, timezone.now())  # period not over
    deal = services.close_listing(listing, listing.ends_at)
    assert isinstance(deal, Deal)
    assert (deal.source, deal.listing, deal.buyer, deal.price) == (DealSource.LISTING, listing, tw.buyer_a,
                                                                   Decimal("650000.00"))
    listing.refresh_from_db()
    ach.refresh_from_db()
    assert listing.status == ListingStatus.SOLD and ach.status == AchStatus.TRANSFERRED
    contract = TechContract.objects.get(pk=deal.contract_id)
    assert contract.status == "draft" and contract.seller_org == tw.seller
    assert contract.contract_amount == Decimal("650000.00") and contract.achievement_id == ach.pk
    assert contract.category_id == "transfer" and contract.subcategory_id == "tr_patent"
    assert contract.buyer.organization == tw.buyer_a
    assert Notification.objects.filter(user=tw.user_a, title__contains=ach.title).exists()
    assert Notification.objects.filter(user=tw.seller_admin, title__contains="650000").exists()
    with pytest.raises(Conflict):
        services.close_listing(listing, listing.ends_at)


@pytest.mark.django_db
def test_several_qualified_buyers_turn_the_listing_into_an_auction(tw):
    listing = tw.listing(price="300000", auction_increment="5000", auction_minutes=30)
    for user in (tw.user_a, tw.user_b, tw.user_c):
        services.register_intent(user, listing)
    end = listing.ends_at
    auction = services.close_listing(listing, end)
    assert isinstance(auction, Auction)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.AUCTION and auction.listing == listing
    assert (auction.start_price, auction.reserve_price, auction.increment) == (
        Decimal("300000.00"), Decimal("300000.00"), Decimal("5000.00"))
    assert auction.starts_at == end and auction.ends_at == end + datetime.timedelta(minutes=30)
    # The listing's qualified buyers are the auction's bidders.
    outcome = services.place_bid(tw.user_b, auction, "300000", now=end + datetime.timedelta(minutes=1))
    assert outcome.accepted
    refused = services.place_bid(tw.user_unverified, auction, "400000", now=end + datetime.timedelta(minutes=2))
    assert refused.code == "not_qualified"
    deal = services.close_auction(auction, auction.ends_at)
    listing.refresh_from_db()
    assert deal.buyer == tw.buyer_b and deal.source == DealSource.AUCTION and listing.status == ListingStatus.SOLD


@pytest.mark.django_db
def test_no_buyer_extends_up_to_the_limit_then_closes(tw):
    ach = tw.achievement()
    listing = tw.listing(ach, no_buyer_action="extend", extension_days=7, max_extensions=2)
    first_end = listing.ends_at
    services.close_listing(listing, first_end)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.OPEN and listing.extensions == 1
    assert listing.ends_at == first_end + 7 * DAY
    services.close_listing(listing, listing.ends_at)
    services.close_listing(listing, Listing.objects.get(pk=listing.pk).ends_at)
    listing.refresh_from_db()
    ach.refresh_from_db()
    assert listing.status == ListingStatus.CLOSED and listing.extensions == 2
    assert ach.status == AchStatus.PUBLISHED
    assert list(AuditEntry.objects.filter(object_id=str(listing.pk), object_type="trading.listing")
                .values_list("action", flat=True).order_by("pk")) == [
        "trading.listing.create", "trading.listing.extend", "trading.listing.extend", "trading.listing.close"]


@pytest.mark.django_db
def test_no_buyer_closes_when_the_owner_chose_so(tw):
    ach = tw.achievement()
    listing = tw.listing(ach, no_buyer_action="close")
    services.close_listing(listing, listing.ends_at + DAY)
    listing.refresh_from_db()
    ach.refresh_from_db()
    assert listing.status == ListingStatus.CLOSED and ach.status == AchStatus.PUBLISHED
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_cancel_needs_a_manager_and_a_reason(tw):
    ach = tw.achievement()
    listing = tw.listing(ach)
    with pytest.raises(Forbidden):
        services.cancel_listing(tw.user_a, listing, "x")
    with pytest.raises(DomainError):
        services.cancel_listing(tw.seller_admin, listing, " ")
    services.cancel_listing(tw.seller_admin, listing, "专利权属变更")
    ach.refresh_from_db()
    assert listing.status == ListingStatus.CANCELLED and ach.status == AchStatus.PUBLISHED
    with pytest.raises(Conflict):
        services.cancel_listing(tw.seller_admin, listing, "again")


@pytest.mark.django_db
def test_the_clock_closes_due_listings(tw):
    listing = tw.listing(no_buyer_action="close")
    services.register_intent(tw.user_a, listing)
    early = services.close_due(timezone.now())
    assert early["listings"] == 0
    done = services.close_due(listing.ends_at + datetime.timedelta(seconds=1))
    assert done["listings"] == 1 and Deal.objects.get().listing == listing
    assert services.close_due(listing.ends_at + DAY)["listings"] == 0  # idempotent
