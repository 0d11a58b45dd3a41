"""Trading fixtures: a published achievement of the 五华 test organization, buyer organizations with members,
and helpers that bring lots to a given stage."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.accounts.models import Role
from techtransfer.catalog.models import Achievement, IPItem, IPKind
from techtransfer.catalog.models import Status as AchStatus
from techtransfer.orgs.models import OrgKind, Verification
from techtransfer.trading import services
from tests.conftest import PANLONG, QILIN, WUHUA

_seq = itertools.count(1)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


class TradingWorld:
    pass


@pytest.fixture
def tw(world, make_org, make_user):
    t = TradingWorld()
    t.w = world
    t.seller = world.wuhua_org
    t.seller_admin = world.org_admin
    t.seller_member = world.member
    t.region_admin = world.wuhua_admin
    t.other_admin = world.panlong_admin
    t.visitor = world.visitor
    t.buyer_a = make_org("甲买方有限公司", region=PANLONG)
    t.buyer_b = make_org("乙买方有限公司", region=PANLONG)
    t.buyer_c = make_org("丙买方有限公司", region=WUHUA)
    t.unverified = make_org("未认证买方", region=QILIN, verification=Verification.PENDING)
    t.user_a = make_user("buyer_a", Role.ORG_MEMBER, org=t.buyer_a)
    t.user_b = make_user("buyer_b", Role.ORG_MEMBER, org=t.buyer_b)
    t.user_c = make_user("buyer_c", Role.ORG_ADMIN, org=t.buyer_c)
    t.user_unverified = make_user("buyer_x", Role.ORG_MEMBER, org=t.unverified)
    t.university = make_org("五华测试大学", region=WUHUA, kind=OrgKind.UNIVERSITY)
    t.uni_admin = make_user("uni_admin", Role.ORG_ADMIN, org=t.university)

    def achievement(owner=None, **extra) -> Achievement:
        owner = owner or t.seller
        data = {
            "title": f"测试成果{next(_seq)}",
            "abstract": "一种提高热稳定性的正极材料制备方法。",
            "tech_field_id": "05",
            "trl": 6,
            "transfer_modes": ["transfer", "licence_ordinary"],
            "asking_price": Decimal("1200000.00"),
            "status": AchStatus.PUBLISHED,
            "published_at": timezone.now(),
        }
        data.update(extra)
        ach = Achievement.objects.create(owner=owner, region_id=owner.region_id, **data)
        IPItem.objects.create(achievement=ach, kind=IPKind.INVENTION, title="发明专利", number="ZL202110123456.7")
        return ach

    t.achievement = achievement

    def listing(ach=None, now=None, **data) -> object:
        now = now or timezone.now()
        payload = {"price": "500000.00", "transfer_mode": "transfer", "period_days": 20}
        payload.update(data)
        return services.create_listing(t.seller_admin, ach or achievement(), payload, now=now)

    t.listing = listing

    def auction(ach=None, now=None, qualify=(), **data):
        now = now or timezone.now()
        payload = {
            "start_price": "100000.00", "reserve_price": "150000.00", "increment": "10000.00",
            "transfer_mode": "transfer", "starts_at": now - MINUTE, "ends_at": now + HOUR,
            "anti_sniping_minutes": 5, "fee_rate": "0.0100",
        }
        payload.update(data)
        a = services.create_auction(t.seller_admin, ach or achievement(), payload, now=now)
        for user, org in qualify:
            it = services.register_intent(user, a, org.pk, now=now)
            if not it.qualified:
                services.qualify(t.seller_admin, it, True)
        return a

    t.auction = auction
    return t
