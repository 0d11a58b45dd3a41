"""Catalog pages: browsing with facets, detail, forms with inline errors, review queue, NDA, packages."""

import pytest

from techtransfer.accounts.models import Role
from techtransfer.catalog.models import Achievement, NdaRequest, Status
from tests.catalog.factories import CONTACT_PHONE, SECRET

pytestmark = pytest.mark.django_db


def test_browse_pages_with_facets_and_empty_state(world, client_for, make_achievement, make_demand):
    c = client_for()
    r = c.get("/catalog/achievements/")
    assert r.status_code == 200 and 'class="empty"' in r.content.decode()
    ach = make_achievement(Status.PUBLISHED)
    draft = make_achievement(title="尚未提交的草稿成果")
    make_demand(Status.PUBLISHED)
    html = c.get("/catalog/achievements/?trl_min=5&mode=transfer&sort=price_desc").content.decode()
    assert ach.title in html and draft.title not in html and SECRET not in html
    html = c.get("/catalog/achievements/?trl_min=7").content.decode()
    assert ach.title not in html
    r = c.get("/catalog/achievements/?region=999999")
    assert r.status_code == 200 and "999999" in r.content.decode()
    html = c.get("/catalog/demands/?tech_field=09").content.decode()
    assert "高原果蔬保鲜技术需求" in html and CONTACT_PHONE not in html
    detail = c.get(f"/catalog/achievements/{ach.pk}/").content.decode()
    assert SECRET not in detail and f"/matching/achievement/{ach.pk}/" in detail
    assert c.get(f"/catalog/achievements/{draft.pk}/").status_code == 404
    member_detail = client_for(world.member).get(f"/catalog/achievements/{ach.pk}/").content.decode()
    assert SECRET in member_detail


def test_publish_form_shows_errors_beside_fields(world, client_for):
    c = client_for(world.member)
    r = c.post("/catalog/achievements/new/", {
        "owner": world.wuhua_org.pk, "title": "新成果", "abstract": "摘要", "ipc_codes": "bad code",
        "asking_price": "100", "price_negotiable": "on",
    })
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="err-ipc_codes"' in html and 'id="err-asking_price"' in html
    assert Achievement.objects.count() == 0
    r = c.post("/catalog/achievements/new/", {
        "owner": world.wuhua_org.pk, "title": "新成果", "abstract": "一段足够长的公开摘要。",
        "ipc_codes": "H01M 10/0525",
        "transfer_modes": ["transfer"], "trl": "4", "tech_field": "05", "price_negotiable": "on",
    })
    assert r.status_code == 302
    ach = Achievement.objects.get()
    assert ach.status == Status.DRAFT and ach.ipc_codes == ["H01M 10/0525"] and ach.owner == world.wuhua_org
    # Another organization cannot be chosen.
    r = c.post("/catalog/achievements/new/", {"owner": world.panlong_org.pk, "title": "x", "abstract": "y"})
    assert r.status_code == 200 and 'id="err-owner"' in r.content.decode()


def test_review_queue_approve_and_reject_with_reason(world, client_for, make_achievement):
    ach = make_achievement(Status.SUBMITTED)
    admin = client_for(world.org_admin)
    assert ach.title in admin.get("/catalog/review/").content.decode()
    r = admin.post(f"/catalog/achievements/{ach.pk}/transition/", {"action": "org_reject", "reason": ""})
    assert r.status_code == 302
    ach.refresh_from_db()
    assert ach.status == Status.SUBMITTED
    admin.post(f"/catalog/achievements/{ach.pk}/transition/", {"action": "org_approve", "next": "/catalog/review/"})
    ach.refresh_from_db()
    assert ach.status == Status.ORG_REVIEWED
    reviewer = client_for(world.wuhua_admin)
    assert ach.title in reviewer.get("/catalog/review/").content.decode()
    assert ach.title not in client_for(world.panlong_admin).get("/catalog/review/").content.decode()
    reviewer.post(f"/catalog/achievements/{ach.pk}/transition/", {"action": "platform_reject", "reason": "材料不全"})
    ach.refresh_from_db()
    assert ach.status == Status.DRAFT and ach.rejection_reason == "材料不全"
    assert "材料不全" in client_for(world.member).get("/catalog/mine/").content.decode()


def test_nda_pages(world, client_for, make_user, make_achievement):
    ach = make_achievement(Status.PUBLISHED)
    outsider = make_user("reader", Role.ORG_MEMBER, org=world.panlong_org)
    c = client_for(outsider)
    c.post(f"/catalog/achievements/{ach.pk}/nda/", {"purpose": "评估"})
    req = NdaRequest.objects.get()
    assert ach.title in client_for(world.org_admin).get("/catalog/nda/").content.decode()
    # Another organization's administrator cannot decide.
    assert client_for(world.panlong_admin).post(f"/catalog/nda/{req.pk}/approve/").status_code == 404
    client_for(world.org_admin).post(f"/catalog/nda/{req.pk}/approve/")
    req.refresh_from_db()
    assert req.status == "approved"
    assert SECRET in c.get(f"/catalog/achievements/{ach.pk}/").content.decode()


def test_trl_page_and_packages_pages(world, client_for, make_achievement):
    ach = make_achievement()
    c = client_for(world.member)
    assert c.get(f"/catalog/achievements/{ach.pk}/trl/").status_code == 200
    c.post(f"/catalog/achievements/{ach.pk}/trl/", {"c_1a": "论文", "c_2a": "方案", "c_3a": "实验"})
    ach.refresh_from_db()
    assert ach.trl == 3 and ach.trl_assessments.get().answers["3a"] == "实验"
    r = client_for().get("/catalog/packages/")
    assert r.status_code == 200 and 'class="empty"' in r.content.decode()


def test_back_office_is_region_scoped(world, client_for, make_achievement):
    from techtransfer.catalog.models import Achievement

    ach = make_achievement(Status.SUBMITTED)
    for user in (world.kunming_admin, world.panlong_admin):
        user.is_staff = True
        user.save()
    html = client_for(world.kunming_admin).get("/admin/catalog/achievement/").content.decode()
    assert ach.title in html
    html = client_for(world.panlong_admin).get("/admin/catalog/achievement/").content.decode()
    assert ach.title not in html
    assert client_for(world.panlong_admin).get(f"/admin/catalog/achievement/{ach.pk}/change/").status_code in (
        302, 403, 404)
    assert client_for(world.kunming_admin).get(f"/admin/catalog/achievement/{ach.pk}/change/").status_code == 200
    assert Achievement.objects.get(pk=ach.pk).status == Status.SUBMITTED


def test_edit_pages_only_for_drafts_of_own_organization(world, client_for, make_achievement, make_demand):
    ach = make_achievement()
    assert client_for(world.member).get(f"/catalog/achievements/{ach.pk}/edit/").status_code == 200
    r = client_for(world.wuhua_admin).get(f"/catalog/achievements/{ach.pk}/edit/")
    assert r.status_code == 302 and r["Location"].endswith(f"/catalog/achievements/{ach.pk}/")
    r = client_for(world.member).post(f"/catalog/achievements/{ach.pk}/edit/", {
        "title": "改过的标题", "abstract": "一段公开摘要。", "trl": "12"})
    assert r.status_code == 200 and 'id="err-trl"' in r.content.decode()
    ach.refresh_from_db()
    assert ach.title != "改过的标题"
    published = make_demand(Status.PUBLISHED)
    r = client_for(world.member).get(f"/catalog/demands/{published.pk}/edit/")
    assert r.status_code == 302
