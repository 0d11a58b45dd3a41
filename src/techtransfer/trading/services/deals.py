"""The deal — 成交: the transaction record every way of trading ends in, the achievement marked transferred, and
the technology contract filing draft pre-filled for the seller (技术合同认定登记, contracts app)."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from techtransfer.audit import services as audit
from techtransfer.catalog import workflow
from techtransfer.catalog.models import PATENT_KINDS, IPKind, TransferMode
from techtransfer.contracts import services as contracts
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import Organization
from techtransfer.trading import permissions as rules
from techtransfer.trading.models import ZERO, Deal
from techtransfer.trading.services import notify
from techtransfer.trading.services.lots import achievement_step, deal_url, seller_admins

log = logging.getLogger(__name__)

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


def conclude(actor, lot, source: str, buyer: Organization, buyer_user, price: Decimal, now, fee=ZERO, **links):
    """Every final deal: the transaction record, the achievement marked transferred through the catalog
    workflow, a contract filing draft for the seller (contracts app) and notifications to both parties.
    Runs inside the caller's transaction (the lot's closing). A foreign buyer of a technology found prohibited from
    export is refused (export control); a deal with a foreign buyer is screened."""
    exportcontrol.require_trade_allowed(lot.achievement_id, buyer)
    deal = Deal.objects.create(
        achievement=lot.achievement, seller=lot.seller, region=lot.region, created_by=actor, buyer=buyer,
        buyer_user=buyer_user, price=price, fee=fee, transfer_mode=lot.transfer_mode, source=source,
        concluded_at=now, is_demo=lot.is_demo, **links,
    )
    audit.created(actor, deal, "trading.deal.create")
    exportcontrol.screen_trade(actor, "deal", deal.pk, lot.achievement, lot.seller, lot.region_id, buyer)
    achievement_step(actor, lot, workflow.mark_transferred)
    filer = next((u for u in [actor, lot.created_by, *seller_admins(lot.seller_id)]
                  if u is not None and rules.may_file_contract(u, lot)), None)
    if filer is None:
        deal.contract_note = _("No member of the seller organization to file the contract for; file it by hand.")
    else:
        try:
            with transaction.atomic():
                deal.contract = contracts.file_contract(filer, contract_draft_data(deal))
                deal.contract_note = _("Contract filing draft created; complete and submit it for registration.")
        except DomainError as exc:
            log.warning("trading: contract draft for deal %s not created: %s", deal.pk, exc.message)
            deal.contract_note = (_("The contract draft could not be pre-filled: %s") % exc.message)[:300]
    deal.save(update_fields=["contract", "contract_note", "updated_at"])
    url = deal_url(deal)
    notify.to_seller(lot, _("Deal concluded: %(a)s for %(p)s yuan") % {"a": lot.achievement, "p": price}, url)
    notify.send([buyer_user, *seller_admins(buyer.pk)],
                _("You bought %(a)s for %(p)s yuan") % {"a": lot.achievement, "p": price}, url)
    return deal
