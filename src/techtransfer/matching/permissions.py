"""Who may do what in matching — named rules of the permission layer (``accounts.permissions``) and the
matching querysets' read scopes.

Cases (对接跟踪): members and administrators of the demand's owner organization, the assigned broker, region
administrators whose scope holds the demand's region, and platform administrators act on a case; a broker is
assigned by the owner's administrators and region administrators in scope. Conversion figures are for region
administrators. Saved searches and notifications belong to their user alone.
"""

from __future__ import annotations

from django.db.models import Q

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.accounts.permissions import principal, region_scope_q

from .models import MatchCase, SavedSearch


@permissions.rule("matching.act_on_case")
def may_act_on_case(user, case: MatchCase) -> bool:
    """Open, move, annotate a case."""
    p = principal(user)
    if not p.authenticated:
        return False
    if p.is_platform_admin:
        return True
    if case.broker_id and case.broker_id == p.user_id:
        return True
    if case.demand.owner_id in p.org_ids():
        return True
    return p.in_region_scope(case.demand.region_id)


@permissions.rule("matching.assign_broker")
def may_assign_broker(user, case: MatchCase) -> bool:
    """Assign (or replace) a case's broker: the owner organization's administrators, region administrators in
    scope, platform administrators."""
    p = principal(user)
    return (p.is_platform_admin or case.demand.owner_id in p.org_ids(Role.ORG_ADMIN)
            or p.in_region_scope(case.demand.region_id))


@permissions.rule("matching.view_conversion")
def may_view_conversion(user) -> bool:
    """Conversion figures (cases by status, by field and region): region administrators."""
    return principal(user).is_region_admin


@permissions.rule("matching.save_search")
def may_save_search(user) -> bool:
    """Save searches and be notified of new matches: any signed-in user."""
    return principal(user).authenticated


def visible_cases(user, qs=None):
    """The cases ``user`` may follow: mine (as broker), my organizations', my regions' (all for platform
    administrators; none signed out)."""
    qs = MatchCase.objects.all() if qs is None else qs
    p = principal(user)
    if not p.authenticated:
        return qs.none()
    if p.is_platform_admin:
        return qs
    q = Q(broker_id=p.user_id) | Q(demand__owner_id__in=sorted(p.org_ids())) | region_scope_q(p, MatchCase)
    return qs.filter(q)


def own_saved_searches(user):
    """The user's own saved searches (none signed out)."""
    return SavedSearch.objects.filter(user_id=principal(user).user_id)


def allowed(name: str, user, *args, **kwargs) -> bool:
    """``accounts.permissions.allowed`` (here so that callers importing this module find the rules registered)."""
    return permissions.allowed(name, user, *args, **kwargs)
