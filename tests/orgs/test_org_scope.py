"""Region scope through every door: a county administrator cannot read or change another county's records,
through pages, the API or exports."""

import csv
import io

import pytest

from techtransfer.orgs.models import Organization, Verification
from tests.conftest import PANLONG

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_api_read_and_change(client_for, world):
    c = client_for(world.wuhua_admin)
    # A pending organization of another county is invisible (404), a verified one is public but without contacts.
    assert c.get(f"/api/v1/organizations/{world.panlong_pending.pk}").status_code == 404
    public = c.get(f"/api/v1/organizations/{world.panlong_org.pk}").json()
    assert public["restricted"] is True and public["contact_phone"] is None
    r = c.patch(f"/api/v1/organizations/{world.panlong_org.pk}", {"name": "越权"}, content_type="application/json")
    assert r.status_code == 403
    r = c.post(f"/api/v1/organizations/{world.panlong_pending.pk}/verification", {"decision": "verified"},
               content_type="application/json")
    assert r.status_code == 404
    world.panlong_org.refresh_from_db()
    world.panlong_pending.refresh_from_db()
    assert world.panlong_org.name == "盘龙测试科技有限公司"
    assert world.panlong_pending.verification == Verification.PENDING
    # Its own county: full read and change.
    own = c.get(f"/api/v1/organizations/{world.wuhua_pending.pk}").json()
    assert own["contact_phone"] == "0871-12345678"
    r = c.post(f"/api/v1/organizations/{world.wuhua_pending.pk}/verification", {"decision": "verified"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["verification"] == "verified"


def test_pages(client_for, world):
    c = client_for(world.wuhua_admin)
    assert c.get(f"/organizations/{world.panlong_pending.pk}/").status_code == 404
    other = c.get(f"/organizations/{world.panlong_org.pk}/").content.decode()
    assert "0871-12345678" not in other
    own = c.get(f"/organizations/{world.wuhua_pending.pk}/").content.decode()
    assert "0871-12345678" in own
    listing = c.get("/organizations/", {"verification": "pending"}).content.decode()
    assert "五华待审机构" in listing and "盘龙待审机构" not in listing


def test_exports(client_for, world):
    for fmt in ("csv",):
        rows = _csv(client_for(world.wuhua_admin).get("/organizations/export/", {"format": fmt}))
        names = {r["name"]: r for r in rows}
        assert "五华待审机构" in names and "盘龙待审机构" not in names
        assert names["盘龙测试科技有限公司"]["contact_phone"] == ""
        assert names["五华测试科技有限公司"]["contact_phone"] == "0871-12345678"
    city = {r["name"] for r in _csv(client_for(world.kunming_admin).get("/api/v1/organizations/export"))}
    assert {"五华待审机构", "盘龙待审机构"} <= city and "麒麟测试科技有限公司" not in city
    xlsx = client_for(world.wuhua_admin).get("/api/v1/organizations/export", {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    exported = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "盘龙待审机构" not in exported and "五华待审机构" in exported
    assert client_for().get("/api/v1/organizations/export", {"format": "pdf"}).status_code == 400


def test_region_admin_cannot_register_outside_scope(client_for, world):
    from techtransfer.orgs import creditcode

    r = client_for(world.wuhua_admin).post(
        "/api/v1/organizations",
        {"name": "外县新机构", "kind": "enterprise", "region": PANLONG,
         "credit_code": creditcode.make("9", "1", PANLONG, "77770001")},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["field"] == "region"
    assert not Organization.objects.filter(name="外县新机构").exists()


def test_bad_input_gets_4xx_and_changes_nothing(client_for, world):
    c = client_for(world.org_admin)
    org = world.wuhua_org
    for body in ({"region": "999999"}, {"kind": "castle"}, {"contact_email": "x"}, {"website": "not a url"},
                 {"name": "x"}, {"unknown": 1}):
        r = c.patch(f"/api/v1/organizations/{org.pk}", body, content_type="application/json")
        assert 400 <= r.status_code < 500, body
        payload = r.json()
        assert set(payload) >= {"code", "message", "field"}, payload
    r = c.patch(f"/api/v1/organizations/{org.pk}", b"{oops", content_type="application/json")
    assert 400 <= r.status_code < 500
    assert c.get("/api/v1/organizations", {"page": "abc"}).status_code in (400, 422)
    org.refresh_from_db()
    assert org.name == "五华测试科技有限公司" and org.region_id == "530102" and org.kind == "enterprise"
