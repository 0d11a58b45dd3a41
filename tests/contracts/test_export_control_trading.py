"""Export control in trading: a buyer registration (listing or auction) or a deal with a foreign buyer is screened;
a foreign buyer is qualified only after the screening is confirmed; a technology confirmed as prohibited cannot be
traded with a foreign party (the catalogue item is named); domestic buyers are not screened."""

from __future__ import annotations

import datetime

import pytest

from techtransfer.accounts.models import Role
from techtransfer.contracts.models import ControlStatus, ExportControlEdition, ExportControlItem, Screening
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.notifications.models import Notification
from techtransfer.trading import services
from techtransfer.trading.models import Deal, ListingIntent, ListingStatus
from tests.conftest import WUHUA
from tests.trading.conftest import tw  # noqa: F401  (the trading world fixture)


@pytest.fixture
def foreign_buyer(tw, make_org, make_user):  # noqa: F811
    org = make_org("Lithium Korea Co.", region=WUHUA, credit_code=None, country_id="KR")
    type(org).objects.filter(pk=org.pk).update(credit_code=None)
    user = make_user("kr_buyer", Role.ORG_MEMBER, org=org)
    return org, user


@pytest.fixture
def rare_earth(db):
    edition = ExportControlEdition.objects.create(name="测试目录", notice="测试公告")
    return ExportControlItem.objects.create(
        edition=edition,
        number="UNVERIFIED-3",
        name="稀土的提炼、加工、利用技术",
        keywords=["稀土萃取"],
        status=ControlStatus.PROHIBITED,
    )


def test_domestic_buyer_registration_is_not_screened(tw, rare_earth):  # noqa: F811
    listing = tw.listing(tw.achievement(abstract="一种稀土萃取分离方法。"))
    intent = services.register_intent(tw.user_a, listing, tw.buyer_a.pk)
    assert intent.qualified and not Screening.objects.exists()


def test_foreign_registration_screened_then_prohibited_blocks_trading(tw, rare_earth, foreign_buyer):  # noqa: F811
    org, user = foreign_buyer
    ach = tw.achievement(abstract="一种稀土萃取分离方法。")
    listing = tw.listing(ach)
    intent = services.register_intent(user, listing, org.pk)
    assert not intent.qualified  # a foreign buyer waits for the screening
    s = Screening.objects.get(subject_kind="registration", subject_id=intent.pk)
    assert s.proposed_outcome == "prohibited" and s.achievement_id == ach.pk and s.region_id == WUHUA
    assert Notification.objects.filter(user=tw.region_admin, title__contains="待您确认").exists()
    with pytest.raises(Conflict) as exc:
        services.qualify(tw.seller_admin, intent, True)
    assert exc.value.code == "export_screening_pending"
    with pytest.raises(Forbidden):
        exportcontrol.confirm(tw.seller_admin, s)  # the seller never confirms its own screening
    with pytest.raises(Forbidden):
        exportcontrol.confirm(tw.other_admin, s)  # another county's administrator
    exportcontrol.confirm(tw.region_admin, s)
    with pytest.raises(DomainError) as exc:
        services.qualify(tw.seller_admin, intent, True)
    assert exc.value.code == "export_prohibited" and "UNVERIFIED-3" in exc.value.message
    assert not ListingIntent.objects.get(pk=intent.pk).qualified
    # any further trade of this technology with a foreign buyer is refused, naming the item
    with pytest.raises(DomainError) as exc:
        services.register_intent(user, listing, org.pk)
    assert exc.value.code == "export_prohibited" and "UNVERIFIED-3" in exc.value.message
    with pytest.raises(DomainError) as exc:
        exportcontrol.require_trade_allowed(ach.pk, org)
    assert exc.value.status == 409 and "稀土" in exc.value.message
    exportcontrol.require_trade_allowed(ach.pk, tw.buyer_a)  # domestic buyers are not affected


def test_foreign_buyer_qualified_after_a_free_screening(tw, rare_earth, foreign_buyer):  # noqa: F811
    org, user = foreign_buyer
    listing = tw.listing(tw.achievement(abstract="一种果蔬保鲜方法。"))
    intent = services.register_intent(user, listing, org.pk)
    s = Screening.objects.get(subject_kind="registration", subject_id=intent.pk)
    assert s.proposed_outcome == "free"
    exportcontrol.confirm(tw.region_admin, s)
    assert services.qualify(tw.seller_admin, intent, True).qualified
    assert Notification.objects.filter(user=user, title__contains="出口管制筛查已确认").exists()


def test_closing_passes_over_a_foreign_buyer_prohibited_after_qualifying(tw, rare_earth, foreign_buyer):  # noqa: F811
    """A screening of the same technology confirmed prohibited after the foreign buyer qualified: the clock closes
    the listing without that buyer (no deal, no error at every run) instead of failing."""
    org, user = foreign_buyer
    ach = tw.achievement(abstract="一种果蔬保鲜方法。")
    listing = tw.listing(ach)
    intent = services.register_intent(user, listing, org.pk)
    s = Screening.objects.get(subject_kind="registration", subject_id=intent.pk)
    exportcontrol.confirm(tw.region_admin, s)
    assert services.qualify(tw.seller_admin, intent, True).qualified
    Screening.objects.filter(pk=s.pk).update(outcome="prohibited")
    Screening.objects.get(pk=s.pk).items.add(rare_earth)
    listing.refresh_from_db()
    services.close_listing(listing, listing.ends_at + datetime.timedelta(seconds=1))
    listing.refresh_from_db()
    assert listing.status != ListingStatus.SOLD and not Deal.objects.filter(achievement=ach).exists()
