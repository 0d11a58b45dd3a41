"""Who may do what in the exchange: named rules (``accounts.permissions.rule``)."""

from __future__ import annotations

from techtransfer.accounts import permissions


@permissions.rule("exchange.manage_peers")
def may_manage_peers(user) -> bool:
    """Peers are registered, changed and pulled by platform administrators."""
    return permissions.principal(user).is_platform_admin
