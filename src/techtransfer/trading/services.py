"""Trading rules — 成果交易规则: listing, auction and negotiated deal with public notice, one function per transition.

Source: 促进科技成果转化法 (2015) art. 18 — a state-funded unit may price an achievement by agreement, by listing on a
technology exchange or by auction; agreement pricing needs a public notice of the achievement's name, the parties
and the price (15 days by common practice, ``TRADING_NOTICE_MIN_DAYS``). Auction practice (CTEX): start price,
reserve price, increment, deposit (保证金), failed auction (流拍) when no valid bid reaches the reserve, a fee on
sold lots only, and an extension when a bid arrives in the last minutes (延时竞价).

Every transition checks the person (``Forbidden``), then the state (``Conflict``), then its own preconditions,
and saves the change with its audit entry in one transaction; nothing changes when a check fails. Transitions
driven by the clock (closing a listing period, an auction, a notice period) take an explicit ``now`` so the
periodic task and the tests share the same code.

Concurrency of bids: ``place_bid`` locks the auction row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
project opens every transaction with ``BEGIN IMMEDIATE``, which serializes writers), reads the current price and
end inside the lock, and writes the bid, the new price and the new end together.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.audit import services as audit
from techtransfer.catalog import workflow
from techtransfer.catalog.models import PATENT_KINDS, Achievement, IPKind, TransferMode
from techtransfer.catalog.models import Status as AchStatus
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.orgs.models import Organization, OrgKind, Verification
from techtransfer.trading.models import (
    ZERO,
    Auction,
    AuctionStatus,
    Bid,
    Deal,
    DealSource,
    DepositStatus,
    Listing,
    ListingIntent,
    ListingStatus,
    NoBuyerAction,
    Notice,
    NoticeStatus,
    Objection,
    ObjectionOutcome,
    RefusalCode,
)

log = logging.getLogger(__name__)
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
# Owners that are state-funded by their kind (public universities, institutes, government bodies); other owners
# count as state-funded when the achievement names a public funding source (财政资助).
STATE_FUNDED_KINDS = (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.NEW_RD, OrgKind.GOVERNMENT)


def notice_min_days() -> int:
    return int(getattr(settings, "TRADING_NOTICE_MIN_DAYS", 15))


def anti_sniping_default() -> int:
    return int(getattr(settings, "TRADING_ANTI_SNIPING_MINUTES", 5))


# --- parsing -------------------------------------------------------------------------------------------------


def money(value, field: str, *, positive: bool = True) -> Decimal:
    """An amount in yuan with at most two decimal places (positive unless told otherwise)."""
    if value in (None, ""):
        raise DomainError(_("This amount is required."), field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Not an amount: %s") % value, field=field)
    if not amount.is_finite():
        raise DomainError(_("Not an amount: %s") % value, field=field)
    if amount != amount.quantize(CENT):
        raise DomainError(_("Amounts are in yuan with at most two decimal places."), field=field)
    if amount < 0 or (positive and amount == 0):
        raise DomainError(_("The amount must be above zero.") if positive else _("An amount cannot be negative."),
                          field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large."), field=field)
    return amount.quantize(CENT)


def moment(value, field: str) -> datetime.datetime:
    """A timezone-aware date and time (ISO 8601; a naive value is read in the platform's time zone)."""
    if isinstance(value, datetime.datetime):
        dt = value
    else:
        dt = parse_datetime(str(value or "").strip()) if value not in (None, "") else None
        if dt is None:
            raise DomainError(_("Not a date and time (YYYY-MM-DDTHH:MM): %s") % (value or ""), field=field)
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def whole(value, field: str, low: int, high: int, default: int | None = None) -> int:
    if value in (None, "") and default is not None:
        return default
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Give a whole number."), field=field)
    if n < low or n > high:
        raise DomainError(_("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field)
    return n


def _text(data: dict, key: str, limit: int = 5000) -> str:
    value = (data.get(key) or "").strip()
    if len(value) > limit:
        raise DomainError(_("At most %d characters.") % limit, field=key)
    return value


def _flag(value, default: bool) -> bool:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "on", "yes")


def _check_fields(data: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(unknown), field=unknown[0])


def _org(value, field: str) -> Organization:
    if isinstance(value, Organization):
        return value
    try:
        org = Organization.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        org = None
    if org is None:
        raise DomainError(_("No such organization: %s") % (value or ""), field=field)
    return org


# --- who -----------------------------------------------------------------------------------------------------


def _require_user(actor) -> None:
    if not permissions.principal(actor).authenticated:
        raise Forbidden(_("Sign in first."))


def may_manage(user, lot) -> bool:
    """The seller organization's administrators, region administrators in scope and platform administrators."""
    return permissions.principal(user).authenticated and permissions.can_change(user, lot)


def _require_manager(user, lot) -> None:
    _require_user(user)
    if not may_manage(user, lot):
        raise Forbidden(
            _("Only the seller organization's administrators or a region administrator in scope may do this.")
        )


def user_orgs(user) -> list[Organization]:
    ids = permissions.principal(user).org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)
    return list(Organization.objects.filter(pk__in=sorted(ids)))


def _may_offer(user, ach: Achievement) -> bool:
    return workflow.is_owner_admin(user, ach) or workflow.is_platform_reviewer(user, ach)


def _seller_admins(org_id: int) -> list[User]:
    ids = RoleAssignment.objects.filter(organization_id=org_id, role=Role.ORG_ADMIN).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=list(ids), is_active=True).order_by("pk"))


def _acting_for_seller(lot) -> User | None:
    """Who the platform acts as for the seller when the clock concludes a deal: the lot's creator while it may
    still act for the achievement, else an administrator of the seller, else a platform administrator."""
    creator = lot.created_by
    if creator is not None and creator.is_active and _may_offer(creator, lot.achievement):
        return creator
    admins = _seller_admins(lot.seller_id)
    if admins:
        return admins[0]
    platform = RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN).values_list("user_id", flat=True)
    return User.objects.filter(Q(is_superuser=True) | Q(pk__in=list(platform)), is_active=True).order_by("pk").first()


def _achievement_step(actor, lot, step) -> None:
    """Move the achievement through the catalog workflow (as ``actor``, or as the seller side for clock events)."""
    who = actor if actor is not None and _may_offer(actor, lot.achievement) else _acting_for_seller(lot)
    if who is None:
        raise Conflict(_("Nobody may act for the seller organization; ask a platform administrator."))
    step(who, lot.achievement)
    lot.achievement.refresh_from_db()


def _check_offerable(actor, ach: Achievement) -> None:
    _require_user(actor)
    if not _may_offer(actor, ach):
        raise Forbidden(_("Only the owner organization's administrator or a platform reviewer may offer it."))
    if ach.status != AchStatus.PUBLISHED:
        raise Conflict(
            _("Only a published achievement that is not already being traded can be offered (it is %(s)s).")
            % {"s": ach.get_status_display()},
            field="achievement",
        )


def _transfer_mode(value, ach: Achievement) -> str:
    mode = (value or "").strip()
    if mode not in TransferMode.values:
        raise DomainError(_("Choose a transfer mode."), field="transfer_mode")
    if ach.transfer_modes and mode not in ach.transfer_modes:
        raise DomainError(_("The achievement is not offered in this transfer mode."), field="transfer_mode")
    return mode


# --- notifications -------------------------------------------------------------------------------------------


def _notify(users, title: str, url: str) -> None:
    """A short notice in the platform's notification inbox (the matching app's)."""
    from techtransfer.matching.models import Notification

    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        Notification.objects.create(user=user, title=title[:200], url=url[:300])


def _notify_seller(lot, title: str, url: str) -> None:
    _notify([lot.created_by, *_seller_admins(lot.seller_id)], title, url)


# --- listings ------------------------------------------------------------------------------------------------

LISTING_FIELDS = (
    "price", "transfer_mode", "terms", "starts_at", "ends_at", "period_days", "deposit", "qualification",
    "verified_buyers_only", "no_buyer_action", "extension_days", "max_extensions", "auction_increment",
    "auction_minutes",
)


def create_listing(actor, ach: Achievement, data: dict, now: datetime.datetime | None = None) -> Listing:
    """List a published achievement at a fixed price for a period — 挂牌. The achievement moves to
    "in negotiation" while it is listed."""
    now = now or timezone.now()
    _check_offerable(actor, ach)
    _check_fields(data, LISTING_FIELDS)
    starts = moment(data["starts_at"], "starts_at") if data.get("starts_at") else now
    if data.get("ends_at"):
        ends = moment(data["ends_at"], "ends_at")
    else:
        ends = starts + datetime.timedelta(days=whole(data.get("period_days"), "period_days", 1, 365, 20))
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
        price=money(data.get("price"), "price"),
        transfer_mode=_transfer_mode(data.get("transfer_mode"), ach),
        terms=_text(data, "terms"),
        starts_at=starts,
        ends_at=ends,
        deposit=money(data.get("deposit") or "0", "deposit", positive=False),
        qualification=_text(data, "qualification"),
        verified_buyers_only=_flag(data.get("verified_buyers_only"), True),
        no_buyer_action=action,
        extension_days=whole(data.get("extension_days"), "extension_days", 1, 90, 10),
        max_extensions=whole(data.get("max_extensions"), "max_extensions", 0, 12, 2),
        auction_increment=money(data.get("auction_increment") or "1000", "auction_increment"),
        auction_minutes=whole(data.get("auction_minutes"), "auction_minutes", 5, 7 * 24 * 60, 60),
    )
    if listing.deposit > listing.price:
        raise DomainError(_("The deposit cannot exceed the price."), field="deposit")
    with transaction.atomic():
        _achievement_step(actor, listing, workflow.start_negotiation)
        listing.save()
        audit.created(actor, listing, "trading.listing.create")
    return listing


def cancel_listing(actor, listing: Listing, reason: str) -> Listing:
    """Withdraw an open listing (with a reason); the achievement is on offer again."""
    _require_manager(actor, listing)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        lot = Listing.objects.select_for_update().get(pk=listing.pk)
        if lot.status != ListingStatus.OPEN:
            raise Conflict(_("Only an open listing can be cancelled."), field="status")
        with audit.tracking(actor, lot, "trading.listing.cancel", reason=reason):
            lot.status = ListingStatus.CANCELLED
            lot.closed_at = timezone.now()
        _achievement_step(actor, lot, workflow.end_negotiation)
    listing.refresh_from_db()
    return listing


def _lot_open_for_registration(lot, now) -> None:
    if isinstance(lot, Listing):
        if lot.status != ListingStatus.OPEN:
            raise Conflict(_("This listing is no longer open."), field="status")
        if now < lot.starts_at:
            raise Conflict(_("The listing period has not started yet."), field="status")
        if now >= lot.ends_at:
            raise Conflict(_("The listing period is over."), field="status")
    else:
        if lot.status != AuctionStatus.OPEN or now >= lot.ends_at:
            raise Conflict(_("This auction is no longer open."), field="status")


def register_intent(actor, lot, buyer=None, note: str = "", now: datetime.datetime | None = None) -> ListingIntent:
    """A buyer registers intent on a listing or an auction — 意向受让登记 (by a member of the buyer organization)."""
    now = now or timezone.now()
    _require_user(actor)
    orgs = user_orgs(actor)
    if not orgs:
        raise Forbidden(_("Only members of an organization may register as buyers."))
    if buyer in (None, ""):
        if len(orgs) != 1:
            raise DomainError(_("Choose the organization you act for."), field="buyer")
        buyer_org = orgs[0]
    else:
        buyer_org = _org(buyer, "buyer")
        if buyer_org.pk not in {o.pk for o in orgs}:
            raise Forbidden(_("You may register only for an organization you belong to."))
    if buyer_org.pk == lot.seller_id:
        raise DomainError(_("The seller cannot buy its own lot."), field="buyer", code="own_lot")
    if lot.verified_buyers_only and buyer_org.verification != Verification.VERIFIED:
        raise DomainError(_("Only verified organizations may register for this lot."), field="buyer",
                          code="not_qualified")
    note = (note or "").strip()[:2000]
    key = {"listing": lot} if isinstance(lot, Listing) else {"auction": lot}
    with transaction.atomic():
        locked = type(lot).objects.select_for_update().get(pk=lot.pk)
        _lot_open_for_registration(locked, now)
        if ListingIntent.objects.filter(buyer=buyer_org, **key).exists():
            raise Conflict(_("This organization has already registered."), field="buyer")
        needs_deposit = locked.deposit > 0
        intent = ListingIntent.objects.create(
            **key,
            buyer=buyer_org,
            user=actor,
            region_id=locked.region_id,
            note=note,
            deposit_status=DepositStatus.PENDING if needs_deposit else DepositStatus.NOT_REQUIRED,
            # Without a deposit or stated conditions nothing is left to check: the buyer qualifies at once.
            qualified=not needs_deposit and not locked.qualification.strip(),
        )
        audit.created(actor, intent, "trading.intent.register")
        _notify_seller(locked, _("New buyer registration: %s") % buyer_org, lot_url(locked))
    return intent


def _intent_lot(intent: ListingIntent):
    return intent.listing or intent.auction


def record_deposit(actor, intent: ListingIntent, status: str) -> ListingIntent:
    """Record the deposit's status (paid, refunded, forfeited, awaiting). Not paid means not qualified."""
    lot = _intent_lot(intent)
    _require_manager(actor, lot)
    if lot.deposit <= 0:
        raise Conflict(_("This lot requires no deposit."), field="deposit_status")
    if status not in (DepositStatus.PENDING, DepositStatus.PAID, DepositStatus.REFUNDED, DepositStatus.FORFEITED):
        raise DomainError(_("Unknown deposit status."), field="deposit_status")
    with transaction.atomic():
        it = ListingIntent.objects.select_for_update().get(pk=intent.pk)
        with audit.tracking(actor, it, "trading.intent.deposit"):
            it.deposit_status = status
            it.decided_by = actor
            if status != DepositStatus.PAID:
                it.qualified = False
    intent.refresh_from_db()
    return intent


def qualify(actor, intent: ListingIntent, qualified: bool, note: str = "") -> ListingIntent:
    """Qualify a registered buyer (or withdraw the qualification) — 资格审核. A buyer with a required deposit
    unpaid, or an unverified buyer where verified buyers only may take part, cannot be qualified."""
    lot = _intent_lot(intent)
    _require_manager(actor, lot)
    with transaction.atomic():
        it = ListingIntent.objects.select_for_update().select_related("buyer").get(pk=intent.pk)
        if qualified:
            if lot.deposit > 0 and it.deposit_status != DepositStatus.PAID:
                raise DomainError(_("The deposit has not been paid."), field="deposit_status")
            if lot.verified_buyers_only and it.buyer.verification != Verification.VERIFIED:
                raise DomainError(_("The buyer organization is not verified."), field="buyer")
        closed = (isinstance(lot, Listing) and lot.status != ListingStatus.OPEN) or (
            isinstance(lot, Auction) and lot.status != AuctionStatus.OPEN
        )
        if closed:
            raise Conflict(_("The lot is closed; qualifications can no longer change."), field="status")
        with audit.tracking(actor, it, "trading.intent.qualify", reason=(note or "").strip()):
            it.qualified = bool(qualified)
            it.qualification_note = (note or "").strip()[:2000]
            it.decided_by = actor
        _notify([it.user], (_("You are qualified for %s") if qualified else _("Qualification not granted for %s"))
                % lot.achievement, lot_url(lot))
    intent.refresh_from_db()
    return intent


def close_listing(listing: Listing, now: datetime.datetime | None = None, actor=None):
    """End of the listing period: one qualified buyer → deal at the listed price; several → an auction among
    them, starting at the listed price; none → the period is extended (up to ``max_extensions`` times) or the
    listing closes, as the owner chose. Returns the deal, the auction or the listing."""
    now = now or timezone.now()
    if actor is not None:
        _require_manager(actor, listing)
    with transaction.atomic():
        lot = Listing.objects.select_for_update().select_related("achievement").get(pk=listing.pk)
        if lot.status != ListingStatus.OPEN:
            raise Conflict(_("This listing is no longer open."), field="status")
        if now < lot.ends_at:
            raise Conflict(_("The listing period is not over yet."), field="ends_at")
        buyers = list(lot.intents.filter(qualified=True).select_related("buyer", "user").order_by("created_at", "pk"))
        if len(buyers) == 1:
            with audit.tracking(actor, lot, "trading.listing.sold"):
                lot.status = ListingStatus.SOLD
                lot.closed_at = now
            result = _conclude(actor, lot, DealSource.LISTING, buyers[0].buyer, buyers[0].user, lot.price, now,
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
            _notify([b.user for b in buyers], _("Several buyers qualified: the auction of %s has started")
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
            _achievement_step(actor, lot, workflow.end_negotiation)
            _notify_seller(lot, _("Listing closed without a buyer: %s") % lot.achievement, lot_url(lot))
            result = lot
    listing.refresh_from_db()
    return result


# --- auctions ------------------------------------------------------------------------------------------------

AUCTION_FIELDS = (
    "transfer_mode", "terms", "start_price", "reserve_price", "increment", "deposit", "verified_buyers_only",
    "qualification", "starts_at", "ends_at", "anti_sniping_minutes", "fee_rate",
)


def create_auction(actor, ach: Achievement, data: dict, now: datetime.datetime | None = None) -> Auction:
    """Put a published achievement up for an ascending auction — 拍卖."""
    now = now or timezone.now()
    _check_offerable(actor, ach)
    _check_fields(data, AUCTION_FIELDS)
    starts = moment(data["starts_at"], "starts_at") if data.get("starts_at") else now
    ends = moment(data.get("ends_at"), "ends_at")
    if ends <= starts:
        raise DomainError(_("The auction must end after it starts."), field="ends_at")
    if ends <= now:
        raise DomainError(_("The auction must end in the future."), field="ends_at")
    try:
        fee_rate = Decimal(str(data.get("fee_rate") or "0"))
    except InvalidOperation:
        raise DomainError(_("Give the fee rate as a fraction, e.g. 0.01."), field="fee_rate")
    if not fee_rate.is_finite() or fee_rate < 0 or fee_rate > Decimal("0.2") or fee_rate != fee_rate.quantize(
        Decimal("0.0001")
    ):
        raise DomainError(_("The fee rate is a fraction from 0 to 0.2 with at most four places."), field="fee_rate")
    auction = Auction(
        achievement=ach, seller=ach.owner, region_id=ach.region_id, created_by=actor,
        transfer_mode=_transfer_mode(data.get("transfer_mode"), ach), terms=_text(data, "terms"),
        start_price=money(data.get("start_price"), "start_price"),
        reserve_price=money(data.get("reserve_price") or "0", "reserve_price", positive=False),
        increment=money(data.get("increment"), "increment"),
        deposit=money(data.get("deposit") or "0", "deposit", positive=False),
        verified_buyers_only=_flag(data.get("verified_buyers_only"), True),
        qualification=_text(data, "qualification"), starts_at=starts, ends_at=ends, scheduled_end=ends,
        anti_sniping_minutes=whole(data.get("anti_sniping_minutes"), "anti_sniping_minutes", 0, 120,
                                   anti_sniping_default()),
        fee_rate=fee_rate,
    )
    with transaction.atomic():
        _achievement_step(actor, auction, workflow.start_negotiation)
        auction.save()
        audit.created(actor, auction, "trading.auction.create")
    return auction


def is_qualified(org_id: int, auction: Auction) -> bool:
    q = Q(auction_id=auction.pk)
    if auction.listing_id:
        q |= Q(listing_id=auction.listing_id)
    return ListingIntent.objects.filter(q, buyer_id=org_id, qualified=True).exists()


def _bidder_org(actor, auction: Auction, org) -> Organization | None:
    """The organization the actor bids for: the one named, else its only (or only qualified) organization."""
    orgs = user_orgs(actor)
    if org not in (None, ""):
        chosen = _org(org, "org")
        if chosen.pk not in {o.pk for o in orgs}:
            raise Forbidden(_("You may bid only for an organization you belong to."))
        return chosen
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
    _require_user(actor)
    value = money(amount, "amount")
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
        _require_manager(actor, auction)
    with transaction.atomic():
        a = Auction.objects.select_for_update().select_related("achievement").get(pk=auction.pk)
        if a.status != AuctionStatus.OPEN:
            raise Conflict(_("This auction is already closed."), field="status")
        if now < a.ends_at:
            raise Conflict(_("The auction has not ended yet."), field="ends_at")
        top = a.bids.filter(accepted=True).order_by("-amount", "placed_at").first()
        if top is not None and top.amount >= a.reserve_price:
            with audit.tracking(actor, a, "trading.auction.sold"):
                a.status = AuctionStatus.SOLD
                a.closed_at = now
            if a.listing_id:
                Listing.objects.filter(pk=a.listing_id).update(status=ListingStatus.SOLD)
            fee = (top.amount * a.fee_rate).quantize(CENT)
            result = _conclude(actor, a, DealSource.AUCTION, top.bidder_org, top.user, top.amount, now, auction=a,
                               fee=fee)
        else:
            with audit.tracking(actor, a, "trading.auction.failed"):
                a.status = AuctionStatus.FAILED
                a.closed_at = now
            if a.listing_id:
                Listing.objects.filter(pk=a.listing_id).update(status=ListingStatus.CLOSED)
            _achievement_step(actor, a, workflow.end_negotiation)
            bidders = User.objects.filter(pk__in=list(a.bids.values_list("user_id", flat=True)))
            _notify([*bidders, a.created_by, *_seller_admins(a.seller_id)],
                    _("Auction failed (no valid bid reached the reserve): %s") % a.achievement, lot_url(a))
            result = a
    auction.refresh_from_db()
    return result


def cancel_auction(actor, auction: Auction, reason: str) -> Auction:
    """Cancel an open auction before any bid is accepted."""
    _require_manager(actor, auction)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        a = Auction.objects.select_for_update().get(pk=auction.pk)
        if a.status != AuctionStatus.OPEN:
            raise Conflict(_("This auction is already closed."), field="status")
        if a.bid_count:
            raise Conflict(_("An auction with accepted bids cannot be cancelled."), field="status")
        with audit.tracking(actor, a, "trading.auction.cancel", reason=reason):
            a.status = AuctionStatus.CANCELLED
            a.closed_at = timezone.now()
        if a.listing_id:
            Listing.objects.filter(pk=a.listing_id).update(status=ListingStatus.CANCELLED)
        _achievement_step(actor, a, workflow.end_negotiation)
    auction.refresh_from_db()
    return auction


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
    those who manage the lot; others learn whether it is met."""
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


# --- negotiated deals with public notice ---------------------------------------------------------------------

NOTICE_FIELDS = ("buyer", "price", "transfer_mode", "pricing_basis", "contact", "period_days", "starts_at")


def is_state_funded(ach: Achievement) -> bool:
    return ach.must_report or ach.owner.kind in STATE_FUNDED_KINDS


def publish_notice(actor, ach: Achievement, data: dict, now: datetime.datetime | None = None) -> Notice:
    """Publish the public notice of a price agreed with a buyer — 协议定价公示 — for at least
    ``TRADING_NOTICE_MIN_DAYS`` days (促进科技成果转化法 art. 18). Only for state-funded owners or achievements."""
    now = now or timezone.now()
    _check_offerable(actor, ach)
    _check_fields(data, NOTICE_FIELDS)
    if not is_state_funded(ach):
        raise DomainError(
            _("A public notice is the procedure for state-funded achievements (public funding source or a public "
              "university, institute or government owner); this one is neither."),
            field="achievement",
        )
    buyer = _org(data.get("buyer"), "buyer")
    if buyer.pk == ach.owner_id:
        raise DomainError(_("The buyer must be another organization."), field="buyer")
    minimum = notice_min_days()
    days = whole(data.get("period_days"), "period_days", minimum, 365, minimum)
    contact = _text(data, "contact", 200)
    if not contact:
        raise DomainError(_("Say where objections are to be sent."), field="contact")
    starts = moment(data["starts_at"], "starts_at") if data.get("starts_at") else now
    if starts < now - datetime.timedelta(minutes=5):
        raise DomainError(_("A notice period cannot start in the past."), field="starts_at")
    notice = Notice(
        achievement=ach, seller=ach.owner, region_id=ach.region_id, created_by=actor, buyer=buyer,
        price=money(data.get("price"), "price"), transfer_mode=_transfer_mode(data.get("transfer_mode"), ach),
        pricing_basis=_text(data, "pricing_basis"), contact=contact, starts_at=starts,
        ends_at=starts + datetime.timedelta(days=days),
    )
    with transaction.atomic():
        _achievement_step(actor, notice, workflow.start_negotiation)
        notice.save()
        audit.created(actor, notice, "trading.notice.publish")
        _notify(_seller_admins(buyer.pk), _("Public notice of your agreed deal: %s") % ach, lot_url(notice))
    return notice


def file_objection(actor, notice: Notice, text: str, now: datetime.datetime | None = None) -> Objection:
    """Anyone signed in may object during the notice period — 异议."""
    now = now or timezone.now()
    _require_user(actor)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the objection."), field="text")
    if len(text) > 5000:
        raise DomainError(_("At most %d characters.") % 5000, field="text")
    with transaction.atomic():
        n = Notice.objects.select_for_update().get(pk=notice.pk)
        if n.status != NoticeStatus.IN_PERIOD or not (n.starts_at <= now < n.ends_at):
            raise Conflict(_("Objections can be filed only during the notice period."), field="status")
        obj = Objection.objects.create(notice=n, filer=actor, text=text)
        audit.created(actor, obj, "trading.objection.file")
        _notify_seller(n, _("Objection filed against the notice of %s") % n.achievement, lot_url(n))
    return obj


def handle_objection(actor, objection: Objection, outcome: str, note: str) -> Objection:
    """Record how an objection was handled: dismissed, or upheld — which revokes the notice and puts the
    achievement on offer again."""
    notice = objection.notice
    _require_manager(actor, notice)
    note = (note or "").strip()
    if outcome not in (ObjectionOutcome.DISMISSED, ObjectionOutcome.UPHELD):
        raise DomainError(_("Choose dismissed or upheld."), field="outcome")
    if not note:
        raise DomainError(_("Record how the objection was handled."), field="note")
    with transaction.atomic():
        n = Notice.objects.select_for_update().get(pk=notice.pk)
        obj = Objection.objects.select_for_update().get(pk=objection.pk)
        if obj.outcome != ObjectionOutcome.PENDING:
            raise Conflict(_("This objection has already been handled."), field="outcome")
        if n.status != NoticeStatus.IN_PERIOD:
            raise Conflict(_("The notice is closed."), field="status")
        with audit.tracking(actor, obj, f"trading.objection.{outcome}", reason=note):
            obj.outcome = outcome
            obj.outcome_note = note[:5000]
            obj.handled_by = actor
            obj.handled_at = timezone.now()
        if outcome == ObjectionOutcome.UPHELD:
            with audit.tracking(actor, n, "trading.notice.revoke", reason=note):
                n.status = NoticeStatus.REVOKED
                n.revoked_reason = note[:5000]
                n.closed_at = timezone.now()
            _achievement_step(actor, n, workflow.end_negotiation)
        _notify([obj.filer], _("Your objection was %(o)s: %(a)s") % {"o": obj.get_outcome_display(),
                                                                      "a": n.achievement}, lot_url(n))
    objection.refresh_from_db()
    return objection


def revoke_notice(actor, notice: Notice, reason: str) -> Notice:
    """Withdraw a notice during its period (the parties gave up the deal)."""
    _require_manager(actor, notice)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        n = Notice.objects.select_for_update().get(pk=notice.pk)
        if n.status != NoticeStatus.IN_PERIOD:
            raise Conflict(_("The notice is closed."), field="status")
        with audit.tracking(actor, n, "trading.notice.revoke", reason=reason):
            n.status = NoticeStatus.REVOKED
            n.revoked_reason = reason
            n.closed_at = timezone.now()
        _achievement_step(actor, n, workflow.end_negotiation)
    notice.refresh_from_db()
    return notice


def finalize_notice(notice: Notice, now: datetime.datetime | None = None, actor=None) -> Deal:
    """After a clean notice — the period is over, every objection handled and none upheld — the deal is final."""
    now = now or timezone.now()
    if actor is not None:
        _require_manager(actor, notice)
    with transaction.atomic():
        n = Notice.objects.select_for_update().select_related("achievement", "buyer").get(pk=notice.pk)
        if n.status != NoticeStatus.IN_PERIOD:
            raise Conflict(_("The notice is closed."), field="status")
        if now < n.ends_at:
            raise Conflict(_("The notice period is not over yet."), field="ends_at")
        if n.objections.filter(outcome=ObjectionOutcome.PENDING).exists():
            raise Conflict(_("Objections are still pending; handle them first."), field="objections")
        with audit.tracking(actor, n, "trading.notice.final"):
            n.status = NoticeStatus.FINAL
            n.closed_at = now
        buyer_user = next(iter(_seller_admins(n.buyer_id)), None)
        deal = _conclude(actor, n, DealSource.NOTICE, n.buyer, buyer_user, n.price, now, notice=n)
    notice.refresh_from_db()
    return deal


# --- after the deal ------------------------------------------------------------------------------------------

CATEGORY_BY_MODE = {
    TransferMode.TRANSFER: "transfer",
    TransferMode.EQUITY: "transfer",
    TransferMode.LICENCE_EXCLUSIVE: "licence",
    TransferMode.LICENCE_SOLE: "licence",
    TransferMode.LICENCE_ORDINARY: "licence",
    TransferMode.OPEN_LICENCE: "licence",
    TransferMode.JOINT_DEVELOPMENT: "development",
    TransferMode.TECHNICAL_SERVICE: "service",
}
LICENCE_SCOPE = {
    TransferMode.LICENCE_EXCLUSIVE: "exclusive",
    TransferMode.LICENCE_SOLE: "sole",
    TransferMode.LICENCE_ORDINARY: "ordinary",
    TransferMode.OPEN_LICENCE: "ordinary",
}


def contract_draft_data(deal: Deal) -> dict:
    """The contract filing pre-filled from the deal: parties, amount, category from the transfer mode,
    subcategory from the achievement's IP, technical summary and field from the achievement."""
    ach = deal.achievement
    category = CATEGORY_BY_MODE.get(deal.transfer_mode, "transfer")
    kinds = set(ach.ip_items.values_list("kind", flat=True))
    if category in ("transfer", "licence"):
        prefix = "tr" if category == "transfer" else "lic"
        if kinds & set(PATENT_KINDS):
            sub = f"{prefix}_patent"
        elif IPKind.TECHNICAL_SECRET in kinds:
            sub = f"{prefix}_secret"
        else:
            sub = f"{prefix}_other"
    else:
        sub = "dev_cooperative" if category == "development" else "svc_general"
    data = {
        "name": _("Technology contract: %s") % ach.title,
        "category": category,
        "subcategory": sub,
        "contract_amount": deal.price,
        "technical_summary": ach.abstract[:5000],
        "achievement_id": ach.pk,
        "seller": {"organization": deal.seller_id},
        "buyer": {"organization": deal.buyer_id},
    }
    if ach.tech_field_id:
        data["tech_field"] = ach.tech_field_id
    if deal.transfer_mode in LICENCE_SCOPE:
        data["licence_scope"] = LICENCE_SCOPE[deal.transfer_mode]
    return data


def _conclude(actor, lot, source: str, buyer: Organization, buyer_user, price: Decimal, now, fee=ZERO, **links):
    """Every final deal: the transaction record, the achievement marked transferred through the catalog
    workflow, a contract filing draft for the seller (contracts app) and notifications to both parties."""
    deal = Deal.objects.create(
        achievement=lot.achievement, seller=lot.seller, region=lot.region, created_by=actor, buyer=buyer,
        buyer_user=buyer_user, price=price, fee=fee, transfer_mode=lot.transfer_mode, source=source,
        concluded_at=now, is_demo=lot.is_demo, **links,
    )
    audit.created(actor, deal, "trading.deal.create")
    _achievement_step(actor, lot, workflow.mark_transferred)
    filer = actor if actor is not None and lot.seller_id in permissions.principal(actor).org_ids() else None
    filer = filer or next(
        (u for u in [lot.created_by, *_seller_admins(lot.seller_id)]
         if u is not None and lot.seller_id in permissions.principal(u).org_ids()),
        None,
    )
    if filer is None:
        deal.contract_note = _("No member of the seller organization to file the contract for; file it by hand.")
    else:
        from techtransfer.contracts import services as contracts

        try:
            with transaction.atomic():
                deal.contract = contracts.file_contract(filer, contract_draft_data(deal))
                deal.contract_note = _("Contract filing draft created; complete and submit it for registration.")
        except DomainError as exc:
            log.warning("trading: contract draft for deal %s not created: %s", deal.pk, exc.message)
            deal.contract_note = (_("The contract draft could not be pre-filled: %s") % exc.message)[:300]
    deal.save(update_fields=["contract", "contract_note", "updated_at"])
    url = deal_url(deal)
    _notify([lot.created_by, *_seller_admins(lot.seller_id)],
            _("Deal concluded: %(a)s for %(p)s yuan") % {"a": lot.achievement, "p": price}, url)
    _notify([buyer_user, *_seller_admins(buyer.pk)],
            _("You bought %(a)s for %(p)s yuan") % {"a": lot.achievement, "p": price}, url)
    return deal


# --- the clock -----------------------------------------------------------------------------------------------


def close_due(now: datetime.datetime | None = None) -> dict:
    """Close whatever the clock has ended: listing periods, auctions, clean notice periods. Each lot in its own
    transaction; one failure is logged and does not stop the others. Safe to run twice."""
    now = now or timezone.now()
    done = {"listings": 0, "auctions": 0, "notices": 0, "errors": 0}
    jobs = [
        ("listings", close_listing, Listing.objects.filter(status=ListingStatus.OPEN, ends_at__lte=now)),
        ("auctions", close_auction, Auction.objects.filter(status=AuctionStatus.OPEN, ends_at__lte=now)),
        (
            "notices",
            finalize_notice,
            Notice.objects.filter(status=NoticeStatus.IN_PERIOD, ends_at__lte=now).exclude(
                objections__outcome=ObjectionOutcome.PENDING
            ),
        ),
    ]
    for key, fn, qs in jobs:
        for lot in list(qs.order_by("ends_at", "pk")):
            try:
                fn(lot, now)
                done[key] += 1
            except (Conflict, DomainError) as exc:
                log.info("trading: %s %s not closed: %s", key, lot.pk, exc.message)
            except Exception:  # noqa: BLE001 — keep the clock going for the other lots
                log.exception("trading: closing %s %s failed", key, lot.pk)
                done["errors"] += 1
    return done


# --- reading -------------------------------------------------------------------------------------------------


def lot_url(lot) -> str:
    from django.urls import reverse

    name = {Listing: "listing", Auction: "auction", Notice: "notice"}[type(lot)]
    return reverse(f"trading:{name}", args=[lot.pk])


def deal_url(deal: Deal) -> str:
    from django.urls import reverse

    return reverse("trading:deals") + f"#deal-{deal.pk}"


def get_lot(model, pk: int):
    obj = model.objects.select_related("achievement", "seller").filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("No such record."))
    return obj


def intents_for(user, lot):
    """Registrations on a lot: all of them for its managers, one's own organizations' for others."""
    qs = lot.intents.select_related("buyer", "user")
    if may_manage(user, lot):
        return qs
    ids = permissions.principal(user).org_ids()
    return qs.filter(buyer_id__in=sorted(ids)) if ids else qs.none()


def deals_visible(user):
    """Deals are public market records (成交公告): everyone sees the price and the parties."""
    return Deal.objects.select_related("achievement", "seller", "buyer", "contract")
