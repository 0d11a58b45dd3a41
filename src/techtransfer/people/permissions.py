"""Who may change the people directory (人才库): the people app's named permission rules."""

from __future__ import annotations

from techtransfer.accounts import permissions


@permissions.rule("people.manage")
def may_manage(user, person) -> bool:
    """Add or change a person and its broker/expert profiles: an administrator of the person's organization, a
    region administrator whose scope contains the person's region, or a platform administrator
    (``accounts.permissions.can_change`` on the person's region and organization scopes)."""
    return permissions.can_change(user, person)
