"""Listings — 挂牌交易: a published achievement offered at a fixed price for a period; at its end one qualified
buyer buys at that price, several go to an auction among them, none extends or closes the listing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.audit import services as audit
from techtransfer.catalog import workflow
from techtransfer.catalog.models import Achievement
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import Conflict, DomainError
from techtransfer.core.fields import in_field, parse_moment, parse_money, parse_text, parse_whole
from techtransfer.trading.models import Auction, DealSource, Listing, ListingStatus, NoBuyerAction
from techtransfer.trading.permissions import require_manager
from techtransfer.trading.services import notify
from techtransfer.trading.services.deals import conclude
from techtransfer.trading.services.lots import (
    achievement_step,
    anti_sniping_default,
    check_fields,
    check_offerable,
    flag,
    lot_url,
    transfer_mode,
    withdrawing,
)

LISTING_FIELDS = (
    "price", "transfer_mode", "terms", "starts_at", "ends_at", "period_days", "deposit", "qualification",
    "verified_buyers_only", "no_buyer_action", "extension_days", "max_extensions", "auction_increment",
    "auction_minutes",
)


def create_listing(actor, ach: Achievement, data: dict, now: datetime.datetime | None = None) -> Listing:
    """List a published achievement at a fixed price for a period — 挂牌. The achievement moves to
    "in negotiation" while it is listed."""
    now = now or timezone.now()
    check_offerable(actor, ach)
    check_fields(data, LISTING_FIELDS)
    starts = in_field(parse_moment, data["starts_at"], "starts_at") if data.get("starts_at") else now
    if data.get("ends_at"):
        ends = in_field(parse_moment, data["ends_at"], "ends_at")
    else:
        days = in_field(parse_whole, data.get("period_days"), "period_days", low=1, high=365, default=20)
        ends = starts + datetime.timedelta(days=days)
    if ends <= starts:
        raise DomainError(_("The period must end after it starts."), field="ends_at")
    if ends <= now:
        raise DomainError(_("The period must end in the future."), field="ends_at")
    action = data.get("no_buyer_action") or NoBuyerAction.CLOSE
    if action not in NoBuyerAction.values:
        raise DomainError(_("Choose what happens when nobody qualifies."), field="no_buyer_action")
    listing = Listing(
        achievement=ach,
        seller=ach.owner,
        region_id=ach.region_id,
        created_by=actor,
        price=in_field(parse_money, data.get("price"), "price", positive=True),
        transfer_mode=transfer_mode(data.get("transfer_mode"), ach),
        terms=in_field(parse_text, data.get("terms"), "terms", max_length=5000),
        starts_at=starts,
        ends_at=ends,
        deposit=in_field(parse_money, data.get("deposit") or "0", "deposit"),
        qualification=in_field(parse_text, data.get("qualification"), "qualification", max_length=5000),
        verified_buyers_only=flag(data.get("verified_buyers_only"), True),
        no_buyer_action=action,
        extension_days=in_field(parse_whole, data.get("extension_days"), "extension_days", low=1, high=90,
                                default=10),
        max_extensions=in_field(parse_whole, data.get("max_extensions"), "max_extensions", low=0, high=12,
                                default=2),
        auction_increment=in_field(parse_money, data.get("auction_increment") or "1000", "auction_increment",
                                   positive=True),
        auction_minutes=in_field(parse_whole, data.get("auction_minutes"), "auction_minutes", low=5,
                                 high=7 * 24 * 60, default=60),
    )
    if listing.deposit > listing.price:
        raise DomainError(_("The deposit cannot exceed the price."), field="deposit")
    with transaction.atomic():
        achievement_step(actor, listing, workflow.start_negotiation)
        listing.save()
        audit.created(actor, listing, "trading.listing.create")
    return listing


def cancel_listing(actor, listing: Listing, reason: str) -> Listing:
    """Withdraw an open listing (with a reason); the achievement is on offer again."""
    refusal = _("Only an open listing can be cancelled.")
    with withdrawing(actor, listing, reason, still=ListingStatus.OPEN, refusal=refusal) as (lot, reason):
        with audit.tracking(actor, lot, "trading.listing.cancel", reason=reason):
            lot.status = ListingStatus.CANCELLED
            lot.closed_at = timezone.now()
    return listing


def close_listing(listing: Listing, now: datetime.datetime | None = None, actor=None):
    """End of the listing period: one qualified buyer → deal at the listed price; several → an auction among
    them, starting at the listed price; none → the period is extended (up to ``max_extensions`` times) or the
    listing closes, as the owner chose. Returns the deal, the auction or the listing."""
    now = now or timezone.now()
    if actor is not None:
        require_manager(actor, listing)
    with transaction.atomic():
        lot = Listing.objects.select_for_update().select_related("achievement").get(pk=listing.pk)
        if lot.status != ListingStatus.OPEN:
            raise Conflict(_("This listing is no longer open."), field="status")
        if now < lot.ends_at:
            raise Conflict(_("The listing period is not over yet."), field="ends_at")
        buyers = list(lot.intents.filter(qualified=True).select_related("buyer", "user").order_by("created_at", "pk"))
        # A foreign buyer whose purchase export control has since prohibited is passed over (技术出口管制).
        buyers = [b for b in buyers if exportcontrol.trade_allowed(lot.achievement_id, b.buyer)]
        if len(buyers) == 1:
            with audit.tracking(actor, lot, "trading.listing.sold"):
                lot.status = ListingStatus.SOLD
                lot.closed_at = now
            result = conclude(actor, lot, DealSource.LISTING, buyers[0].buyer, buyers[0].user, lot.price, now,
                              listing=lot)
        elif len(buyers) > 1:
            auction = Auction.objects.create(
                achievement=lot.achievement, seller=lot.seller, region=lot.region, created_by=lot.created_by,
                listing=lot, transfer_mode=lot.transfer_mode, terms=lot.terms, start_price=lot.price,
                reserve_price=lot.price, increment=lot.auction_increment, deposit=lot.deposit,
                verified_buyers_only=lot.verified_buyers_only, qualification=lot.qualification, starts_at=now,
                ends_at=now + datetime.timedelta(minutes=lot.auction_minutes),
                scheduled_end=now + datetime.timedelta(minutes=lot.auction_minutes),
                anti_sniping_minutes=anti_sniping_default(), is_demo=lot.is_demo,
            )
            audit.created(actor, auction, "trading.auction.from_listing")
            with audit.tracking(actor, lot, "trading.listing.to_auction"):
                lot.status = ListingStatus.AUCTION
                lot.closed_at = now
            notify.send([b.user for b in buyers], _("Several buyers qualified: the auction of %s has started")
                        % lot.achievement, lot_url(auction))
            result = auction
        elif lot.no_buyer_action == NoBuyerAction.EXTEND and lot.extensions < lot.max_extensions:
            with audit.tracking(actor, lot, "trading.listing.extend"):
                lot.ends_at = max(lot.ends_at, now) + datetime.timedelta(days=lot.extension_days)
                lot.extensions += 1
            result = lot
        else:
            with audit.tracking(actor, lot, "trading.listing.close"):
                lot.status = ListingStatus.CLOSED
                lot.closed_at = now
            achievement_step(actor, lot, workflow.end_negotiation)
            notify.to_seller(lot, _("Listing closed without a buyer: %s") % lot.achievement, lot_url(lot))
            result = lot
    listing.refresh_from_db()
    return result
