"""Trading rules — 成果交易规则: listing, auction and negotiated deal with public notice, one function per transition.

Source: 促进科技成果转化法 (2015) art. 18 — a state-funded unit may price an achievement by agreement, by listing on a
technology exchange or by auction; agreement pricing needs a public notice of the achievement's name, the parties
and the price (15 days by common practice, ``TRADING_NOTICE_MIN_DAYS``). Auction practice (CTEX): start price,
reserve price, increment, deposit (保证金), failed auction (流拍) when no valid bid reaches the reserve, a fee on
sold lots only, and an extension when a bid arrives in the last minutes (延时竞价).

Every transition checks the person (``Forbidden``, the rules in ``trading.permissions``), then the state
(``Conflict``), then its own preconditions, and saves the change with its audit entry in one transaction; nothing
changes when a check fails. Transitions driven by the clock (closing a listing period, an auction, a notice period)
take an explicit ``now`` so the periodic task and the tests share the same code.

By concern: ``lots`` (what every lot shares), ``listings`` (挂牌), ``intents`` (buyer registrations, deposits,
qualification), ``auctions`` (拍卖, bids, anti-sniping), ``notices`` (协议定价公示 and objections), ``deals``
(成交 and the contract draft), ``clock`` (closing what time has ended), ``notify`` (the notifications sent).
This module is the face callers import: ``from techtransfer.trading import services``.
"""

from techtransfer.trading.permissions import may_manage
from techtransfer.trading.permissions import visible_deals as deals_visible
from techtransfer.trading.permissions import visible_intents as intents_for
from techtransfer.trading.services.auctions import (
    AUCTION_FIELDS,
    BidOutcome,
    auction_state,
    bidder_labels,
    cancel_auction,
    close_auction,
    create_auction,
    phase,
    phase_label,
    place_bid,
)
from techtransfer.trading.services.clock import close_due
from techtransfer.trading.services.deals import CATEGORY_BY_MODE, LICENCE_SCOPE, contract_draft_data
from techtransfer.trading.services.intents import intent_lot, is_qualified, qualify, record_deposit, register_intent
from techtransfer.trading.services.listings import LISTING_FIELDS, cancel_listing, close_listing, create_listing
from techtransfer.trading.services.lots import (
    anti_sniping_default,
    deal_url,
    get_lot,
    lot_url,
    notice_min_days,
    user_orgs,
)
from techtransfer.trading.services.notices import (
    NOTICE_FIELDS,
    STATE_FUNDED_KINDS,
    file_objection,
    finalize_notice,
    handle_objection,
    is_state_funded,
    publish_notice,
    revoke_notice,
)

__all__ = [
    "AUCTION_FIELDS",
    "CATEGORY_BY_MODE",
    "LICENCE_SCOPE",
    "LISTING_FIELDS",
    "NOTICE_FIELDS",
    "STATE_FUNDED_KINDS",
    "BidOutcome",
    "anti_sniping_default",
    "auction_state",
    "bidder_labels",
    "cancel_auction",
    "cancel_listing",
    "close_auction",
    "close_due",
    "close_listing",
    "contract_draft_data",
    "create_auction",
    "create_listing",
    "deal_url",
    "deals_visible",
    "file_objection",
    "finalize_notice",
    "get_lot",
    "handle_objection",
    "intent_lot",
    "intents_for",
    "is_qualified",
    "is_state_funded",
    "lot_url",
    "may_manage",
    "notice_min_days",
    "phase",
    "phase_label",
    "place_bid",
    "publish_notice",
    "qualify",
    "record_deposit",
    "register_intent",
    "revoke_notice",
    "user_orgs",
]
