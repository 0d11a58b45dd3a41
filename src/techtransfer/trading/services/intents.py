"""Buyer registrations — 意向受让登记 — on a listing or an auction: registering, the deposit (保证金) and the
seller's qualification of the buyer (资格审核). Only qualified buyers take part in the deal or the auction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import Conflict, DomainError
from techtransfer.orgs.models import Verification
from techtransfer.trading.models import Auction, AuctionStatus, DepositStatus, Listing, ListingIntent, ListingStatus
from techtransfer.trading.permissions import require_manager
from techtransfer.trading.services import notify
from techtransfer.trading.services.lots import lot_url, organization, user_orgs


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
    permissions.require("trading.register_as_buyer", actor, lot,
                        message=_("Only members of an organization may register as buyers."))
    if buyer in (None, ""):
        orgs = user_orgs(actor)
        if len(orgs) != 1:
            raise DomainError(_("Choose the organization you act for."), field="buyer")
        buyer_org = orgs[0]
    else:
        buyer_org = organization(buyer, "buyer")
        permissions.require("trading.act_for_org", actor, buyer_org,
                            message=_("You may register only for an organization you belong to."))
    if buyer_org.pk == lot.seller_id:
        raise DomainError(_("The seller cannot buy its own lot."), field="buyer", code="own_lot")
    if lot.verified_buyers_only and buyer_org.verification != Verification.VERIFIED:
        raise DomainError(_("Only verified organizations may register for this lot."), field="buyer",
                          code="not_qualified")
    # Export control (技术出口管制): no trade with a foreign buyer in a technology found prohibited from export.
    exportcontrol.require_trade_allowed(lot.achievement_id, buyer_org)
    foreign = exportcontrol.is_foreign(buyer_org)
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
            # Without a deposit or stated conditions nothing is left to check: the buyer qualifies at once (a
            # foreign buyer only after the export-control screening is confirmed).
            qualified=not needs_deposit and not locked.qualification.strip() and not foreign,
        )
        audit.created(actor, intent, "trading.intent.register")
        exportcontrol.screen_trade(actor, "registration", intent.pk, locked.achievement, locked.seller,
                                   locked.region_id, buyer_org)
        notify.to_seller(locked, _("New buyer registration: %s") % buyer_org, lot_url(locked))
    return intent


def intent_lot(intent: ListingIntent):
    """The listing or the auction a registration is for."""
    return intent.listing or intent.auction


def record_deposit(actor, intent: ListingIntent, status: str) -> ListingIntent:
    """Record the deposit's status (paid, refunded, forfeited, awaiting). Not paid means not qualified."""
    lot = intent_lot(intent)
    require_manager(actor, lot)
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
    lot = intent_lot(intent)
    require_manager(actor, lot)
    with transaction.atomic():
        it = ListingIntent.objects.select_for_update().select_related("buyer").get(pk=intent.pk)
        if qualified:
            if lot.deposit > 0 and it.deposit_status != DepositStatus.PAID:
                raise DomainError(_("The deposit has not been paid."), field="deposit_status")
            if lot.verified_buyers_only and it.buyer.verification != Verification.VERIFIED:
                raise DomainError(_("The buyer organization is not verified."), field="buyer")
            if exportcontrol.is_foreign(it.buyer):
                exportcontrol.require_trade_allowed(lot.achievement_id, it.buyer)
                exportcontrol.require_confirmed_trade("registration", it.pk)
        closed = (isinstance(lot, Listing) and lot.status != ListingStatus.OPEN) or (
            isinstance(lot, Auction) and lot.status != AuctionStatus.OPEN
        )
        if closed:
            raise Conflict(_("The lot is closed; qualifications can no longer change."), field="status")
        with audit.tracking(actor, it, "trading.intent.qualify", reason=(note or "").strip()):
            it.qualified = bool(qualified)
            it.qualification_note = (note or "").strip()[:2000]
            it.decided_by = actor
        notify.send([it.user], (_("You are qualified for %s") if qualified else _("Qualification not granted for %s"))
                    % lot.achievement, lot_url(lot))
    intent.refresh_from_db()
    return intent


def is_qualified(org_id: int, auction: Auction) -> bool:
    """Whether the organization holds a qualified registration for the auction (or for the listing it came
    from: buyers qualified on a listing take part in the auction among them)."""
    q = Q(auction_id=auction.pk)
    if auction.listing_id:
        q |= Q(listing_id=auction.listing_id)
    return ListingIntent.objects.filter(q, buyer_id=org_id, qualified=True).exists()
