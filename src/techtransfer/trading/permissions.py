"""Who may do what in trading — 成果交易权限: the named rules of the trading app and the records each person reads.

Registered with the platform's permission layer (``accounts.permissions.rule``), so ``permissions.allowed(
"trading.manage_lot", user, lot)`` answers from anywhere and ``permissions.RULES`` lists them. Source: the roles
table in docs/architecture.md — an organization's administrators act for it, its members read its records and
may register or bid for it, region administrators act inside their region, platform administrators everywhere —
and the catalog's rule of who may offer an achievement (its owner's administrators or a reviewer in scope).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog import workflow
from techtransfer.catalog.models import Achievement
from techtransfer.catalog.models import Status as AchStatus
from techtransfer.regions.services import scope_q
from techtransfer.trading.models import Deal

# --- rules ---------------------------------------------------------------------------------------------------


@permissions.rule("trading.manage_lot")
def may_manage(user, lot) -> bool:
    """The seller organization's administrators, region administrators in scope and platform administrators
    manage a lot (listing, auction, notice): they qualify buyers, close, cancel or revoke it, handle objections
    and see the reserve price."""
    return permissions.principal(user).authenticated and permissions.can_change(user, lot)


@permissions.rule("trading.offer_achievement")
def may_offer(user, ach: Achievement) -> bool:
    """The owner organization's administrators and the reviewers in scope (region or platform administrators)
    may list, auction or publish the notice of an achievement — the catalog workflow's own rule."""
    return workflow.is_owner_admin(user, ach) or workflow.is_platform_reviewer(user, ach)


@permissions.rule("trading.register_as_buyer")
def may_register(user, lot=None) -> bool:
    """Members and administrators of an organization register intent (意向受让登记) on its behalf; a person
    without an organization cannot buy."""
    return bool(permissions.principal(user).org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN))


@permissions.rule("trading.act_for_org")
def may_act_for(user, org) -> bool:
    """A member or administrator of ``org`` registers and bids for it, nobody else."""
    return org.pk in permissions.principal(user).org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)


@permissions.rule("trading.file_objection")
def may_object(user, notice=None) -> bool:
    """Anyone signed in may object to a public notice (异议) during its period (促进科技成果转化法 art. 18:
    the notice exists so that anyone can object)."""
    return permissions.principal(user).authenticated


@permissions.rule("trading.file_deal_contract")
def may_file_contract(user, lot) -> bool:
    """The contract filing draft of a deal is filed in the name of a member of the seller organization (the
    seller files technology contracts for registration)."""
    return lot.seller_id in permissions.principal(user).org_ids()


def require_manager(user, lot) -> None:
    """``Forbidden`` unless ``trading.manage_lot`` holds ("Sign in first." for anonymous users)."""
    permissions.require(
        "trading.manage_lot", user, lot,
        message=_("Only the seller organization's administrators or a region administrator in scope may do this."),
    )


# --- what each person reads -----------------------------------------------------------------------------------


def offerable_achievements(user):
    """Published achievements the user may offer (owner organization administrator or reviewer in scope), at
    most 300 — the choices of the listing, auction and notice forms."""
    p = permissions.principal(user)
    if not p.authenticated:
        return Achievement.objects.none()
    qs = Achievement.objects.filter(status=AchStatus.PUBLISHED, classification="public")
    if p.is_platform_admin:
        return qs[:300]
    q = permissions.NOTHING
    for code in p.regions():
        q |= scope_q("region_id", code)
    ids = p.org_ids(Role.ORG_ADMIN)
    if ids:
        q |= Q(owner_id__in=sorted(ids))
    return qs.filter(q)[:300]


def visible_intents(user, lot):
    """Registrations on a lot: all of them for its managers, one's own organizations' for others."""
    qs = lot.intents.select_related("buyer", "user")
    if may_manage(user, lot):
        return qs
    ids = permissions.principal(user).org_ids()
    return qs.filter(buyer_id__in=sorted(ids)) if ids else qs.none()


def visible_objections(user, notice):
    """Objections are read by the notice's managers and by their filers; the number of objections is public."""
    qs = notice.objections.all()
    if may_manage(user, notice):
        return qs
    return qs.filter(filer_id=permissions.principal(user).user_id or 0)


def visible_deals(user):
    """Deals are public market records (成交公告): everyone sees the price and the parties — except deals of an
    achievement marked restricted or controlled (军民两用), which only the parties' side and administrators see."""
    return permissions.visible(user, Deal.objects.select_related("achievement", "seller", "buyer", "contract"))
