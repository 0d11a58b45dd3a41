"""Who may enter and read the service-industry returns — the stats app's named permission rules."""

from __future__ import annotations

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.orgs.models import Organization


@permissions.rule("stats.file_service_return")
def may_file_return(user, org: Organization) -> bool:
    """The institution's administrators enter its return (platform administrators may correct it)."""
    p = permissions.principal(user)
    return p.is_platform_admin or org.pk in p.org_ids(Role.ORG_ADMIN)


@permissions.rule("stats.read_service_return")
def may_read_return(user, org: Organization) -> bool:
    """The institution's own members, and administrators and reviewers whose region contains it."""
    p = permissions.principal(user)
    if p.is_platform_admin or org.pk in p.org_ids():
        return True
    return p.in_region_scope(org.region_id, Role.REGION_ADMIN, Role.REVIEWER)
