"""Who may do what with achievements and demands (成果 / 需求): the catalog's named permission rules.

Registered with ``accounts.permissions.rule`` so that services, pages and the API ask the same question by name
(``permissions.allowed("catalog.edit_record", user, record)``). The rules are those of the review workflow
(docs/catalog.md, "Who may do what"); ``catalog.workflow`` re-exports the three predicates under their old names
because other apps (trading) use them from there. The visibility scopes (``achievements_visible``, …) and the
reading rules for protected content are at the end; ``catalog.services`` re-exports them.
"""

from __future__ import annotations

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog.models import Achievement, Demand, NdaRequest, NdaStatus


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
