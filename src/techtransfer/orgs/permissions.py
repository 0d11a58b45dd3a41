"""Who may decide on organizations (机构): the orgs app's named permission rules."""

from __future__ import annotations

from techtransfer.accounts import permissions


@permissions.rule("orgs.region_admin")
def administers_region_of(user, org) -> bool:
    """Verification, demonstration level and credit records: a region administrator whose scope contains the
    organization's region, or a platform administrator."""
    return permissions.principal(user).in_region_scope(org.region_id)
