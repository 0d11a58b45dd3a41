"""Auctions — 拍卖: an ascending auction among qualified buyers with start price, reserve price (保留价),
increment, deposit and an extension when a bid arrives in the last minutes (延时竞价, anti-sniping); the
highest bid at or above the reserve wins, otherwise the auction fails (流拍). Auction practice: CTEX.

Concurrency of bids: ``place_bid`` locks the auction row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
project opens every transaction with ``BEGIN IMMEDIATE``, which serializes writers), reads the current price and
end inside the lock, and writes the bid, the new price and the new end together.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import User
from techtransfer.audit import services as audit
from techtransfer.catalog import workflow
from techtransfer.catalog.models import Achievement
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import Conflict, DomainError
from techtransfer.core.fields import CENT, in_field, parse_moment, parse_money, parse_text, parse_whole
from techtransfer.orgs.models import Organization
from techtransfer.trading.models import (
    Auction,
    AuctionStatus,
    Bid,
    DealSource,
    Listing,
    ListingIntent,
    ListingStatus,
    RefusalCode,
)
from techtransfer.trading.permissions import may_manage, require_manager
from techtransfer.trading.services import notify
from techtransfer.trading.services.deals import conclude
from techtransfer.trading.services.intents import is_qualified
from techtransfer.trading.services.lots import (
    achievement_step,
    anti_sniping_default,
    check_fields,
    check_offerable,
    flag,
    lot_url,
    organization,
    seller_admins,
    transfer_mode,
    user_orgs,
    withdrawing,
)

AUCTION_FIELDS = (
    "transfer_mode", "terms", "start_price", "reserve_price", "increment", "deposit", "verified_buyers_only",
    "qualification", "starts_at", "ends_at", "anti_sniping_minutes", "fee_rate",
)
MAX_FEE_RATE = Decimal("0.2")


def _fee_rate(value) -> Decimal:
    """The exchange's fee on a sold lot as a fraction of the price (0 to 0.2, four places; empty is none)."""
    try:
        rate = Decimal(str(value or "0"))
    except InvalidOperation:
        raise DomainError(_("Give the fee rate as a fraction, e.g. 0.01."), field="fee_rate")
    if not rate.is_finite() or rate < 0 or rate > MAX_FEE_RATE or rate != rate.quantize(Decimal("0.0001")):
        raise DomainError(_("The fee rate is a fraction from 0 to 0.2 with at most four places."), field="fee_rate")
    return rate


def create_auction(actor, ach: Achievement, data: dict, now: datetime.datetime | None = None) -> Auction:
    """Put a published achievement up for an ascending auction — 拍卖."""
    now = now or timezone.now()
    check_offerable(actor, ach)
    check_fields(data, AUCTION_FIELDS)
    starts = in_field(parse_moment, data["starts_at"], "starts_at") if data.get("starts_at") else now
    ends = in_field(parse_moment, data.get("ends_at"), "ends_at")
    if ends <= starts:
        raise DomainError(_("The auction must end after it starts."), field="ends_at")
    if ends <= now:
        raise DomainError(_("The auction must end in the future."), field="ends_at")
    fee_rate = _fee_rate(data.get("fee_rate"))
    auction = Auction(
        achievement=ach, seller=ach.owner, region_id=ach.region_id, created_by=actor,
        transfer_mode=transfer_mode(data.get("transfer_mode"), ach),
        terms=in_field(parse_text, data.get("terms"), "terms", max_length=5000),
        start_price=in_field(parse_money, data.get("start_price"), "start_price", positive=True),
        reserve_price=in_field(parse_money, data.get("reserve_price") or "0", "reserve_price"),
        increment=in_field(parse_money, data.get("increment"), "increment", positive=True),
        deposit=in_field(parse_money, data.get("deposit") or "0", "deposit"),
        verified_buyers_only=flag(data.get("verified_buyers_only"), True),
        qualification=in_field(parse_text, data.get("qualification"), "qualification", max_length=5000),
        starts_at=starts, ends_at=ends, scheduled_end=ends,
        anti_sniping_minutes=in_field(parse_whole, data.get("anti_sniping_minutes"), "anti_sniping_minutes",
                                      low=0, high=120, default=anti_sniping_default()),
        fee_rate=fee_rate,
    )
    with transaction.atomic():
        achievement_step(actor, auction, workflow.start_negotiation)
        auction.save()
        audit.created(actor, auction, "trading.auction.create")
    return auction


def _bidder_org(actor, auction: Auction, org) -> Organization | None:
    """The organization the actor bids for: the one named, else its only (or only qualified) organization."""
    if org not in (None, ""):
        chosen = organization(org, "org")
        permissions.require("trading.act_for_org", actor, chosen,
                            message=_("You may bid only for an organization you belong to."))
        return chosen
    orgs = user_orgs(actor)
    if len(orgs) == 1:
        return orgs[0]
    qualified = [o for o in orgs if is_qualified(o.pk, auction)]
    if len(qualified) == 1:
        return qualified[0]
    if not orgs:
        return None
    raise DomainError(_("Choose the organization you bid for."), field="org")


@dataclass
class BidOutcome:
    bid: Bid
    auction: Auction

    @property
    def accepted(self) -> bool:
        return self.bid.accepted

    @property
    def code(self) -> str:
        return self.bid.refusal_code

    @property
    def message(self) -> str:
        if self.bid.accepted:
            return _("Bid accepted.")
        if self.bid.refusal_code == RefusalCode.TOO_LOW:
            return _("Bid refused: the minimum bid is now %(min)s yuan.") % {"min": self.auction.minimum_bid}
        return _("Bid refused: %s.") % RefusalCode(self.bid.refusal_code).label


def place_bid(actor, auction: Auction, amount, org=None, now: datetime.datetime | None = None) -> BidOutcome:
    """Place a bid — 出价. Accepted or refused atomically; a refused bid is kept with its reason code:

    - ``closed``: the auction is not open or its end has passed; ``not_started``: before the start;
    - ``own_lot``: the seller's side; ``not_qualified``: no qualified registration for the bidder organization;
    - ``already_leading``: the bidder holds the highest bid; ``too_low``: below the current price + increment
      (the start price for the first bid).

    An accepted bid less than ``anti_sniping_minutes`` before the end moves the end to bid time + that many
    minutes. A malformed amount is an input error (nothing recorded)."""
    permissions.require_user(actor)
    value = in_field(parse_money, amount, "amount", positive=True)
    # Who bids for which organization does not depend on the auction's moving parts: decided before the lock,
    # so the lock is held only for the price, the end and the writes.
    bidder = _bidder_org(actor, auction, org)
    with transaction.atomic():
        a = Auction.objects.select_for_update().get(pk=auction.pk)
        at = now or timezone.now()
        code = ""
        if a.status != AuctionStatus.OPEN or at >= a.ends_at:
            code = RefusalCode.CLOSED
        elif at < a.starts_at:
            code = RefusalCode.NOT_STARTED
        elif bidder is not None and bidder.pk == a.seller_id:
            code = RefusalCode.OWN_LOT
        elif bidder is None or not is_qualified(bidder.pk, a):
            code = RefusalCode.NOT_QUALIFIED
        elif a.leader_org_id == bidder.pk:
            code = RefusalCode.ALREADY_LEADING
        elif value < a.minimum_bid:
            code = RefusalCode.TOO_LOW
        bid = Bid(auction=a, bidder_org=bidder, user=actor, amount=value, placed_at=at, accepted=not code,
                  refusal_code=code)
        if not code:
            before = {"current_price": str(a.current_price) if a.current_price is not None else None,
                      "ends_at": a.ends_at.isoformat(), "leader_org_id": a.leader_org_id}
            window = datetime.timedelta(minutes=a.anti_sniping_minutes)
            if window and a.ends_at - at < window:
                a.ends_at = at + window
            a.current_price = value
            a.leader_org = bidder
            a.leader_user = actor
            a.bid_count += 1
            a.save(update_fields=["current_price", "leader_org", "leader_user", "bid_count", "ends_at", "updated_at"])
            bid.ends_at_after = a.ends_at
            bid.save()
            audit.record(actor, "trading.auction.bid", a, before,
                         {"current_price": str(value), "ends_at": a.ends_at.isoformat(),
                          "leader_org_id": bidder.pk, "bid_id": bid.pk})
        else:
            bid.save()
    return BidOutcome(bid=bid, auction=a)


def close_auction(auction: Auction, now: datetime.datetime | None = None, actor=None):
    """At the end: the highest accepted bid at or above the reserve wins (deal, fee = rate × price); otherwise
    the auction fails — 流拍 — and the achievement is on offer again. Returns the deal or the auction."""
    now = now or timezone.now()
    if actor is not None:
        require_manager(actor, auction)
    with transaction.atomic():
        a = Auction.objects.select_for_update().select_related("achievement").get(pk=auction.pk)
        if a.status != AuctionStatus.OPEN:
            raise Conflict(_("This auction is already closed."), field="status")
        if now < a.ends_at:
            raise Conflict(_("The auction has not ended yet."), field="ends_at")
        # The highest accepted bid of a bidder still allowed to buy (a foreign bidder whose purchase export control
        # has since prohibited is passed over, 技术出口管制).
        accepted = a.bids.filter(accepted=True).select_related("bidder_org").order_by("-amount", "placed_at")
        top = next((b for b in accepted if exportcontrol.trade_allowed(a.achievement_id, b.bidder_org)), None)
        if top is not None and top.amount >= a.reserve_price:
            with audit.tracking(actor, a, "trading.auction.sold"):
                a.status = AuctionStatus.SOLD
                a.closed_at = now
            if a.listing_id:
                Listing.objects.filter(pk=a.listing_id).update(status=ListingStatus.SOLD)
            fee = (top.amount * a.fee_rate).quantize(CENT)
            result = conclude(actor, a, DealSource.AUCTION, top.bidder_org, top.user, top.amount, now, auction=a,
                              fee=fee)
        else:
            with audit.tracking(actor, a, "trading.auction.failed"):
                a.status = AuctionStatus.FAILED
                a.closed_at = now
            if a.listing_id:
                Listing.objects.filter(pk=a.listing_id).update(status=ListingStatus.CLOSED)
            achievement_step(actor, a, workflow.end_negotiation)
            bidders = User.objects.filter(pk__in=list(a.bids.values_list("user_id", flat=True)))
            notify.send([*bidders, a.created_by, *seller_admins(a.seller_id)],
                        _("Auction failed (no valid bid reached the reserve): %s") % a.achievement, lot_url(a))
            result = a
    auction.refresh_from_db()
    return result


def cancel_auction(actor, auction: Auction, reason: str) -> Auction:
    """Cancel an open auction before any bid is accepted."""
    refusal = _("This auction is already closed.")
    with withdrawing(actor, auction, reason, still=AuctionStatus.OPEN, refusal=refusal) as (a, reason):
        if a.bid_count:
            raise Conflict(_("An auction with accepted bids cannot be cancelled."), field="status")
        with audit.tracking(actor, a, "trading.auction.cancel", reason=reason):
            a.status = AuctionStatus.CANCELLED
            a.closed_at = timezone.now()
        if a.listing_id:
            Listing.objects.filter(pk=a.listing_id).update(status=ListingStatus.CANCELLED)
    return auction


# --- the live state -------------------------------------------------------------------------------------------


def phase(auction: Auction, now: datetime.datetime | None = None) -> str:
    """scheduled / running / ending (over, not yet closed) / sold / failed / cancelled."""
    if auction.status != AuctionStatus.OPEN:
        return auction.status
    now = now or timezone.now()
    if now < auction.starts_at:
        return "scheduled"
    return "running" if now < auction.ends_at else "ending"


def phase_label(code: str) -> str:
    return {
        "scheduled": _("Not started"),
        "running": _("Running"),
        "ending": _("Ended, being closed"),
        "sold": _("Sold"),
        "failed": _("Failed (流拍)"),
        "cancelled": _("Cancelled"),
    }.get(code, code)


def bidder_labels(auction: Auction) -> dict[int, str]:
    """Public bidder numbers (竞买号): bidders are shown by the number of their registration, not by name."""
    q = Q(auction_id=auction.pk)
    if auction.listing_id:
        q |= Q(listing_id=auction.listing_id)
    return {
        buyer: _("Bidder %s") % f"{pk:04d}"
        for pk, buyer in ListingIntent.objects.filter(q).values_list("pk", "buyer_id")
    }


def auction_state(user, auction: Auction, now: datetime.datetime | None = None, history: int = 10) -> dict:
    """The live state of an auction, for the polling page and the API. The reserve price is shown only to
    those who manage the lot (``trading.manage_lot``); others learn whether it is met."""
    now = now or timezone.now()
    labels = bidder_labels(auction)
    mine = {o.pk for o in user_orgs(user)} if permissions.principal(user).authenticated else set()
    manager = may_manage(user, auction)
    bids = list(auction.bids.filter(accepted=True).order_by("-amount")[:history])
    return {
        "id": auction.pk,
        "status": auction.status,
        "status_label": auction.get_status_display(),
        "phase": phase(auction, now),
        "phase_label": phase_label(phase(auction, now)),
        "start_price": str(auction.start_price),
        "increment": str(auction.increment),
        "current_price": str(auction.current_price) if auction.current_price is not None else None,
        "minimum_bid": str(auction.minimum_bid),
        "reserve_met": auction.current_price is not None and auction.current_price >= auction.reserve_price,
        "reserve_price": str(auction.reserve_price) if manager else None,
        "leader": labels.get(auction.leader_org_id) if auction.leader_org_id else None,
        "leader_is_me": bool(auction.leader_org_id and auction.leader_org_id in mine),
        "bid_count": auction.bid_count,
        "starts_at": auction.starts_at.isoformat(),
        "ends_at": auction.ends_at.isoformat(),
        "scheduled_end": auction.scheduled_end.isoformat(),
        "server_time": now.isoformat(),
        "seconds_left": max(0, int((auction.ends_at - now).total_seconds())) if auction.status == "open" else 0,
        "bids": [
            {"amount": str(b.amount), "bidder": labels.get(b.bidder_org_id, "—"), "placed_at": b.placed_at.isoformat(),
             "mine": b.bidder_org_id in mine}
            for b in bids
        ],
    }
