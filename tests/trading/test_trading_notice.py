"""Negotiated deals with public notice (协议定价公示): who may publish, the period, objections and their outcomes,
and finality only after a clean notice."""

import datetime
from decimal import Decimal

import pytest

from techtransfer.catalog.models import Status as AchStatus
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.notifications.models import Notification
from techtransfer.trading import services
from techtransfer.trading.models import Deal, DealSource, NoticeStatus, ObjectionOutcome

DAY = datetime.timedelta(days=1)


def notice_data(tw, **extra):
    data = {"buyer": tw.buyer_a.pk, "price": "880000", "transfer_mode": "transfer",
            "pricing_basis": "资产评估报告（2026）第12号", "contact": "科技处 0871-65000000"}
    data.update(extra)
    return data


@pytest.fixture
def funded(tw):
    return tw.achievement(public_funding="国家自然科学基金 52000000")


@pytest.mark.django_db
def test_only_state_funded_achievements_go_through_a_notice(tw, funded):
    plain = tw.achievement()
    with pytest.raises(DomainError) as exc:
        services.publish_notice(tw.seller_admin, plain, notice_data(tw))
    assert exc.value.field == "achievement"
    # A public university's achievement counts as state-funded without a named programme.
    uni_ach = tw.achievement(owner=tw.university)
    assert services.publish_notice(tw.uni_admin, uni_ach, notice_data(tw)).status == NoticeStatus.IN_PERIOD
    notice = services.publish_notice(tw.seller_admin, funded, notice_data(tw))
    funded.refresh_from_db()
    assert funded.status == AchStatus.IN_NEGOTIATION
    assert (notice.ends_at - notice.starts_at) == 15 * DAY
    assert notice.price == Decimal("880000.00") and notice.buyer == tw.buyer_a
    assert Notification.objects.filter(user=tw.user_c).count() == 0  # only the buyer's administrators are told


@pytest.mark.django_db
def test_the_period_has_a_configurable_minimum(tw, funded, settings):
    with pytest.raises(DomainError) as exc:
        services.publish_notice(tw.seller_admin, funded, notice_data(tw, period_days=14))
    assert exc.value.field == "period_days"
    settings.TRADING_NOTICE_MIN_DAYS = 30
    with pytest.raises(DomainError):
        services.publish_notice(tw.seller_admin, funded, notice_data(tw, period_days=20))
    notice = services.publish_notice(tw.seller_admin, funded, notice_data(tw))
    assert notice.ends_at - notice.starts_at == 30 * DAY


@pytest.mark.django_db
def test_notice_input_and_permissions(tw, funded):
    for data, field in [(notice_data(tw, buyer=tw.seller.pk), "buyer"), (notice_data(tw, contact=""), "contact"),
                        (notice_data(tw, price="0"), "price"), (notice_data(tw, buyer=999999), "buyer")]:
        with pytest.raises(DomainError) as exc:
            services.publish_notice(tw.seller_admin, funded, data)
        assert exc.value.field == field
    for user in (tw.seller_member, tw.user_a, tw.other_admin):
        with pytest.raises(Forbidden):
            services.publish_notice(user, funded, notice_data(tw))


@pytest.mark.django_db
def test_a_clean_notice_makes_the_deal_final(tw, funded):
    notice = services.publish_notice(tw.seller_admin, funded, notice_data(tw))
    with pytest.raises(Conflict):
        services.finalize_notice(notice, notice.ends_at - datetime.timedelta(seconds=1))
    deal = services.finalize_notice(notice, notice.ends_at)
    notice.refresh_from_db()
    funded.refresh_from_db()
    assert notice.status == NoticeStatus.FINAL and funded.status == AchStatus.TRANSFERRED
    assert (deal.source, deal.notice, deal.price, deal.buyer) == (DealSource.NOTICE, notice, Decimal("880000.00"),
                                                                  tw.buyer_a)
    assert deal.contract.contract_amount == Decimal("880000.00")


@pytest.mark.django_db
def test_objections_only_during_the_period_and_only_signed_in(tw, funded):
    notice = services.publish_notice(tw.seller_admin, funded, notice_data(tw))
    with pytest.raises(Forbidden):
        services.file_objection(None, notice, "价格过低")
    with pytest.raises(DomainError):
        services.file_objection(tw.visitor, notice, "  ")
    objection = services.file_objection(tw.visitor, notice, "评估价格明显偏低", now=notice.starts_at + DAY)
    assert objection.outcome == ObjectionOutcome.PENDING
    assert Notification.objects.filter(user=tw.seller_admin, title__contains=funded.title).exists()
    with pytest.raises(Conflict):
        services.file_objection(tw.visitor, notice, "迟到的异议", now=notice.ends_at)


@pytest.mark.django_db
def test_pending_objections_hold_the_deal_until_handled(tw, funded):
    notice = services.publish_notice(tw.seller_admin, funded, notice_data(tw))
    objection = services.file_objection(tw.user_c, notice, "该成果与我单位专利存在权属争议")
    with pytest.raises(Conflict) as exc:
        services.finalize_notice(notice, notice.ends_at + DAY)
    assert exc.value.field == "objections"
    assert services.close_due(notice.ends_at + DAY)["notices"] == 0
    with pytest.raises(Forbidden):
        services.handle_objection(tw.user_c, objection, "dismissed", "自己处理")
    with pytest.raises(DomainError):
        services.handle_objection(tw.seller_admin, objection, "dismissed", "")
    with pytest.raises(DomainError):
        services.handle_objection(tw.seller_admin, objection, "ignored", "x")
    services.handle_objection(tw.seller_admin, objection, "dismissed", "经核查，权属清晰，异议不成立")
    objection.refresh_from_db()
    assert objection.outcome == ObjectionOutcome.DISMISSED and objection.handled_by == tw.seller_admin
    assert Notification.objects.filter(user=tw.user_c, title__contains=funded.title).exists()
    with pytest.raises(Conflict):
        services.handle_objection(tw.seller_admin, objection, "upheld", "改判")
    assert services.close_due(notice.ends_at + DAY)["notices"] == 1
    assert Deal.objects.get().notice == notice


@pytest.mark.django_db
def test_an_upheld_objection_revokes_the_notice(tw, funded):
    notice = services.publish_notice(tw.seller_admin, funded, notice_data(tw))
    objection = services.file_objection(tw.user_b, notice, "价格显著低于评估值")
    services.handle_objection(tw.region_admin, objection, "upheld", "异议成立，重新定价")
    notice.refresh_from_db()
    funded.refresh_from_db()
    assert notice.status == NoticeStatus.REVOKED and "重新定价" in notice.revoked_reason
    assert funded.status == AchStatus.PUBLISHED
    with pytest.raises(Conflict):
        services.finalize_notice(notice, notice.ends_at)
    with pytest.raises(Conflict):
        services.file_objection(tw.user_b, notice, "再次异议")
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_revoking_a_notice(tw, funded):
    notice = services.publish_notice(tw.seller_admin, funded, notice_data(tw))
    with pytest.raises(Forbidden):
        services.revoke_notice(tw.user_a, notice, "x")
    services.revoke_notice(tw.seller_admin, notice, "买方放弃")
    assert notice.status == NoticeStatus.REVOKED


@pytest.mark.django_db
def test_state_owned_enterprise_may_publish_a_notice(tw):
    """促进科技成果转化法 art. 18 / 国发〔2016〕16号 and seed 001 (国有企业 beside universities and institutes): a
    state-owned enterprise's achievement goes through the agreement-pricing notice without a named programme."""
    from techtransfer.orgs.models import Ownership

    plain = tw.achievement()
    tw.seller.ownership_id = "private"
    tw.seller.save()
    with pytest.raises(DomainError):
        services.publish_notice(tw.seller_admin, plain, notice_data(tw))
    tw.seller.ownership_id = "state"
    tw.seller.save()
    plain.refresh_from_db()
    assert services.publish_notice(tw.seller_admin, plain, notice_data(tw)).status == NoticeStatus.IN_PERIOD
    # The flag is data: an administrator may mark another ownership as state-owned (e.g. state-controlled mixed).
    Ownership.objects.filter(pk="mixed").update(state_owned=True)
    tw.buyer_c.ownership_id = "mixed"
    tw.buyer_c.save()
    assert services.is_state_funded(tw.achievement(owner=tw.buyer_c))
