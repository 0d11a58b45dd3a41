"""Dual-use information (军民两用): marking, access grants (apply, decide, notify, expire, revoke), the view log,
declassification (降解密) with its history, and who may decide — through the services, the pages and the API."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.audit.models import AuditEntry
from techtransfer.catalog import dualuse
from techtransfer.catalog import io as catalog_io
from techtransfer.catalog import services as catalog
from techtransfer.catalog.classified import (
    AccessGrant,
    ControlledView,
    Declassification,
    DeclassificationStatus,
    GrantStatus,
)
from techtransfer.catalog.models import Achievement, Status
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.notifications.models import Notification
from tests.catalog.factories import achievement_data, advance

TITLE = "受控惯性导航模块"


@pytest.fixture
def cw(world, make_user):
    class C:
        pass

    c = C()
    c.record = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
        title=TITLE, tech_field_id="07", classification="controlled")), Status.PUBLISHED)
    c.officer = make_user("officer", Role.SECRECY_OFFICER, org=world.wuhua_org)
    c.region_officer = make_user("region_officer", Role.SECRECY_OFFICER, region="530100")
    c.outsider = make_user("outsider", Role.ORG_MEMBER, org=world.panlong_org)
    return c


def _approve(c, grant, days=30):
    return dualuse.decide_grant(c.officer, grant, True, timezone.localdate() + datetime.timedelta(days=days), "同意")


# --- marking ------------------------------------------------------------------------------------------------------


def test_edit_may_raise_never_lower(world):
    draft = catalog.create_achievement(world.member, world.wuhua_org, achievement_data(classification="restricted"))
    with pytest.raises(DomainError) as e:
        catalog.update_achievement(world.member, draft, {"classification": "public"})
    assert e.value.field == "classification"
    draft.refresh_from_db()
    assert draft.classification == "restricted"
    catalog.update_achievement(world.member, draft, {"classification": "controlled"})
    assert draft.classification == "controlled"
    assert [(h.from_level, h.to_level, h.status) for h in dualuse.history(draft)] == [
        ("restricted", "controlled", "applied")]


def test_raise_level_is_immediate_audited_and_owner_only(world, cw, make_user):
    public = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data()),
                     Status.PUBLISHED)
    with pytest.raises(Forbidden):
        dualuse.raise_level(cw.outsider, public, "controlled")
    with pytest.raises(Forbidden):
        dualuse.raise_level(cw.officer, public, "controlled")  # the officer decides, the owner marks
    dualuse.raise_level(world.member, public, "controlled", "涉及受控技术")
    public.refresh_from_db()
    assert public.classification == "controlled"
    assert not permissions.can_view(world.visitor, public)
    assert AuditEntry.objects.filter(action="catalog.achievement.classify", object_id=str(public.pk)).exists()
    with pytest.raises(DomainError):
        dualuse.raise_level(world.member, public, "restricted")


def test_import_column_sets_the_marking(world):
    data = ("title,abstract,classification\n"
            "导入受控成果,一段足够长的公开摘要，说明用途与指标。,controlled\n"
            "导入公开成果,一段足够长的公开摘要，说明用途与指标。,\n").encode()
    report = catalog_io.import_file(world.member, Achievement, io.BytesIO(data), "csv",
                                    default_owner=world.wuhua_org, filename="x.csv")
    assert report.ok, report.as_dict()
    assert dict(Achievement.objects.values_list("title", "classification")) == {
        "导入受控成果": "controlled", "导入公开成果": "public"}
    bad = ("title,abstract,classification\n" "坏标记,一段足够长的公开摘要，说明用途与指标。,secret\n").encode()
    assert not catalog_io.import_file(world.member, Achievement, io.BytesIO(bad), "csv",
                                      default_owner=world.wuhua_org, filename="y.csv").ok


def test_unit_approval_by_region_admin_only_and_audited(world):
    org = world.panlong_org
    with pytest.raises(Forbidden):
        dualuse.set_unit_approval(world.wuhua_admin, org, True)
    with pytest.raises(Forbidden):
        dualuse.set_unit_approval(world.org_admin, world.wuhua_org, True)
    dualuse.set_unit_approval(world.panlong_admin, org, True, "资质审查通过")
    org.refresh_from_db()
    assert org.dual_use_approved
    assert AuditEntry.objects.filter(action="orgs.organization.dual_use_approval", object_id=str(org.pk)).exists()


# --- grants -----------------------------------------------------------------------------------------------------


def test_apply_notify_approve_see_expire(world, cw):
    with pytest.raises(NotFound):
        dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk + 1000, "评估")
    with pytest.raises(DomainError):
        dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk, "")
    grant = dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk, "技术评估")
    # The org's secrecy officer is told (not the region's: the organization's own come first).
    assert list(Notification.objects.values_list("user_id", flat=True)) == [cw.officer.pk]
    with pytest.raises(Conflict):
        dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk, "again")
    assert not permissions.can_view(cw.outsider, cw.record)
    with pytest.raises(DomainError):
        dualuse.decide_grant(cw.officer, grant, True, None)
    _approve(cw, grant)
    assert Notification.objects.filter(user=cw.outsider).exists()
    permissions.forget(cw.outsider)
    assert permissions.can_view(cw.outsider, cw.record)
    assert AuditEntry.objects.filter(action="catalog.access_grant.approve").exists()
    # Expiry is checked at read time; the daily job tells the applicant once, the day after.
    grant.refresh_from_db()
    grant.valid_from = timezone.localdate() - datetime.timedelta(days=10)
    grant.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    grant.save()
    assert not permissions.can_view(cw.outsider, cw.record)
    assert dualuse.run_daily()["expired_notices"] == 1
    assert dualuse.run_daily(timezone.localdate() + datetime.timedelta(days=1))["expired_notices"] == 0


def test_reject_needs_a_note_and_notifies(world, cw):
    grant = dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk, "评估")
    with pytest.raises(DomainError):
        dualuse.decide_grant(cw.officer, grant, False)
    dualuse.decide_grant(cw.officer, grant, False, note="用途不明")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REJECTED
    assert Notification.objects.filter(user=cw.outsider, title__contains="用途不明").exists()
    assert not permissions.can_view(cw.outsider, cw.record)


def test_who_decides(world, cw, make_user):
    grant = dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk, "评估")
    for user in (world.member, world.org_admin, world.panlong_admin, cw.outsider, world.visitor):
        with pytest.raises(Forbidden):
            dualuse.decide_grant(user, grant, True, timezone.localdate())
    other_officer = make_user("other_officer", Role.SECRECY_OFFICER, org=world.panlong_org)
    with pytest.raises(Forbidden):
        dualuse.decide_grant(other_officer, grant, True, timezone.localdate())
    for user in (cw.region_officer, world.wuhua_admin, world.platform_admin, cw.officer):
        assert permissions.allowed("catalog.decide_access", user, grant), user
    dualuse.decide_grant(cw.region_officer, grant, True, timezone.localdate())


def test_approvers_fall_back_to_region_officers_then_region_admins(world, make_user):
    rec = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
        classification="controlled")), Status.PUBLISHED)
    assert {u.username for u in dualuse.approvers(rec)} == {"wuhua_admin", "kunming_admin", "province_admin"}
    make_user("qujing_officer", Role.SECRECY_OFFICER, region="530300")
    make_user("kunming_officer", Role.SECRECY_OFFICER, region="530100")
    assert [u.username for u in dualuse.approvers(rec)] == ["kunming_officer"]
    make_user("org_officer", Role.SECRECY_OFFICER, org=world.wuhua_org)
    assert [u.username for u in dualuse.approvers(rec)] == ["org_officer"]


def test_category_application(world, cw):
    with pytest.raises(DomainError):
        dualuse.apply_for_category(cw.outsider, "99", "530100", "评估")
    grant = dualuse.apply_for_category(cw.outsider, "07", "530100", "行业研究")
    assert not permissions.allowed("catalog.decide_access", cw.officer, grant)  # org officer: not a category
    assert permissions.allowed("catalog.decide_access", cw.region_officer, grant)
    dualuse.decide_grant(cw.region_officer, grant, True, timezone.localdate() + datetime.timedelta(days=5))
    assert permissions.can_view(cw.outsider, cw.record)


# --- view log -------------------------------------------------------------------------------------------------------


def test_view_log_one_row_per_view_channel_recorded_owner_not_logged(world, cw, client_for):
    grant = _approve(cw, dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk, "评估"))
    c = client_for(cw.outsider)
    assert c.get(f"/catalog/achievements/{cw.record.pk}/").status_code == 200
    assert c.get(f"/catalog/achievements/{cw.record.pk}/").status_code == 200
    assert c.get(f"/api/v1/catalog/achievements/{cw.record.pk}").status_code == 200
    rows = list(ControlledView.objects.order_by("id").values_list("user_id", "channel", "grant_id", "client_ip"))
    assert rows == [(cw.outsider.pk, "page", grant.pk, "127.0.0.1")] * 2 + [(cw.outsider.pk, "api", grant.pk,
                                                                              "127.0.0.1")]
    for owner in (world.member, world.org_admin):
        client_for(owner).get(f"/catalog/achievements/{cw.record.pk}/")
    client_for(world.wuhua_admin).get(f"/catalog/achievements/{cw.record.pk}/")
    assert ControlledView.objects.count() == 4  # the region administrator is logged, the owner is not
    # Refused views are not logged (nothing was seen).
    client_for(world.visitor).get(f"/catalog/achievements/{cw.record.pk}/")
    assert ControlledView.objects.count() == 4


def test_view_log_page_filters_export_and_permissions(world, cw, client_for):
    _approve(cw, dualuse.apply_for_record(cw.outsider, "achievement", cw.record.pk, "评估"))
    client_for(cw.outsider).get(f"/catalog/achievements/{cw.record.pk}/")
    client_for(cw.outsider).get(f"/api/v1/catalog/achievements/{cw.record.pk}")
    officer = client_for(cw.officer)
    page = officer.get("/catalog/classified/views/").content.decode()
    assert TITLE in page and "outsider" in page
    filtered = officer.get("/catalog/classified/views/", {"channel": "api"})
    assert filtered.context["page_obj"].paginator.count == 1
    resp = officer.get("/catalog/classified/views/", {"format": "csv"})
    csv = (b"".join(resp.streaming_content) if resp.streaming else resp.content).decode("utf-8-sig")
    assert "outsider" in csv and "page" in csv and "api" in csv
    xlsx = officer.get("/catalog/classified/views/", {"format": "xlsx"})
    assert xlsx.status_code == 200
    api = officer.get("/api/v1/catalog/classified/views").json()
    assert api["count"] == 2
    for user in (cw.outsider, world.member, world.visitor):
        assert client_for(user).get("/catalog/classified/views/").status_code in (302, 404)
    assert client_for(cw.outsider).get("/api/v1/catalog/classified/views").status_code == 403
    other = client_for(world.panlong_admin).get("/api/v1/catalog/classified/views").json()
    assert other["count"] == 0  # out of scope


# --- declassification --------------------------------------------------------------------------------------------


def test_declassification_flow_and_history(world, cw, client_for, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with pytest.raises(Forbidden):
        dualuse.propose_declassification(cw.outsider, cw.record, "public", today, "x")
    with pytest.raises(DomainError):
        dualuse.propose_declassification(world.member, cw.record, "controlled", today, "x")
    row = dualuse.propose_declassification(world.member, cw.record, "restricted", today + datetime.timedelta(days=2),
                                           "保密期满")
    assert Notification.objects.filter(user=cw.officer).exists()
    with pytest.raises(Conflict):
        dualuse.propose_declassification(world.member, cw.record, "public", today, "again")
    with pytest.raises(Forbidden):
        dualuse.decide_declassification(world.member, row, True)
    dualuse.decide_declassification(cw.officer, row, True)
    cw.record.refresh_from_db()
    assert cw.record.classification == "controlled"  # not yet: effective in two days
    assert dualuse.run_daily(today + datetime.timedelta(days=1))["declassified"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert dualuse.run_daily(today + datetime.timedelta(days=2))["declassified"] == 1
    cw.record.refresh_from_db()
    assert cw.record.classification == "restricted"
    row.refresh_from_db()
    assert row.status == DeclassificationStatus.APPLIED
    # Due today: applied at the decision.
    row2 = dualuse.propose_declassification(world.member, cw.record, "public", today, "公开发布")
    dualuse.decide_declassification(world.wuhua_admin, row2, True)
    cw.record.refresh_from_db()
    assert cw.record.classification == "public" and cw.record.is_public
    page = client_for(world.visitor).get(f"/catalog/achievements/{cw.record.pk}/").content.decode()
    assert "公开发布" in page and "保密期满" in page  # the history, shown to whoever sees the record
    assert AuditEntry.objects.filter(action="catalog.achievement.declassify").count() == 2


def test_declassification_reject_needs_note(world, cw):
    row = dualuse.propose_declassification(world.member, cw.record, "public", timezone.localdate(), "理由")
    with pytest.raises(DomainError):
        dualuse.decide_declassification(cw.officer, row, False)
    dualuse.decide_declassification(cw.officer, row, False, "仍需保密")
    cw.record.refresh_from_db()
    assert cw.record.classification == "controlled"
    assert Declassification.objects.get(pk=row.pk).status == DeclassificationStatus.REJECTED


def test_command_applies_due(world, cw):
    row = dualuse.propose_declassification(world.member, cw.record, "restricted",
                                           timezone.localdate() + datetime.timedelta(days=1), "到期")
    dualuse.decide_declassification(cw.officer, row, True)
    out = io.StringIO()
    call_command("catalog_declassify", "--today", str(timezone.localdate() + datetime.timedelta(days=1)),
                 "--json", stdout=out)
    assert '"declassified": 1' in out.getvalue()
    cw.record.refresh_from_db()
    assert cw.record.classification == "restricted"


# --- pages and API of the flow ----------------------------------------------------------------------------------------


def test_pages_apply_decide_and_see(world, cw, client_for):
    outsider = client_for(cw.outsider)
    assert outsider.get(f"/catalog/classified/apply/?kind=achievement&record={cw.record.pk}").status_code == 200
    r = outsider.post("/catalog/classified/apply/", {"scope": "record", "kind": "achievement",
                                                     "record": cw.record.pk, "purpose": "评估"})
    assert r.status_code == 302
    grant = AccessGrant.objects.get(user=cw.outsider)
    assert client_for(world.member).post(f"/catalog/classified/grants/{grant.pk}/approve/",
                                         {"valid_until": "2099-01-01"}).status_code == 404
    officer = client_for(cw.officer)
    assert str(grant.pk) in officer.get("/catalog/classified/grants/").content.decode()
    until = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    officer.post(f"/catalog/classified/grants/{grant.pk}/approve/", {"valid_until": until})
    grant.refresh_from_db()
    assert grant.status == "approved"
    assert outsider.get(f"/catalog/achievements/{cw.record.pk}/").status_code == 200
    assert TITLE in outsider.get("/catalog/classified/mine/").content.decode() or \
        f"#{cw.record.pk}" in outsider.get("/catalog/classified/mine/").content.decode()


def test_api_apply_decide_revoke(world, cw, client_for):
    outsider = client_for(cw.outsider)
    r = outsider.post("/api/v1/catalog/classified/grants", {"kind": "achievement", "record": cw.record.pk,
                                                            "purpose": "评估"}, content_type="application/json")
    assert r.status_code == 201, r.content
    gid = r.json()["id"]
    assert client_for(None).post("/api/v1/catalog/classified/grants", {"kind": "achievement", "record": 1,
                                 "purpose": "x"}, content_type="application/json").status_code == 401
    assert client_for(world.member).post(f"/api/v1/catalog/classified/grants/{gid}/approve",
                                         {"valid_until": "2099-01-01"},
                                         content_type="application/json").status_code in (403, 404)
    officer = client_for(cw.officer)
    until = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    r = officer.post(f"/api/v1/catalog/classified/grants/{gid}/approve", {"valid_until": until},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["active"]
    assert outsider.get(f"/api/v1/catalog/achievements/{cw.record.pk}").status_code == 200
    r = officer.post(f"/api/v1/catalog/classified/grants/{gid}/revoke", {"note": "结束"},
                     content_type="application/json")
    assert r.json()["status"] == "revoked"
    permissions.forget(cw.outsider)
    assert outsider.get(f"/api/v1/catalog/achievements/{cw.record.pk}").status_code == 404
    mine = outsider.get("/api/v1/catalog/classified/grants").json()
    assert mine["count"] == 1


def test_api_marking_and_declassification(world, cw, client_for):
    owner = client_for(world.member)
    r = owner.post(f"/api/v1/catalog/classified/records/achievement/{cw.record.pk}/declassifications",
                   {"level": "public", "effective_on": timezone.localdate().isoformat(), "reason": "解密"},
                   content_type="application/json")
    assert r.status_code == 201, r.content
    did = r.json()["id"]
    assert client_for(cw.outsider).post(f"/api/v1/catalog/classified/declassifications/{did}/approve", {},
                                        content_type="application/json").status_code in (403, 404)
    r = client_for(cw.officer).post(f"/api/v1/catalog/classified/declassifications/{did}/approve", {},
                                    content_type="application/json")
    assert r.json()["status"] == "applied"
    history = client_for(world.visitor).get(f"/api/v1/catalog/classified/records/achievement/{cw.record.pk}/history")
    assert [h["to_level"] for h in history.json()] == ["public"]
    r = owner.post(f"/api/v1/catalog/classified/records/achievement/{cw.record.pk}/raise",
                   {"level": "restricted"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["to_level"] == "restricted"
    assert client_for(world.visitor).get(
        f"/api/v1/catalog/classified/records/achievement/{cw.record.pk}/history").status_code == 404
