"""What every lot (listing 挂牌, auction 拍卖, notice 公示) shares: the platform's trading settings, the input
every offer reads, who acts for the seller, and how a lot is found and linked."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.catalog import workflow
from techtransfer.catalog.models import Achievement, TransferMode
from techtransfer.catalog.models import Status as AchStatus
from techtransfer.core.errors import Conflict, DomainError, NotFound
from techtransfer.orgs.models import Organization
from techtransfer.trading import permissions as rules
from techtransfer.trading.models import Auction, Deal, Listing, Notice


def notice_min_days() -> int:
    """Shortest public notice period in days (``TRADING_NOTICE_MIN_DAYS``, 15 by common practice)."""
    return int(getattr(settings, "TRADING_NOTICE_MIN_DAYS", 15))


def anti_sniping_default() -> int:
    """Minutes by which a late bid extends an auction unless the seller says otherwise (延时竞价)."""
    return int(getattr(settings, "TRADING_ANTI_SNIPING_MINUTES", 5))


# --- input every offer reads ----------------------------------------------------------------------------------


def flag(value, default: bool) -> bool:
    """A yes/no value from a form or JSON (empty means ``default``)."""
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "on", "yes")


def check_fields(data: dict, allowed: tuple[str, ...]) -> None:
    """Refuse unknown fields (naming the first), so that a misspelt field never looks accepted."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(unknown), field=unknown[0])


def organization(value, field: str) -> Organization:
    """An organization given as itself or by its id."""
    if isinstance(value, Organization):
        return value
    try:
        org = Organization.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        org = None
    if org is None:
        raise DomainError(_("No such organization: %s") % (value or ""), field=field)
    return org


def given_reason(reason) -> str:
    """The reason for withdrawing a lot: required, it is kept with the lot and in the audit trail."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    return reason


def transfer_mode(value, ach: Achievement) -> str:
    """One of the transfer modes the achievement is offered in (any mode when it names none)."""
    mode = (value or "").strip()
    if mode not in TransferMode.values:
        raise DomainError(_("Choose a transfer mode."), field="transfer_mode")
    if ach.transfer_modes and mode not in ach.transfer_modes:
        raise DomainError(_("The achievement is not offered in this transfer mode."), field="transfer_mode")
    return mode


# --- the seller's side ----------------------------------------------------------------------------------------


def user_orgs(user) -> list[Organization]:
    """The organizations the user belongs to (member or administrator): those it may register or bid for."""
    ids = permissions.principal(user).org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)
    return list(Organization.objects.filter(pk__in=sorted(ids)))


def seller_admins(org_id: int) -> list[User]:
    """The active administrators of an organization, oldest account first."""
    return permissions.org_administrators(org_id)


def acting_for_seller(lot) -> User | None:
    """Who the platform acts as for the seller when the clock concludes a deal: the lot's creator while it may
    still act for the achievement, else an administrator of the seller, else a platform administrator."""
    creator = lot.created_by
    if creator is not None and creator.is_active and rules.may_offer(creator, lot.achievement):
        return creator
    admins = seller_admins(lot.seller_id)
    if admins:
        return admins[0]
    platform = RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN).values_list("user_id", flat=True)
    return User.objects.filter(Q(is_superuser=True) | Q(pk__in=list(platform)), is_active=True).order_by("pk").first()


def achievement_step(actor, lot, step) -> None:
    """Move the achievement through the catalog workflow (as ``actor``, or as the seller side for clock events)."""
    who = actor if actor is not None and rules.may_offer(actor, lot.achievement) else acting_for_seller(lot)
    if who is None:
        raise Conflict(_("Nobody may act for the seller organization; ask a platform administrator."))
    step(who, lot.achievement)
    lot.achievement.refresh_from_db()


@contextmanager
def withdrawing(actor, lot, reason, *, still: str, refusal: str):
    """Withdraw a lot (cancel a listing 撤牌 or an auction, revoke a notice): only those who manage it may
    (``trading.manage_lot``) and only with a reason (``given_reason``). Inside one transaction the lot is locked
    and must still be ``still``, else ``Conflict(refusal)`` on ``status``; the block gets ``(locked lot, reason)``
    and records the change; then the achievement leaves negotiation (on offer again) and ``lot`` is reloaded."""
    rules.require_manager(actor, lot)
    reason = given_reason(reason)
    with transaction.atomic():
        locked = type(lot).objects.select_for_update().get(pk=lot.pk)
        if locked.status != still:
            raise Conflict(refusal, field="status")
        yield locked, reason
        achievement_step(actor, locked, workflow.end_negotiation)
    lot.refresh_from_db()


def check_offerable(actor, ach: Achievement) -> None:
    """The actor may offer the achievement (``trading.offer_achievement``) and it is published, not yet traded."""
    permissions.require(
        "trading.offer_achievement", actor, ach,
        message=_("Only the owner organization's administrator or a platform reviewer may offer it."),
    )
    if ach.status != AchStatus.PUBLISHED:
        raise Conflict(
            _("Only a published achievement that is not already being traded can be offered (it is %(s)s).")
            % {"s": ach.get_status_display()},
            field="achievement",
        )
    if ach.classification != "public":
        # A market record is public: it would show a restricted or controlled (军民两用) achievement's title.
        raise Conflict(_("Only an achievement marked public can be offered on the market."), field="achievement")


# --- reading --------------------------------------------------------------------------------------------------


def lot_url(lot) -> str:
    name = {Listing: "listing", Auction: "auction", Notice: "notice"}[type(lot)]
    return reverse(f"trading:{name}", args=[lot.pk])


def deal_url(deal: Deal) -> str:
    return reverse("trading:deals") + f"#deal-{deal.pk}"


_ANYONE = object()  # get_lot without a reader: the services' own look-up (permission checked by the action)


def get_lot(model, pk: int, user=_ANYONE):
    """A listing, auction or notice with its achievement and seller (``NotFound`` when there is none). Given a
    ``user``, only a lot that user may see (``NotFound`` for a lot of an achievement marked restricted or
    controlled that the user may not see: its title is not revealed)."""
    qs = model.objects.select_related("achievement", "seller")
    if user is not _ANYONE:
        qs = permissions.visible(user, qs)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("No such record."))
    return obj
