"""The back office (Django admin) obeys the permission layer: scope, no moving out of scope, audit."""

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.orgs.models import Organization
from tests.conftest import PANLONG, WUHUA

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):
    for u in (world.wuhua_admin, world.kunming_admin, world.platform_admin, world.org_admin):
        u.is_staff = True
        u.save()
    return world


def test_county_admin_lists_only_its_county(client_for, staff):
    page = client_for(staff.wuhua_admin).get("/admin/orgs/organization/").content.decode()
    assert "五华测试科技有限公司" in page and "盘龙测试科技有限公司" not in page
    other = client_for(staff.wuhua_admin).get(f"/admin/orgs/organization/{staff.panlong_org.pk}/change/")
    assert other.status_code in (302, 403, 404)
    city = client_for(staff.kunming_admin).get("/admin/orgs/organization/").content.decode()
    assert "五华测试科技有限公司" in city and "盘龙测试科技有限公司" in city
    assert "麒麟测试科技有限公司" not in city  # Qujing, another city


def test_change_is_audited_and_cannot_leave_scope(client_for, staff):
    org = staff.wuhua_org
    c = client_for(staff.wuhua_admin)
    url = f"/admin/orgs/organization/{org.pk}/change/"
    form = c.get(url)
    assert form.status_code == 200
    data = {
        "name": "五华改名科技有限公司", "name_en": "", "kind": org.kind, "credit_code": org.credit_code,
        "region": WUHUA, "country": "", "address": "", "website": "", "description": "",
        "contact_name": "联系人", "contact_phone": "0871-12345678", "contact_email": "contact@example.cn",
        "verification": org.verification, "demo_level": "", "demo_year": "", "is_demo": "",
        "credit_records-TOTAL_FORMS": "0", "credit_records-INITIAL_FORMS": "0",
        "credit_records-MIN_NUM_FORMS": "0", "credit_records-MAX_NUM_FORMS": "1000",
    }
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    org.refresh_from_db()
    assert org.name == "五华改名科技有限公司"
    entry = AuditEntry.objects.get(action="orgs.organization.admin_change")
    assert entry.before["name"] == "五华测试科技有限公司" and entry.after["name"] == "五华改名科技有限公司"
    # Moving the organization into another county is refused and changes nothing.
    r = c.post(url, {**data, "name": "搬走", "region": PANLONG})
    assert r.status_code == 200
    org.refresh_from_db()
    assert org.region_id == WUHUA and org.name == "五华改名科技有限公司"


def test_non_admins_and_users_page(client_for, staff):
    # An organization administrator with the staff flag still has no back-office modules.
    index = client_for(staff.org_admin).get("/admin/")
    assert index.status_code == 200 and "/admin/orgs/organization/" not in index.content.decode()
    assert "/admin/orgs/organization/" in client_for(staff.wuhua_admin).get("/admin/").content.decode()
    assert client_for(staff.org_admin).get("/admin/orgs/organization/").status_code == 403
    # Users and roles: platform administrators only.
    assert client_for(staff.kunming_admin).get("/admin/accounts/user/").status_code == 403
    assert client_for(staff.platform_admin).get("/admin/accounts/user/").status_code == 200


def test_only_platform_admin_deletes(client_for, staff):
    org = staff.wuhua_pending
    r = client_for(staff.wuhua_admin).post(f"/admin/orgs/organization/{org.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    assert Organization.objects.filter(pk=org.pk).exists()
