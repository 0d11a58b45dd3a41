"""The one permission layer: role + region scope + organization ownership."""

import pytest

from techtransfer.accounts import permissions
from techtransfer.orgs.models import Organization


def names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.mark.django_db
def test_visitor_sees_only_verified_orgs(world):
    seen = names(permissions.visible(world.visitor, Organization.objects.all()))
    assert seen == {"五华测试科技有限公司", "盘龙测试科技有限公司"}
    assert names(permissions.manageable(world.visitor, Organization.objects.all())) == set()


@pytest.mark.django_db
def test_county_admin_scope_is_its_county_only(world):
    managed = names(permissions.manageable(world.panlong_admin, Organization.objects.all()))
    assert managed == {"盘龙测试科技有限公司", "盘龙待审机构"}
    visible = names(permissions.visible(world.panlong_admin, Organization.objects.all()))
    assert "五华待审机构" not in visible and "麒麟测试科技有限公司" not in visible
    assert not permissions.can_change(world.panlong_admin, world.wuhua_org)
    assert not permissions.can_view(world.panlong_admin, world.wuhua_pending)
    assert not permissions.can_see_restricted(world.panlong_admin, world.wuhua_org)
    assert permissions.can_change(world.panlong_admin, world.panlong_pending)


@pytest.mark.django_db
def test_city_and_province_admins_see_everything_below(world):
    city = names(permissions.manageable(world.kunming_admin, Organization.objects.all()))
    assert city == {"五华测试科技有限公司", "五华待审机构", "盘龙测试科技有限公司", "盘龙待审机构"}
    province = names(permissions.manageable(world.province_admin, Organization.objects.all()))
    assert "麒麟测试科技有限公司" in province and len(province) == 5
    assert permissions.can_change(world.province_admin, world.qilin_org)
    assert not permissions.can_change(world.kunming_admin, world.qilin_org)


@pytest.mark.django_db
def test_org_roles(world):
    assert permissions.can_change(world.org_admin, world.wuhua_org)
    assert not permissions.can_change(world.org_admin, world.panlong_org)
    assert not permissions.can_change(world.member, world.wuhua_org)
    assert permissions.can_see_restricted(world.member, world.wuhua_org)
    assert not permissions.can_see_restricted(world.member, world.panlong_org)


@pytest.mark.django_db
def test_platform_admin_and_superuser(world, make_user):
    assert permissions.manageable(world.platform_admin, Organization.objects.all()).count() == 5
    su = make_user("root", is_superuser=True)
    assert permissions.principal(su).is_platform_admin
    assert permissions.can_change(su, world.qilin_org)


@pytest.mark.django_db
def test_principal_is_cached_and_forgettable(world):
    from techtransfer.accounts.models import Role, RoleAssignment

    user = world.visitor
    assert not permissions.principal(user).is_region_admin
    RoleAssignment.objects.create(user=user, role=Role.REGION_ADMIN, region_id="530102")
    assert not permissions.principal(user).is_region_admin  # cached for the request
    permissions.forget(user)
    assert permissions.principal(user).regions() == ["530102"]
