"""Who may manage subsidy policies — 奖补政策管理: platform administrators, and region administrators of the
issuing region (docs/subsidies.md; the roles table of docs/architecture.md)."""

from __future__ import annotations

from techtransfer.accounts import permissions


@permissions.rule("subsidies.manage_policy")
def may_manage_policy(user, policy) -> bool:
    return permissions.can_change(user, policy)
