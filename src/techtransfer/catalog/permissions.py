"""Who may do what with achievements and demands (成果 / 需求): the catalog's named permission rules.

Registered with ``accounts.permissions.rule`` so that services, pages and the API ask the same question by name
(``permissions.allowed("catalog.edit_record", user, record)``). The rules are those of the review workflow
(docs/catalog.md, "Who may do what"); ``catalog.workflow`` re-exports the three predicates under their old names
because other apps (trading) use them from there. The visibility scopes (``achievements_visible``, …) and the
reading rules for protected content are at the end; ``catalog.services`` re-exports them.
"""

from __future__ import annotations

from django.db.models import Q

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog.models import Achievement, Demand, NdaRequest, NdaStatus
from techtransfer.regions.services import scope_q


@permissions.rule("catalog.owner_member")
def is_owner_member(user, record) -> bool:
    """A member or administrator of the record's owner organization."""
    return record.owner_id in permissions.principal(user).org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)


@permissions.rule("catalog.owner_admin")
def is_owner_admin(user, record) -> bool:
    """An administrator of the record's owner organization (单位审核, NDA decisions, withdrawal)."""
    return record.owner_id in permissions.principal(user).org_ids(Role.ORG_ADMIN)


@permissions.rule("catalog.platform_reviewer")
def is_platform_reviewer(user, record) -> bool:
    """A region administrator whose scope contains the record's region, or a platform administrator (平台审核)."""
    return permissions.principal(user).in_region_scope(record.region_id)


@permissions.rule("catalog.owner_admin_or_reviewer")
def owner_admin_or_reviewer(user, record) -> bool:
    """Negotiation, transfer and closing: the owner's organization administrator or a platform reviewer."""
    return is_owner_admin(user, record) or is_platform_reviewer(user, record)


@permissions.rule("catalog.draft_for")
def may_draft_for(user, owner) -> bool:
    """Members and administrators of ``owner`` (an organization) add its records; platform administrators too."""
    p = permissions.principal(user)
    return p.is_platform_admin or owner.pk in p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)


@permissions.rule("catalog.edit_record")
def may_edit(user, record) -> bool:
    """Members of the owner organization (and platform administrators) edit a record; whether it is still a
    draft is the caller's second check (a state conflict, not a permission)."""
    return is_owner_member(user, record) or permissions.principal(user).is_platform_admin


@permissions.rule("catalog.import_for")
def may_import_for(user, org) -> bool:
    """Bulk import for ``org``: its members and administrators, region administrators whose scope contains it,
    platform administrators. ``user`` None is the operator on the command line."""
    if user is None:
        return True
    p = permissions.principal(user)
    return p.is_platform_admin or org.pk in p.org_ids() or p.in_region_scope(org.region_id)


@permissions.rule("catalog.import_published")
def may_import_published(user, region: str) -> bool:
    """Rows go straight to ``published`` only for the operator and platform reviewers of the row's region."""
    return user is None or permissions.principal(user).in_region_scope(region)


@permissions.rule("catalog.refine_demand")
def may_refine(user, demand) -> bool:
    """Experts and technology brokers refine demands (专家翻译需求); so do platform reviewers in scope. Which
    states allow it is the service's check."""
    return is_platform_reviewer(user, demand) or permissions.principal(user).has_role(Role.EXPERT, Role.BROKER)


@permissions.rule("catalog.reviewer")
def is_reviewer(user) -> bool:
    """Has a review queue at all: organization administrators (单位审核) and region or platform administrators."""
    p = permissions.principal(user)
    return bool(p.org_ids(Role.ORG_ADMIN)) or p.is_region_admin


@permissions.rule("catalog.curate_package")
def may_curate(user, region_code: str) -> bool:
    """Achievement packages (成果包) are curated by administrators of the package's region (and platform
    administrators)."""
    return permissions.principal(user).in_region_scope(region_code)


# --- protected content and visibility (querysets) ------------------------------------------------------------------


def achievements_visible(user):
    """Achievements the user may see at all: public ones, its organizations' and those it manages."""
    return permissions.visible(user, Achievement.objects.select_related("owner", "region", "tech_field"))


def demands_visible(user):
    """Demands the user may see at all: public ones, its organizations' and those it manages."""
    return permissions.visible(user, Demand.objects.select_related("owner", "region", "tech_field"))


@permissions.rule("catalog.read_protected")
def can_read_protected(user, ach: Achievement) -> bool:
    """Whether the user may read the achievement's protected details: members and administrators of the owner
    organization, region administrators whose scope contains it, platform administrators, and users whose NDA
    access request the owner approved (and has not revoked)."""
    if permissions.can_see_restricted(user, ach):
        return True
    p = permissions.principal(user)
    return (
        p.authenticated
        and NdaRequest.objects.filter(achievement=ach, requester_id=p.user_id, status=NdaStatus.APPROVED).exists()
    )


def protected_readable_ids(user, achievement_ids) -> set[int]:
    """``can_read_protected`` for many achievements in two queries (lists and exports)."""
    ids = list(achievement_ids)
    if not ids:
        return set()
    readable = set(
        permissions.restricted_visible(user, Achievement.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    p = permissions.principal(user)
    if p.authenticated:
        readable |= set(
            NdaRequest.objects.filter(
                achievement_id__in=ids, requester_id=p.user_id, status=NdaStatus.APPROVED
            ).values_list("achievement_id", flat=True)
        )
    return readable


@permissions.rule("catalog.read_contact")
def can_read_contact(user, demand: Demand) -> bool:
    """The owner organization, administrators in scope and platform administrators see a demand's contact."""
    return permissions.can_see_restricted(user, demand)


# --- dual-use information (军民两用): who decides, who reviews ------------------------------------------------------


def _officer_for_record(p, record) -> bool:
    return record.owner_id in p.org_ids(Role.SECRECY_OFFICER) or p.in_region_scope(
        record.region_id, Role.SECRECY_OFFICER
    )


@permissions.rule("catalog.mark_record")
def may_mark(user, record) -> bool:
    """The owner organization's members (and platform administrators) set a record's classification and raise it;
    lowering it is a declassification (``catalog.decide_declassification``)."""
    return may_edit(user, record)


@permissions.rule("catalog.decide_access")
def may_decide_access(user, grant) -> bool:
    """An application for access to a controlled record is decided by a secrecy officer of the owning
    organization or of a region containing the record, by a region administrator in scope, or by a platform
    administrator; one for a category (technical field + region) by a secrecy officer or region administrator
    whose region contains the category's region. Nobody decides their own application."""
    p = permissions.principal(user)
    if not p.authenticated or grant.user_id == p.user_id:
        return False
    if p.is_platform_admin:
        return True
    record = grant.achievement or grant.demand
    if record is not None:
        return _officer_for_record(p, record) or p.in_region_scope(record.region_id)
    return p.in_region_scope(grant.region_id, Role.SECRECY_OFFICER, Role.REGION_ADMIN)


@permissions.rule("catalog.decide_declassification")
def may_decide_declassification(user, record) -> bool:
    """A declassification (降解密) is decided by a secrecy officer in scope of the record (its organization's or its
    region's), a region administrator in scope or a platform administrator."""
    p = permissions.principal(user)
    return p.authenticated and (p.is_platform_admin or _officer_for_record(p, record)
                                or p.in_region_scope(record.region_id))


@permissions.rule("catalog.review_views")
def may_review_views(user) -> bool:
    """The log of views of controlled records and the grants are reviewed by approvers: secrecy officers, region
    administrators and platform administrators (each sees the rows in scope: ``classified_scope_q``)."""
    p = permissions.principal(user)
    return p.is_platform_admin or bool(p.regions(Role.SECRECY_OFFICER, Role.REGION_ADMIN)) or bool(
        p.org_ids(Role.SECRECY_OFFICER)
    )


@permissions.rule("catalog.approve_unit")
def may_approve_unit(user, org) -> bool:
    """A region administrator whose scope contains the organization (or a platform administrator) approves a unit
    for restricted dual-use information (``Organization.dual_use_approved``)."""
    return permissions.principal(user).in_region_scope(org.region_id)


def classified_scope_q(user, category: bool = False) -> Q:
    """Which grants, views and declassifications (rows with ``achievement``/``demand`` fields) an approver sees:
    those of records of its organizations (secrecy officer) or inside its regions (secrecy officer, region
    administrator); with ``category``, also the category grants inside its regions (``AccessGrant.region``).
    Everything for platform administrators."""
    p = permissions.principal(user)
    if p.is_platform_admin:
        return Q()
    q = permissions.NOTHING
    orgs = sorted(p.org_ids(Role.SECRECY_OFFICER))
    if orgs:
        q |= Q(achievement__owner_id__in=orgs) | Q(demand__owner_id__in=orgs)
    for code in p.regions(Role.SECRECY_OFFICER, Role.REGION_ADMIN):
        q |= scope_q("achievement__region_id", code) | scope_q("demand__region_id", code)
        if category:
            q |= Q(tech_field__isnull=False) & scope_q("region_id", code)
    return q
