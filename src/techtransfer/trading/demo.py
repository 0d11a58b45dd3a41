"""Demo trading: a few listings (open, sold), one running auction, one sold and one failed (流拍) auction, and a
negotiated-deal notice in its period with a handled objection — all through the trading services, so the records,
audit trail, contract drafts and notifications are the real ones. Sold by the demo university (``uni_admin``),
bought by the demo enterprise (``ent_admin``) and two extra demo bidder organizations. Deterministic; does nothing
when the catalogue has no published demo achievements of the demo university."""

from __future__ import annotations

import datetime

from django.utils import timezone

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.catalog.models import Achievement, Status
from techtransfer.contracts.models import TechContract
from techtransfer.orgs.models import Organization, OrgKind, Verification
from techtransfer.trading import services
from techtransfer.trading.models import Auction, Bid, Deal, Listing, ListingIntent, Notice, Objection

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def load(progress) -> int:
    def admin_org(username: str):
        user = User.objects.filter(username=username, is_demo=True).first()
        grant = user and RoleAssignment.objects.filter(user=user, role=Role.ORG_ADMIN).select_related(
            "organization").first()
        return (user, grant.organization) if grant else (None, None)

    seller_admin, seller = admin_org("uni_admin")
    buyer_admin, buyer = admin_org("ent_admin")
    if seller is None or buyer is None:
        progress("trading: no demo university or enterprise administrator; skipped")
        return 0
    achievements = list(
        Achievement.objects.filter(owner=seller, status=Status.PUBLISHED, classification="public", is_demo=True)
        .order_by("pk")[:200]
    )
    achievements = [a for a in achievements if not a.transfer_modes or "transfer" in a.transfer_modes][:6]
    if len(achievements) < 6:
        progress("trading: fewer than 6 published demo achievements of the demo university; skipped")
        return 0

    # Two more bidders: verified demo enterprises with a demo administrator each (no password: not for sign-in).
    others = list(
        Organization.objects.filter(kind=OrgKind.ENTERPRISE, verification=Verification.VERIFIED, is_demo=True)
        .exclude(pk__in=[buyer.pk, seller.pk]).order_by("pk")[:2]
    )
    bidders = [(buyer_admin, buyer)]
    for i, org in enumerate(others, start=1):
        user, _ = User.objects.get_or_create(username=f"demo_bidder{i}",
                                             defaults={"display_name": f"竞买人{i}（演示）", "is_demo": True})
        user.set_unusable_password()
        user.save(update_fields=["password"])
        RoleAssignment.objects.get_or_create(user=user, role=Role.ORG_ADMIN, organization=org)
        bidders.append((user, org))
    if len(bidders) < 3:
        progress("trading: not enough verified demo enterprises to bid; skipped")
        return 0

    now = timezone.now().replace(second=0, microsecond=0)
    mode = "transfer"

    def register(lot, at, qualify=True):
        for user, org in bidders[: (3 if qualify else 1)]:
            intent = services.register_intent(user, lot, org.pk, note="演示登记", now=at)
            if lot.deposit and qualify:
                services.record_deposit(seller_admin, intent, "paid")
            if not intent.qualified and qualify:
                services.qualify(seller_admin, intent, True, "资料齐全（演示）")

    # 1–2. Open listings: one with a deposit and a registration, one fresh.
    a0, a1, a2, a3, a4, a5 = achievements
    open1 = services.create_listing(seller_admin, a0, {
        "price": "860000.00", "transfer_mode": mode, "period_days": 20, "deposit": "50000.00",
        "qualification": "具有相关产业化能力的企业", "no_buyer_action": "extend",
        "terms": "专利权转让，含技术资料与三个月技术指导。"}, now=now - 2 * DAY)
    services.register_intent(buyer_admin, open1, buyer.pk, note="拟用于新产线", now=now - DAY)
    services.create_listing(seller_admin, a1, {"price": "420000.00", "transfer_mode": mode, "period_days": 30},
                            now=now)
    # 3. A listing sold to its only qualified buyer at the listed price.
    start = now - 40 * DAY
    sold = services.create_listing(seller_admin, a2, {"price": "380000.00", "transfer_mode": mode,
                                                      "period_days": 20}, now=start)
    services.register_intent(buyer_admin, sold, buyer.pk, now=start + DAY)
    services.close_listing(sold, sold.ends_at)
    # 4. A running auction with a few bids.
    running = services.create_auction(seller_admin, a3, {
        "transfer_mode": mode, "start_price": "500000.00", "reserve_price": "600000.00", "increment": "10000.00",
        "starts_at": now - HOUR, "ends_at": now + 3 * DAY, "anti_sniping_minutes": 5, "fee_rate": "0.0100",
        "terms": "独家转让，买方承担过户费用。"}, now=now - 2 * HOUR)
    register(running, now - 90 * MINUTE)
    for k, amount in enumerate(("500000.00", "510000.00", "530000.00")):
        user, org = bidders[k % 3]
        services.place_bid(user, running, amount, org.pk, now=now - (40 - 10 * k) * MINUTE)
    # 5. A closed auction, sold above the reserve (with an anti-sniping extension on the way).
    t0 = now - 10 * DAY
    closed = services.create_auction(seller_admin, a4, {
        "transfer_mode": mode, "start_price": "200000.00", "reserve_price": "250000.00", "increment": "5000.00",
        "starts_at": t0, "ends_at": t0 + 2 * HOUR, "anti_sniping_minutes": 5, "fee_rate": "0.0150"},
        now=t0 - HOUR)
    register(closed, t0 - 30 * MINUTE)
    for k, amount in enumerate(("200000.00", "220000.00", "240000.00", "255000.00", "265000.00")):
        user, org = bidders[k % 3]
        at = t0 + 30 * MINUTE * k if k < 4 else t0 + 2 * HOUR - 2 * MINUTE
        services.place_bid(user, closed, amount, org.pk, now=at)
    closed.refresh_from_db()
    services.close_auction(closed, closed.ends_at)
    # 6. A failed auction (流拍): the only bid stays below the reserve.
    t1 = now - 5 * DAY
    failed = services.create_auction(seller_admin, a5, {
        "transfer_mode": mode, "start_price": "300000.00", "reserve_price": "450000.00", "increment": "10000.00",
        "starts_at": t1, "ends_at": t1 + 3 * HOUR}, now=t1 - HOUR)
    register(failed, t1 - 30 * MINUTE)
    services.place_bid(bidders[1][0], failed, "300000.00", bidders[1][1].pk, now=t1 + HOUR)
    services.close_auction(failed, failed.ends_at)
    # 7. A negotiated deal in its public-notice period, with one objection handled.
    funded = (
        Achievement.objects.filter(owner=seller, status=Status.PUBLISHED, classification="public", is_demo=True)
        .exclude(pk__in=[a.pk for a in achievements]).order_by("pk").first()
    )
    notices = 0
    if funded is not None and services.is_state_funded(funded):
        modes = funded.transfer_modes or [mode]
        notice = services.publish_notice(seller_admin, funded, {
            "buyer": buyer.pk, "price": "300000.00", "transfer_mode": modes[0],
            "pricing_basis": "第三方评估报告（演示）", "contact": "科技成果转化办公室 0871-65000000（演示）"},
            now=now - 3 * DAY)
        objection = services.file_objection(bidders[1][0], notice, "认为协议价格低于市场水平（演示）",
                                            now=now - 2 * DAY)
        services.handle_objection(seller_admin, objection, "dismissed", "已公开评估依据，价格合理（演示）")
        notices = 1

    lots = [Listing, Auction, Notice, Deal]
    created = 0
    for model in lots:
        created += model.objects.filter(seller=seller).update(is_demo=True)
    created += ListingIntent.objects.count() + Bid.objects.count() + Objection.objects.count()
    contract_ids = list(Deal.objects.filter(contract__isnull=False).values_list("contract_id", flat=True))
    TechContract.objects.filter(pk__in=contract_ids).update(is_demo=True)
    progress(f"trading: 3 listings, 3 auctions, {notices} notice, {Deal.objects.count()} deals")
    return created
