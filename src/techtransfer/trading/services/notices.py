"""Negotiated deals with public notice — 协议定价公示: a state-funded unit (or a state-owned enterprise) that prices
an achievement by agreement publishes the achievement's name, the parties and the price for at least
``TRADING_NOTICE_MIN_DAYS`` days (促进科技成果转化法 art. 18; 15 calendar days under 国发〔2016〕16号); anyone may
object (异议) during the period; after a clean period the deal is final."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.catalog import workflow
from techtransfer.catalog.models import Achievement
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import Conflict, DomainError
from techtransfer.core.fields import in_field, parse_moment, parse_money, parse_text, parse_whole
from techtransfer.orgs.models import OrgKind
from techtransfer.trading.models import Deal, DealSource, Notice, NoticeStatus, Objection, ObjectionOutcome
from techtransfer.trading.permissions import require_manager
from techtransfer.trading.services import notify
from techtransfer.trading.services.deals import conclude
from techtransfer.trading.services.lots import (
    achievement_step,
    check_fields,
    check_offerable,
    lot_url,
    notice_min_days,
    organization,
    seller_admins,
    transfer_mode,
    withdrawing,
)

NOTICE_FIELDS = ("buyer", "price", "transfer_mode", "pricing_basis", "contact", "period_days", "starts_at")
# Owners that are state-funded by their kind (public universities, institutes, government bodies); other owners
# count as state-funded when the achievement names a public funding source (财政资助) or when their ownership is
# state-owned (orgs.Ownership.state_owned).
STATE_FUNDED_KINDS = (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.NEW_RD, OrgKind.GOVERNMENT)


def is_state_funded(ach: Achievement) -> bool:
    """Whether the owner may (and must) price by agreement with a public notice: state-funded units and achievements
    (促进科技成果转化法 art. 18, 国发〔2016〕16号) and state-owned enterprises, which seed 001 names beside
    universities and institutes (ownership flagged ``state_owned`` in the editable ownership table)."""
    owner = ach.owner
    return bool(
        ach.must_report
        or owner.kind in STATE_FUNDED_KINDS
        or (owner.ownership_id and owner.ownership.state_owned)
    )


def publish_notice(actor, ach: Achievement, data: dict, now: datetime.datetime | None = None) -> Notice:
    """Publish the public notice of a price agreed with a buyer — 协议定价公示 — for at least
    ``TRADING_NOTICE_MIN_DAYS`` days (促进科技成果转化法 art. 18). Only for state-funded owners or achievements."""
    now = now or timezone.now()
    check_offerable(actor, ach)
    check_fields(data, NOTICE_FIELDS)
    if not is_state_funded(ach):
        raise DomainError(
            _("A public notice is the procedure for state-funded achievements (public funding source, or a public "
              "university, institute, government or state-owned owner); this one is neither."),
            field="achievement",
        )
    buyer = organization(data.get("buyer"), "buyer")
    if buyer.pk == ach.owner_id:
        raise DomainError(_("The buyer must be another organization."), field="buyer")
    exportcontrol.require_trade_allowed(ach.pk, buyer)  # 技术出口管制: a prohibited technology has no foreign buyer
    minimum = notice_min_days()
    days = in_field(parse_whole, data.get("period_days"), "period_days", low=minimum, high=365, default=minimum)
    contact = in_field(parse_text, data.get("contact"), "contact", max_length=200)
    if not contact:
        raise DomainError(_("Say where objections are to be sent."), field="contact")
    starts = in_field(parse_moment, data["starts_at"], "starts_at") if data.get("starts_at") else now
    if starts < now - datetime.timedelta(minutes=5):
        raise DomainError(_("A notice period cannot start in the past."), field="starts_at")
    notice = Notice(
        achievement=ach, seller=ach.owner, region_id=ach.region_id, created_by=actor, buyer=buyer,
        price=in_field(parse_money, data.get("price"), "price", positive=True),
        transfer_mode=transfer_mode(data.get("transfer_mode"), ach),
        pricing_basis=in_field(parse_text, data.get("pricing_basis"), "pricing_basis", max_length=5000),
        contact=contact, starts_at=starts, ends_at=starts + datetime.timedelta(days=days),
    )
    with transaction.atomic():
        achievement_step(actor, notice, workflow.start_negotiation)
        notice.save()
        audit.created(actor, notice, "trading.notice.publish")
        notify.send(seller_admins(buyer.pk), _("Public notice of your agreed deal: %s") % ach, lot_url(notice))
    return notice


def file_objection(actor, notice: Notice, text: str, now: datetime.datetime | None = None) -> Objection:
    """Anyone signed in may object during the notice period — 异议 (``trading.file_objection``)."""
    now = now or timezone.now()
    permissions.require("trading.file_objection", actor, notice)
    text = in_field(parse_text, text, "text", max_length=5000)
    if not text:
        raise DomainError(_("Write the objection."), field="text")
    with transaction.atomic():
        n = Notice.objects.select_for_update().get(pk=notice.pk)
        if n.status != NoticeStatus.IN_PERIOD or not (n.starts_at <= now < n.ends_at):
            raise Conflict(_("Objections can be filed only during the notice period."), field="status")
        obj = Objection.objects.create(notice=n, filer=actor, text=text)
        audit.created(actor, obj, "trading.objection.file")
        notify.to_seller(n, _("Objection filed against the notice of %s") % n.achievement, lot_url(n))
    return obj


def handle_objection(actor, objection: Objection, outcome: str, note: str) -> Objection:
    """Record how an objection was handled: dismissed, or upheld — which revokes the notice and puts the
    achievement on offer again."""
    notice = objection.notice
    require_manager(actor, notice)
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
            achievement_step(actor, n, workflow.end_negotiation)
        notify.send([obj.filer], _("Your objection was %(o)s: %(a)s") % {"o": obj.get_outcome_display(),
                                                                          "a": n.achievement}, lot_url(n))
    objection.refresh_from_db()
    return objection


def revoke_notice(actor, notice: Notice, reason: str) -> Notice:
    """Withdraw a notice during its period (the parties gave up the deal)."""
    refusal = _("The notice is closed.")
    with withdrawing(actor, notice, reason, still=NoticeStatus.IN_PERIOD, refusal=refusal) as (n, reason):
        with audit.tracking(actor, n, "trading.notice.revoke", reason=reason):
            n.status = NoticeStatus.REVOKED
            n.revoked_reason = reason
            n.closed_at = timezone.now()
    return notice


def finalize_notice(notice: Notice, now: datetime.datetime | None = None, actor=None) -> Deal:
    """After a clean notice — the period is over, every objection handled and none upheld — the deal is final."""
    now = now or timezone.now()
    if actor is not None:
        require_manager(actor, notice)
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
        buyer_user = next(iter(seller_admins(n.buyer_id)), None)
        deal = conclude(actor, n, DealSource.NOTICE, n.buyer, buyer_user, n.price, now, notice=n)
    notice.refresh_from_db()
    return deal
