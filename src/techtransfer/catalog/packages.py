"""Achievement packages — 重点领域科技成果包: region administrators curate published achievements of one key field
inside their region and publish the package.

Rules: a package belongs to a region; only administrators whose scope contains that region (or platform
administrators) manage it. Items must be public achievements of the package's field lying inside its region.
A package is edited as a draft and published with at least one item; readers only ever see its items that are
still public, through ``services.public_view``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.catalog.models import (
    Achievement,
    AchievementPackage,
    Classification,
    PackageItem,
    PackageStatus,
    Status,
)
from techtransfer.catalog.permissions import may_curate
from techtransfer.catalog.services import public_view
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.regions.services import exists, is_within
from techtransfer.taxonomy.models import TechField

LISTABLE = (Status.PUBLISHED, Status.IN_NEGOTIATION)


def _require_curator(actor, region_code: str) -> None:
    if not may_curate(actor, region_code):
        raise Forbidden(_("Only an administrator of the package's region may curate it."))


def _require_draft(pkg: AchievementPackage) -> None:
    if pkg.status != PackageStatus.DRAFT:
        raise Conflict(_("Unpublish the package before changing it."), field="status")


def create_package(actor, region: str, tech_field: str, name: str, description: str = "") -> AchievementPackage:
    if not region or not exists(region):
        raise DomainError(_("Unknown region code: %s") % region, field="region")
    _require_curator(actor, region)
    if not TechField.objects.filter(pk=tech_field).exists():
        raise DomainError(_("Unknown technical field: %s") % tech_field, field="tech_field")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the package."), field="name")
    with transaction.atomic():
        pkg = AchievementPackage.objects.create(
            name=name[:200],
            description=(description or "").strip(),
            region_id=region,
            tech_field_id=tech_field,
            created_by=actor,
        )
        audit.created(actor, pkg, "catalog.package.create")
    return pkg


def add_to_package(actor, pkg: AchievementPackage, ach: Achievement, note: str = "") -> PackageItem:
    _require_curator(actor, pkg.region_id)
    _require_draft(pkg)
    if ach.status not in LISTABLE:
        raise Conflict(_("Only published achievements can go into a package."), field="achievement")
    if ach.classification != Classification.PUBLIC:
        raise Conflict(_("Only achievements marked public can go into a package."), field="achievement")
    if ach.tech_field_id != pkg.tech_field_id:
        raise DomainError(_("The achievement is not in the package's technical field."), field="achievement")
    if not is_within(ach.region_id, pkg.region_id):
        raise DomainError(_("The achievement lies outside the package's region."), field="achievement")
    if pkg.items.filter(achievement=ach).exists():
        raise Conflict(_("The achievement is already in the package."), field="achievement")
    with transaction.atomic():
        position = (pkg.items.aggregate(n=Max("position"))["n"] or 0) + 1
        item = PackageItem.objects.create(package=pkg, achievement=ach, position=position, note=note.strip())
        audit.record(actor, "catalog.package.add", pkg, None, {"achievement": ach.pk, "position": position})
    return item


def remove_from_package(actor, pkg: AchievementPackage, ach: Achievement) -> None:
    _require_curator(actor, pkg.region_id)
    _require_draft(pkg)
    item = pkg.items.filter(achievement=ach).first()
    if item is None:
        raise NotFound(_("The achievement is not in the package."))
    with transaction.atomic():
        item.delete()
        audit.record(actor, "catalog.package.remove", pkg, {"achievement": ach.pk}, None)


def publish_package(actor, pkg: AchievementPackage) -> AchievementPackage:
    _require_curator(actor, pkg.region_id)
    _require_draft(pkg)
    listable = pkg.items.filter(achievement__status__in=LISTABLE, achievement__classification=Classification.PUBLIC)
    if not listable.exists():
        raise DomainError(_("A package needs at least one published achievement."), field="achievements")
    with audit.tracking(actor, pkg, "catalog.package.publish"):
        pkg.status = PackageStatus.PUBLISHED
        pkg.published_at = timezone.now()
    return pkg


def unpublish_package(actor, pkg: AchievementPackage, reason: str = "") -> AchievementPackage:
    _require_curator(actor, pkg.region_id)
    if pkg.status != PackageStatus.PUBLISHED:
        raise Conflict(_("The package is not published."), field="status")
    with audit.tracking(actor, pkg, "catalog.package.unpublish", reason=(reason or "").strip()):
        pkg.status = PackageStatus.DRAFT
    return pkg


def packages_visible(user):
    """Published packages, plus the drafts of the regions the user administers."""
    return permissions.visible(user, AchievementPackage.objects.select_related("region", "tech_field"))


def get_package(user, pk: int) -> AchievementPackage:
    pkg = packages_visible(user).filter(pk=pk).first()
    if pkg is None:
        raise NotFound(_("No such package, or you may not see it."))
    return pkg


def package_contents(pkg: AchievementPackage) -> list[dict]:
    """The package's achievements that are still public, as public views (never protected details)."""
    items = (
        pkg.items.filter(achievement__status__in=(*LISTABLE, Status.TRANSFERRED),
                         achievement__classification=Classification.PUBLIC)
        .select_related("achievement__owner")
        .prefetch_related("achievement__ip_items")
    )
    return [{**public_view(i.achievement), "note": i.note, "position": i.position} for i in items]
