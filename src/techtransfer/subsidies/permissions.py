"""Who may manage subsidy policies — 奖补政策管理: platform administrators, and region administrators of the
issuing region (docs/subsidies.md; the roles table of docs/architecture.md)."""

from __future__ import annotations

from techtransfer.accounts import permissions
from techtransfer.subsidies.services import claims


@permissions.rule("subsidies.manage_policy")
def may_manage_policy(user, policy) -> bool:
    return permissions.can_change(user, policy)


@permissions.rule("subsidies.apply_claim")
def may_apply_claim(user, claim) -> bool:
    """The beneficiary organization's administrators (or the beneficiary broker's own account)."""
    return claims.may_apply(user, claim)


@permissions.rule("subsidies.review_claim")
def may_review_claim(user, claim) -> bool:
    """Platform administrators, and region administrators whose region is inside the policy's issuing region and
    contains the claim's region (a county administrator does not act on another county's claims)."""
    return claims.may_review(user, claim)
