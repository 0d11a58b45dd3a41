"""Achievement packages (重点领域科技成果包): curated by region administrators within their scope."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from techtransfer.accounts.models import Role
from techtransfer.audit.services import entries_for
from techtransfer.catalog import packages, services, workflow
from techtransfer.catalog.models import PackageStatus, Status
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from tests.catalog.factories import SECRET, achievement_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def panlong_published(world, make_user):
    member = make_user("pl_member", Role.ORG_MEMBER, org=world.panlong_org)
    admin = make_user("pl_admin", Role.ORG_ADMIN, org=world.panlong_org)
    ach = services.create_achievement(member, world.panlong_org, achievement_data(title="盘龙储能材料"))
    workflow.submit(member, ach)
    workflow.approve_by_org(admin, ach)
    workflow.publish(world.panlong_admin, ach)
    return ach


def test_county_admin_curates_and_publishes_a_package(world, make_achievement):
    ach = make_achievement(Status.PUBLISHED)
    pkg = packages.create_package(world.wuhua_admin, "530102", "05", "五华区新材料成果包", "重点领域")
    assert pkg.status == PackageStatus.DRAFT
    with pytest.raises(NotFound):
        packages.get_package(world.visitor, pkg.pk)
    with pytest.raises(DomainError):
        packages.publish_package(world.wuhua_admin, pkg)  # empty
    packages.add_to_package(world.wuhua_admin, pkg, ach, "已中试")
    packages.publish_package(world.wuhua_admin, pkg)
    assert pkg.status == PackageStatus.PUBLISHED and pkg.published_at is not None
    assert packages.get_package(world.visitor, pkg.pk) == pkg
    contents = packages.package_contents(pkg)
    assert [c["id"] for c in contents] == [ach.pk] and contents[0]["note"] == "已中试"
    assert SECRET not in json.dumps(contents, cls=DjangoJSONEncoder, ensure_ascii=False)
    assert [e.action for e in entries_for(pkg).order_by("at", "id")] == [
        "catalog.package.create",
        "catalog.package.add",
        "catalog.package.publish",
    ]
    # Published packages are frozen until unpublished.
    with pytest.raises(Conflict):
        packages.add_to_package(world.wuhua_admin, pkg, make_achievement(Status.PUBLISHED))
    packages.unpublish_package(world.wuhua_admin, pkg)
    assert pkg.status == PackageStatus.DRAFT


def test_who_may_curate(world, make_achievement):
    with pytest.raises(Forbidden):
        packages.create_package(world.panlong_admin, "530102", "05", "越权")
    with pytest.raises(Forbidden):
        packages.create_package(world.wuhua_admin, "530100", "05", "县管市")
    with pytest.raises(Forbidden):
        packages.create_package(world.org_admin, "530102", "05", "机构")
    with pytest.raises(DomainError):
        packages.create_package(world.wuhua_admin, "530102", "99", "未知领域")
    pkg = packages.create_package(world.kunming_admin, "530100", "05", "昆明市新材料成果包")
    ach = make_achievement(Status.PUBLISHED)
    with pytest.raises(Forbidden):
        packages.add_to_package(world.wuhua_admin, pkg, ach)
    packages.add_to_package(world.province_admin, pkg, ach)
    assert pkg.items.count() == 1


def test_items_must_be_public_in_field_and_in_region(world, make_achievement, panlong_published):
    pkg = packages.create_package(world.wuhua_admin, "530102", "05", "五华区新材料成果包")
    with pytest.raises(Conflict):
        packages.add_to_package(world.wuhua_admin, pkg, make_achievement(Status.ORG_REVIEWED))
    with pytest.raises(DomainError):
        packages.add_to_package(world.wuhua_admin, pkg, make_achievement(Status.PUBLISHED, tech_field_id="01"))
    with pytest.raises(DomainError):
        packages.add_to_package(world.wuhua_admin, pkg, panlong_published)  # another county
    ach = make_achievement(Status.PUBLISHED)
    packages.add_to_package(world.wuhua_admin, pkg, ach)
    with pytest.raises(Conflict):
        packages.add_to_package(world.wuhua_admin, pkg, ach)
    assert pkg.items.count() == 1
    city = packages.create_package(world.kunming_admin, "530100", "05", "昆明市")
    packages.add_to_package(world.kunming_admin, city, ach)
    packages.add_to_package(world.kunming_admin, city, panlong_published)
    assert city.items.count() == 2


def test_withdrawn_achievements_drop_out_of_a_published_package(world, make_achievement):
    keep, drop = make_achievement(Status.PUBLISHED), make_achievement(Status.PUBLISHED, title="将撤回")
    pkg = packages.create_package(world.wuhua_admin, "530102", "05", "包")
    packages.add_to_package(world.wuhua_admin, pkg, keep)
    packages.add_to_package(world.wuhua_admin, pkg, drop)
    packages.publish_package(world.wuhua_admin, pkg)
    workflow.withdraw(world.org_admin, drop, "撤回")
    assert [c["id"] for c in packages.package_contents(pkg)] == [keep.pk]
    packages.unpublish_package(world.wuhua_admin, pkg)
    packages.remove_from_package(world.wuhua_admin, pkg, keep)
    with pytest.raises(DomainError):
        packages.publish_package(world.wuhua_admin, pkg)  # only a withdrawn achievement is left
