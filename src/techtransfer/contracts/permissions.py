"""Who may do what with technology contracts — the contracts' named rules of the permission layer.

Sources: 《技术合同认定登记管理办法》 (国科发政字〔2000〕63号) arts. 6–8 (the seller files at a registration point of
its locality; the point's staff decide within its jurisdiction) and 《技术合同认定规则》 (国科发政字〔2001〕253号).

Each predicate is registered with ``accounts.permissions.rule`` under ``contracts.<verb_noun>``, so
``permissions.allowed("contracts.decide", user, contract)`` answers from anywhere and ``permissions.RULES`` lists
them. The services raise the errors (with their own messages); pages use the same predicates to show or hide
actions. ``visible_contracts`` and ``seller_organizations`` are the query scopes of the same rules.
"""

from __future__ import annotations

from django.db.models import Q

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.contracts.models import ContractParty, PartyRole, Screening, Status, TechContract
from techtransfer.orgs.models import Organization, OrgKind
from techtransfer.regions.services import is_within, scope_q

# Drafts, contracts waiting for the decision and filings returned for correction (a corrected scan, e.g. the
# signature page) may get scans; decided ones are a closed record.
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
_SELLER_ROLES = (Role.ORG_MEMBER, Role.ORG_ADMIN)


# --- acting for the seller ---------------------------------------------------------------------------------------


@permissions.rule("contracts.file_for")
def may_file_for(user, organization: Organization) -> bool:
    """Members and administrators of an organization file its contracts — 卖方（研究开发方）在线填报."""
    return organization.pk in permissions.principal(user).org_ids(*_SELLER_ROLES)


@permissions.rule("contracts.act_for_seller")
def is_seller_side(user, contract: TechContract) -> bool:
    """Members and administrators of the seller organization act for the seller: change and submit drafts,
    attach and remove scans."""
    return contract.seller_org_id in permissions.principal(user).org_ids(*_SELLER_ROLES)


@permissions.rule("contracts.attach_file")
def may_attach(user, contract: TechContract) -> bool:
    """The seller attaches scans to a draft or a contract waiting for the decision (``OPEN_STATUSES``)."""
    return is_seller_side(user, contract) and contract.status in OPEN_STATUSES


@permissions.rule("contracts.remove_file")
def may_remove_file(user, contract: TechContract) -> bool:
    """The seller removes scans from a draft only; files of submitted contracts stay on record."""
    return is_seller_side(user, contract) and contract.status == Status.DRAFT


def seller_organizations(user):
    """The organizations ``user`` may file contracts for (registration points themselves are not sellers)."""
    ids = permissions.principal(user).org_ids(*_SELLER_ROLES)
    return Organization.objects.filter(pk__in=sorted(ids)).exclude(kind=OrgKind.REGISTRATION_POINT).order_by("name")


# --- the registration point ----------------------------------------------------------------------------------------


def _grant_covers(grant, point: Organization, region: str) -> bool:
    scope = grant.region or point.region_id
    return grant.org_id == point.pk and bool(scope) and is_within(region, scope)


@permissions.rule("contracts.decide")
def may_decide(user, contract: TechContract) -> bool:
    """A reviewer (role ``reviewer``) of the contract's registration point whose region scope contains the
    seller's region — 登记机构在其管辖范围内认定登记. A reviewer grant without a region has the point's region."""
    point, region = contract.registration_point, contract.seller_region_id
    if point is None or not region:
        return False
    p = permissions.principal(user)
    return any(g.role == Role.REVIEWER and _grant_covers(g, point, region) for g in p.grants)


@permissions.rule("contracts.record_expert_review")
def may_record_expert_review(user, contract: TechContract) -> bool:
    """The expert re-review (专家复核) is recorded by a reviewer who may decide the contract or by a user with the
    expert role assigned to the contract's registration point."""
    point = contract.registration_point
    p = permissions.principal(user)
    expert = point is not None and any(g.role == Role.EXPERT and g.org_id == point.pk for g in p.grants)
    return expert or may_decide(user, contract)


@permissions.rule("contracts.review")
def is_reviewer(user, obj=None) -> bool:
    """Whether the user reviews contracts at some registration point (the reviewer's pages)."""
    return any(g.role == Role.REVIEWER for g in permissions.principal(user).grants)


def reviewer_points(user) -> list[int]:
    """The registration points (organization ids) where ``user`` is a reviewer."""
    return sorted({g.org_id for g in permissions.principal(user).grants if g.role == Role.REVIEWER and g.org_id})


@permissions.rule("contracts.see_review_queue")
def may_see_review_queue(user, obj=None) -> bool:
    """The review queue is for the reviewers of registration points (and platform administrators)."""
    return bool(reviewer_points(user)) or permissions.principal(user).is_platform_admin


# --- reading -------------------------------------------------------------------------------------------------------


@permissions.rule("contracts.see_restricted")
def may_see_restricted(user, contract: TechContract) -> bool:
    """The restricted fields (technical summary, refusal note) are read by those the permission layer lets see
    restricted fields, by the seller and by the reviewers who decide the contract."""
    return (
        permissions.can_see_restricted(user, contract) or is_seller_side(user, contract) or may_decide(user, contract)
    )


def visible_contracts(user):
    """Contracts the user may see: the seller's members (drafts included), members of the buyer organization,
    the reviewers of the registration point within their jurisdiction, region administrators within their scope
    (not drafts), platform administrators all."""
    qs = TechContract.objects.select_related("category", "subcategory", "registration_point", "seller_org")
    p = permissions.principal(user)
    if p.is_platform_admin:
        return qs
    if not p.authenticated:
        return qs.none()
    q = permissions.member_q(user, TechContract)
    submitted = ~Q(status=Status.DRAFT)
    q |= permissions.region_scope_q(p, TechContract) & submitted
    for g in p.grants:
        if g.role == Role.REVIEWER and g.org_id:
            point_q = Q(registration_point_id=g.org_id) & submitted
            q |= point_q & scope_q("seller_region_id", g.region) if g.region else point_q
    buyer_orgs = p.org_ids(*_SELLER_ROLES)
    if buyer_orgs:
        buyer = ContractParty.objects.filter(role=PartyRole.BUYER, organization_id__in=sorted(buyer_orgs))
        q |= Q(pk__in=buyer.values("contract_id")) & submitted
    return qs.filter(q)


# --- export-control screening ------------------------------------------------------------------------------------


@permissions.rule("contracts.confirm_screening")
def may_confirm_screening(user, screening: Screening) -> bool:
    """A screening is confirmed by a reviewer of the contract's registration point whose region scope contains the
    seller's region, or by a region administrator whose region contains it (platform administrators everywhere).
    Members of the parties never confirm their own screening."""
    p = permissions.principal(user)
    if p.is_platform_admin or p.in_region_scope(screening.region_id):
        return True
    point = screening.point
    return point is not None and any(
        g.role == Role.REVIEWER and _grant_covers(g, point, screening.region_id) for g in p.grants
    )


@permissions.rule("contracts.see_screening")
def may_see_screening(user, screening: Screening) -> bool:
    """The seller's members, the counterparty organization's members and those who may confirm read a screening."""
    orgs = permissions.principal(user).org_ids(*_SELLER_ROLES)
    return (
        screening.org_id in orgs
        or (screening.counterparty_org_id is not None and screening.counterparty_org_id in orgs)
        or may_confirm_screening(user, screening)
    )


@permissions.rule("contracts.record_export_licence")
def may_record_export_licence(user, screening: Screening) -> bool:
    """The export licence number (技术出口许可证编号) is entered by the seller's members or by a confirmer."""
    orgs = permissions.principal(user).org_ids(*_SELLER_ROLES)
    return screening.org_id in orgs or may_confirm_screening(user, screening)


def visible_screenings(user):
    """Screenings the user may read: the seller's and the counterparty's members, the reviewers of the point within
    their jurisdiction, region administrators within their scope, platform administrators all."""
    qs = Screening.objects.select_related("counterparty_country", "org", "region", "point", "confirmed_by")
    p = permissions.principal(user)
    if p.is_platform_admin:
        return qs
    if not p.authenticated:
        return qs.none()
    orgs = sorted(p.org_ids(*_SELLER_ROLES))
    q = Q(org_id__in=orgs) | Q(counterparty_org_id__in=orgs) | permissions.region_scope_q(p, Screening)
    for g in p.grants:
        if g.role == Role.REVIEWER and g.org_id:
            point_q = Q(point_id=g.org_id)
            q |= point_q & scope_q("region_id", g.region) if g.region else point_q
    return qs.filter(q)
