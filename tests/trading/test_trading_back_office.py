"""The trading and matching pages of the back office follow the permission layer like every domain admin:
region scope, audited changes, no deleting below platform administrators."""

import pytest
from django.utils import timezone

from techtransfer.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tw):
    for u in (tw.w.wuhua_admin, tw.w.panlong_admin, tw.w.platform_admin):
        u.is_staff = True
        u.save()
    return tw


def test_region_admin_sees_only_lots_in_its_region(client_for, staff):
    listing = staff.listing()
    mine = client_for(staff.w.wuhua_admin)
    assert listing.achievement.title in mine.get("/admin/trading/listing/").content.decode()
    assert mine.get(f"/admin/trading/listing/{listing.pk}/change/").status_code == 200
    other = client_for(staff.w.panlong_admin)
    assert listing.achievement.title not in other.get("/admin/trading/listing/").content.decode()
    assert other.get(f"/admin/trading/listing/{listing.pk}/change/").status_code in (302, 403, 404)


def test_an_organization_administrator_has_no_trading_back_office(client_for, staff):
    staff.seller_admin.is_staff = True
    staff.seller_admin.save()
    page = client_for(staff.seller_admin).get("/admin/").content.decode()
    assert "/admin/trading/" not in page and "/admin/matching/" not in page


def test_delete_is_for_platform_administrators(client_for, staff):
    listing = staff.listing()
    url = f"/admin/trading/listing/{listing.pk}/delete/"
    assert client_for(staff.w.wuhua_admin).get(url).status_code == 403
    assert client_for(staff.w.platform_admin).get(url).status_code == 200


def test_a_change_in_the_back_office_is_audited(client_for, staff):
    listing = staff.listing()
    c = client_for(staff.w.wuhua_admin)
    url = f"/admin/trading/listing/{listing.pk}/change/"
    form = c.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    for name in ("starts_at", "ends_at"):  # the admin splits date-times into a date and a time box
        moment = timezone.localtime(data.pop(name))
        data[f"{name}_0"], data[f"{name}_1"] = moment.date().isoformat(), moment.time().isoformat()
    data["terms"] = "Changed in the back office."
    r = c.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="trading.listing.admin_change")
    assert entry.after["terms"] == "Changed in the back office."


def test_saved_searches_are_for_platform_administrators_only(client_for, staff):
    assert client_for(staff.w.wuhua_admin).get("/admin/matching/savedsearch/").status_code == 403
    assert client_for(staff.w.platform_admin).get("/admin/matching/savedsearch/").status_code == 200
