"""Trading API under /api/v1/trading: listings, buyer registrations, auctions and bids (live state), notices and
objections, deals. Thin: every write calls one service function; errors are ``{code, message, field}``.

Request bodies refuse unknown fields (``InputSchema``, 422). Text and date-times are read by the shared types
(``core.fields``); amounts stay plain decimals here so that the service reads them with ``parse_money`` and a
well-formed but unacceptable amount (zero, three decimal places, negative) stays a 400 naming the field."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from techtransfer.accounts import permissions
from techtransfer.catalog.models import Achievement
from techtransfer.core.apidoc import public
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.fields import Moment, Text
from techtransfer.core.pagination import paginate
from techtransfer.core.schemas import InputSchema
from techtransfer.trading import permissions as rules
from techtransfer.trading import services
from techtransfer.trading.models import (
    Auction,
    AuctionStatus,
    Deal,
    Listing,
    ListingIntent,
    ListingStatus,
    Notice,
    NoticeStatus,
    Objection,
)

router = Router(tags=["trading"])


# These bodies always refused null for text (422); Text(null=False) keeps that.
LongText = Text(5000, null=False)
NoteText = Text(2000, null=False)
ContactText = Text(200, null=False)



class LotBase(Schema):
    id: int
    achievement: int
    achievement_title: str
    seller: int
    seller_name: str
    region: str
    transfer_mode: str
    status: str
    status_label: str
    is_demo: bool


class ListingOut(LotBase):
    price: Decimal
    terms: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    deposit: Decimal
    qualification: str
    verified_buyers_only: bool
    no_buyer_action: str
    extensions: int
    max_extensions: int
    auction: int | None


class AuctionOut(LotBase):
    listing: int | None
    start_price: Decimal
    increment: Decimal
    deposit: Decimal
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    scheduled_end: datetime.datetime
    anti_sniping_minutes: int
    current_price: Decimal | None
    bid_count: int
    fee_rate: Decimal
    reserve_price: Decimal | None = Field(None, description="shown only to those who manage the lot")


class NoticeOut(LotBase):
    buyer: int
    buyer_name: str
    price: Decimal
    pricing_basis: str
    contact: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    objections: int
    revoked_reason: str


class IntentOut(Schema):
    id: int
    listing: int | None
    auction: int | None
    buyer: int
    buyer_name: str
    deposit_status: str
    qualified: bool
    qualification_note: str
    created_at: datetime.datetime


class ObjectionOut(Schema):
    id: int
    notice: int
    text: str
    outcome: str
    outcome_note: str
    created_at: datetime.datetime
    handled_at: datetime.datetime | None


class DealOut(Schema):
    id: int
    achievement: int
    achievement_title: str
    seller: int
    seller_name: str
    buyer: int
    buyer_name: str
    price: Decimal
    fee: Decimal
    transfer_mode: str
    source: str
    listing: int | None
    auction: int | None
    notice: int | None
    contract: int | None
    contract_note: str
    concluded_at: datetime.datetime


def _page(items, sl) -> dict:
    return {"items": items, "count": sl.count, "page": sl.page, "pages": sl.pages, "page_size": sl.page_size}


class Paged(Schema):
    count: int
    page: int
    pages: int
    page_size: int


class ListingPage(Paged):
    items: list[ListingOut]


class AuctionPage(Paged):
    items: list[AuctionOut]


class NoticePage(Paged):
    items: list[NoticeOut]


class DealPage(Paged):
    items: list[DealOut]


def _base(lot) -> dict:
    return {
        "id": lot.pk, "achievement": lot.achievement_id, "achievement_title": lot.achievement.title,
        "seller": lot.seller_id, "seller_name": lot.seller.name, "region": lot.region_id,
        "transfer_mode": lot.transfer_mode, "status": lot.status, "status_label": lot.get_status_display(),
        "is_demo": lot.is_demo,
    }


def listing_out(listing: Listing) -> dict:
    auction = Auction.objects.filter(listing=listing).values_list("pk", flat=True).first()
    return {**_base(listing), **{k: getattr(listing, k) for k in (
        "price", "terms", "starts_at", "ends_at", "deposit", "qualification", "verified_buyers_only",
        "no_buyer_action", "extensions", "max_extensions")}, "auction": auction}


def auction_out(user, a: Auction) -> dict:
    return {**_base(a), **{k: getattr(a, k) for k in (
        "start_price", "increment", "deposit", "starts_at", "ends_at", "scheduled_end", "anti_sniping_minutes",
        "current_price", "bid_count", "fee_rate")}, "listing": a.listing_id,
        "reserve_price": a.reserve_price if rules.may_manage(user, a) else None}


def notice_out(n: Notice) -> dict:
    return {**_base(n), "buyer": n.buyer_id, "buyer_name": n.buyer.name, "price": n.price,
            "pricing_basis": n.pricing_basis, "contact": n.contact, "starts_at": n.starts_at, "ends_at": n.ends_at,
            "objections": n.objections.count(), "revoked_reason": n.revoked_reason}


def intent_out(it: ListingIntent) -> dict:
    return {"id": it.pk, "listing": it.listing_id, "auction": it.auction_id, "buyer": it.buyer_id,
            "buyer_name": it.buyer.name, "deposit_status": it.deposit_status, "qualified": it.qualified,
            "qualification_note": it.qualification_note, "created_at": it.created_at}


def objection_out(o: Objection) -> dict:
    return {"id": o.pk, "notice": o.notice_id, "text": o.text, "outcome": o.outcome, "outcome_note": o.outcome_note,
            "created_at": o.created_at, "handled_at": o.handled_at}


def deal_out(d: Deal) -> dict:
    return {"id": d.pk, "achievement": d.achievement_id, "achievement_title": d.achievement.title,
            "seller": d.seller_id, "seller_name": d.seller.name, "buyer": d.buyer_id, "buyer_name": d.buyer.name,
            "price": d.price, "fee": d.fee, "transfer_mode": d.transfer_mode, "source": d.source,
            "listing": d.listing_id, "auction": d.auction_id, "notice": d.notice_id, "contract": d.contract_id,
            "contract_note": d.contract_note, "concluded_at": d.concluded_at}


def _with_status(qs, status: str, statuses):
    """The lots of one status, or all of them when none is asked for (an unknown status names the field)."""
    if status:
        if status not in statuses.values:
            raise DomainError(_("Unknown status: %s") % status, field="status")
        qs = qs.filter(status=status)
    return qs


def _achievement(pk: int) -> Achievement:
    ach = Achievement.objects.select_related("owner").filter(pk=pk).first()
    if ach is None:
        raise DomainError(_("No such achievement."), field="achievement")
    return ach


# --- listings ------------------------------------------------------------------------------------------------


class ListingIn(InputSchema):
    achievement: int
    price: Decimal
    transfer_mode: str
    terms: LongText = ""
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    period_days: int | None = None
    deposit: Decimal = Decimal("0")
    qualification: LongText = ""
    verified_buyers_only: bool = True
    no_buyer_action: str = "close"
    extension_days: int = 10
    max_extensions: int = 2
    auction_increment: Decimal = Decimal("1000")
    auction_minutes: int = 60


def _data(payload: InputSchema) -> dict:
    return {k: v for k, v in payload.dict(exclude={"achievement"}).items() if v is not None}


def _names(name: str) -> dict:
    """A generated route keeps the operationId and URL name django-ninja gave the view of that name."""
    return {"operation_id": f"techtransfer_trading_api_{name}", "url_name": name}


def _lot_routes(path: str, model, statuses, related: tuple[str, ...], *, page_schema, out_schema, payload_schema,
                create, out, names: tuple[str, str, str], summaries: tuple[str, str, str]) -> None:
    """The three routes every kind of lot (listing, auction, notice) has: browse ``GET /<path>`` (by status,
    paged), offer ``POST /<path>`` (201, through the service ``create``) and read ``GET /<path>/{pk}``.
    ``out(user, lot)`` renders a lot; ``names`` are the view names these routes always had, kept as their
    operationIds and URL names."""
    list_name, create_name, get_name = names
    list_summary, create_summary, get_summary = summaries

    @public
    def browse(request, status: str = "", page: int = 1, page_size: int = 20):
        qs = _with_status(permissions.visible(request.auth, model.objects.select_related(*related)), status, statuses)
        sl = paginate(qs, page, page_size)
        return _page([out(request.auth, x) for x in sl.items], sl)

    def offer(request, payload):
        lot = create(request.auth, _achievement(payload.achievement), _data(payload))
        return Status(201, out(request.auth, lot))

    # django-ninja reads the body's type from the annotation, which it resolves in the module's globals (the
    # module's annotations are strings); the schema is a parameter here, so it is given as the type itself.
    offer.__annotations__["payload"] = payload_schema

    @public
    def read(request, pk: int):
        return out(request.auth, services.get_lot(model, pk, request.auth))

    router.get(f"/{path}", response=page_schema, summary=list_summary, **_names(list_name))(browse)
    router.post(f"/{path}", response={201: out_schema}, summary=create_summary, **_names(create_name))(offer)
    router.get(f"/{path}/{{int:pk}}", response=out_schema, summary=get_summary, **_names(get_name))(read)


_lot_routes(
    "listings", Listing, ListingStatus, ("achievement", "seller"), page_schema=ListingPage, out_schema=ListingOut,
    payload_schema=ListingIn, create=services.create_listing, out=lambda user, lot: listing_out(lot),
    names=("list_listings", "create_listing", "get_listing"),
    summaries=("Browse listings (public)", "List a published achievement", "A listing"),
)


class ReasonIn(InputSchema):
    reason: NoteText


@router.post("/listings/{int:pk}/cancel", response=ListingOut, summary="Cancel an open listing")
def cancel_listing(request, pk: int, payload: ReasonIn):
    return listing_out(services.cancel_listing(request.auth, services.get_lot(Listing, pk), payload.reason))


@router.post("/listings/{int:pk}/close", summary="Close an ended listing period now (managers)")
def close_listing(request, pk: int):
    result = services.close_listing(services.get_lot(Listing, pk), actor=request.auth)
    kind = {Deal: "deal", Auction: "auction", Listing: "listing"}[type(result)]
    return {"result": kind, "id": result.pk}


class IntentIn(InputSchema):
    buyer: int | None = None
    note: NoteText = ""


def _intent_routes(path: str, model, *, names: tuple[str, str], register_summary: str) -> None:
    """A listing's or an auction's buyer registrations: read them (``GET /<path>/{pk}/intents``; managers see
    all) and register (``POST``, 201). ``names`` are the view names these routes always had (operationIds and
    URL names)."""
    list_name, register_name = names

    def registrations(request, pk: int):
        return [intent_out(i) for i in services.intents_for(request.auth, services.get_lot(model, pk, request.auth))]

    def register(request, pk: int, payload: IntentIn):
        lot = services.get_lot(model, pk, request.auth)
        it = services.register_intent(request.auth, lot, payload.buyer, payload.note)
        return Status(201, intent_out(it))

    route = f"/{path}/{{int:pk}}/intents"
    router.get(route, response=list[IntentOut], summary="Registrations (managers: all)",
               **_names(list_name))(registrations)
    router.post(route, response={201: IntentOut}, summary=register_summary, **_names(register_name))(register)


_intent_routes("listings", Listing, names=("listing_intents", "register_listing_intent"),
               register_summary="Register intent as a buyer")


class DepositIn(InputSchema):
    deposit_status: str


class QualifyIn(InputSchema):
    qualified: bool
    note: NoteText = ""


def _intent(pk: int) -> ListingIntent:
    it = ListingIntent.objects.select_related("buyer", "listing", "auction").filter(pk=pk).first()
    if it is None:
        raise NotFound(_("No such registration."))
    return it


@router.post("/intents/{int:pk}/deposit", response=IntentOut, summary="Record the deposit status (managers)")
def record_deposit(request, pk: int, payload: DepositIn):
    return intent_out(services.record_deposit(request.auth, _intent(pk), payload.deposit_status))


@router.post("/intents/{int:pk}/qualify", response=IntentOut, summary="Qualify a buyer (managers)")
def qualify(request, pk: int, payload: QualifyIn):
    return intent_out(services.qualify(request.auth, _intent(pk), payload.qualified, payload.note))


# --- auctions ------------------------------------------------------------------------------------------------


class AuctionIn(InputSchema):
    achievement: int
    transfer_mode: str
    terms: LongText = ""
    start_price: Decimal
    reserve_price: Decimal = Decimal("0")
    increment: Decimal
    deposit: Decimal = Decimal("0")
    verified_buyers_only: bool = True
    qualification: LongText = ""
    starts_at: Moment | None = None
    ends_at: Moment
    anti_sniping_minutes: int | None = None
    fee_rate: Decimal = Decimal("0")


_lot_routes(
    "auctions", Auction, AuctionStatus, ("achievement", "seller"), page_schema=AuctionPage, out_schema=AuctionOut,
    payload_schema=AuctionIn, create=services.create_auction, out=auction_out,
    names=("list_auctions", "create_auction", "get_auction"),
    summaries=("Browse auctions (public)", "Put a published achievement up for auction", "An auction"),
)


@router.get("/auctions/{int:pk}/state", summary="Live state: price, leader, end, recent bids (poll every ~2 s)")
@public
def auction_state(request, pk: int):
    return services.auction_state(request.auth, services.get_lot(Auction, pk, request.auth))


_intent_routes("auctions", Auction, names=("auction_intents", "register_auction_intent"),
               register_summary="Register as a bidder")


class BidIn(InputSchema):
    amount: Decimal
    org: int | None = None


class BidOut(Schema):
    accepted: bool
    code: str
    message: str
    field: str | None = None
    bid: int
    amount: Decimal
    current_price: Decimal | None
    minimum_bid: Decimal
    ends_at: datetime.datetime


@router.post("/auctions/{int:pk}/bids", response={201: BidOut, 409: BidOut},
             summary="Place a bid: 201 accepted, 409 refused with its reason code")
def place_bid(request, pk: int, payload: BidIn):
    outcome = services.place_bid(request.auth, services.get_lot(Auction, pk, request.auth), payload.amount, payload.org)
    a = outcome.auction
    body = {"accepted": outcome.accepted, "code": outcome.code or "accepted", "message": outcome.message,
            "field": None if outcome.accepted else "amount", "bid": outcome.bid.pk, "amount": outcome.bid.amount,
            "current_price": a.current_price, "minimum_bid": a.minimum_bid, "ends_at": a.ends_at}
    return Status(201 if outcome.accepted else 409, body)


class BidRow(Schema):
    amount: Decimal
    bidder: str
    placed_at: datetime.datetime


@router.get("/auctions/{int:pk}/bids", response=list[BidRow], summary="Accepted bids, highest first")
@public
def bid_history(request, pk: int):
    a = services.get_lot(Auction, pk)
    labels = services.bidder_labels(a)
    return [{"amount": b.amount, "bidder": labels.get(b.bidder_org_id, "—"), "placed_at": b.placed_at}
            for b in a.bids.filter(accepted=True).order_by("-amount")[:500]]


@router.post("/auctions/{int:pk}/close", summary="Close an ended auction now (managers)")
def close_auction(request, pk: int):
    result = services.close_auction(services.get_lot(Auction, pk), actor=request.auth)
    return {"result": "deal" if isinstance(result, Deal) else result.status, "id": result.pk}


@router.post("/auctions/{int:pk}/cancel", response=AuctionOut, summary="Cancel an auction without accepted bids")
def cancel_auction(request, pk: int, payload: ReasonIn):
    return auction_out(request.auth, services.cancel_auction(request.auth, services.get_lot(Auction, pk),
                                                             payload.reason))


# --- notices -------------------------------------------------------------------------------------------------


class NoticeIn(InputSchema):
    achievement: int
    buyer: int
    price: Decimal
    transfer_mode: str
    pricing_basis: LongText = ""
    contact: ContactText
    period_days: int | None = None


_lot_routes(
    "notices", Notice, NoticeStatus, ("achievement", "seller", "buyer"), page_schema=NoticePage, out_schema=NoticeOut,
    payload_schema=NoticeIn, create=services.publish_notice, out=lambda user, lot: notice_out(lot),
    names=("list_notices", "publish_notice", "get_notice"),
    summaries=("Browse public notices of negotiated deals", "Publish a notice of a negotiated price", "A notice"),
)


class ObjectionIn(InputSchema):
    text: LongText


@router.get("/notices/{int:pk}/objections", response=list[ObjectionOut],
            summary="Objections (managers: all; others: their own)")
def list_objections(request, pk: int):
    notice = services.get_lot(Notice, pk, request.auth)
    return [objection_out(o) for o in rules.visible_objections(request.auth, notice)]


@router.post("/notices/{int:pk}/objections", response={201: ObjectionOut}, summary="File an objection")
def file_objection(request, pk: int, payload: ObjectionIn):
    objection = services.file_objection(request.auth, services.get_lot(Notice, pk, request.auth), payload.text)
    return Status(201, objection_out(objection))


class HandleIn(InputSchema):
    outcome: str
    note: LongText


@router.post("/objections/{int:pk}/handle", response=ObjectionOut, summary="Record an objection's outcome")
def handle_objection(request, pk: int, payload: HandleIn):
    obj = Objection.objects.select_related("notice").filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("No such objection."))
    return objection_out(services.handle_objection(request.auth, obj, payload.outcome, payload.note))


@router.post("/notices/{int:pk}/finalize", response=DealOut, summary="Make the deal final after a clean notice")
def finalize_notice(request, pk: int):
    return deal_out(services.finalize_notice(services.get_lot(Notice, pk), actor=request.auth))


@router.post("/notices/{int:pk}/revoke", response=NoticeOut, summary="Revoke a notice in its period")
def revoke_notice(request, pk: int, payload: ReasonIn):
    return notice_out(services.revoke_notice(request.auth, services.get_lot(Notice, pk), payload.reason))


# --- deals ---------------------------------------------------------------------------------------------------


@router.get("/deals", response=DealPage, summary="Final deals (public transaction records)")
@public
def list_deals(request, page: int = 1, page_size: int = 20):
    sl = paginate(rules.visible_deals(request.auth), page, page_size)
    return _page([deal_out(d) for d in sl.items], sl)
