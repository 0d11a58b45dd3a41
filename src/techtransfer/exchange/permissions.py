"""Who may do what in the exchange: named rules (``accounts.permissions.rule``)."""

from __future__ import annotations

from techtransfer.accounts import permissions


@permissions.rule("exchange.manage_peers")
def may_manage_peers(user) -> bool:
    """Peers are registered, changed and pulled by platform administrators."""
    return permissions.principal(user).is_platform_admin


@permissions.rule("exchange.export_bundle")
def may_export_bundle(user) -> bool:
    """Export bundles (reporting upwards) are made by platform administrators (everything) and region
    administrators (the records of their regions)."""
    return permissions.principal(user).is_region_admin


@permissions.rule("exchange.see_feed_figures")
def may_see_feed_figures(user) -> bool:
    """The feed's counts per kind on the exchange page are for platform administrators."""
    return permissions.principal(user).is_platform_admin
