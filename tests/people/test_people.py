"""People directory: search filters, restricted contacts, scope of changes, audit, API validation."""

from __future__ import annotations

import csv
import io

import pytest

from techtransfer.accounts.models import Role
from techtransfer.audit.models import AuditEntry
from techtransfer.people.models import BrokerLevel, BrokerProfile, ExpertProfile, Person
from tests.conftest import PANLONG, WUHUA

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    wuhua = Person.objects.create(name="张研究", organization=world.wuhua_org, region_id=WUHUA, is_researcher=True,
                                  expertise="锂电池 储能", email="zhang@example.cn", phone="0871-1111")
    broker = Person.objects.create(name="李经纪", organization=world.panlong_org, region_id=PANLONG,
                                   email="li@example.cn", phone="0871-2222")
    BrokerProfile.objects.create(person=broker, level=BrokerLevel.SENIOR, certificate_no="YN-T-1")
    expert = Person.objects.create(name="王专家", region_id=PANLONG, email="wang@example.cn")
    ExpertProfile.objects.create(person=expert, titles="教授")
    hidden = Person.objects.create(name="未公开", region_id=WUHUA, published=False)
    return wuhua, broker, expert, hidden


def _api(client, path, **kw):
    return client.get(f"/api/v1/people{path}", kw)


def test_role_and_region_filters(client_for, people):
    c = client_for()
    names = lambda r: {i["name"] for i in r.json()["items"]}  # noqa: E731
    assert names(_api(c, "", role="broker")) == {"李经纪"}
    assert names(_api(c, "", role="expert")) == {"王专家"}
    assert names(_api(c, "", role="researcher")) == {"张研究"}
    assert names(_api(c, "", region=PANLONG)) == {"李经纪", "王专家"}
    assert names(_api(c, "", q="储能")) == {"张研究"}
    assert names(_api(c, "", broker_level="senior")) == {"李经纪"}
    assert "未公开" not in names(_api(c, ""))


def test_bad_filters_are_400_with_field(client_for, people):
    c = client_for()
    for params, field in (({"role": "wizard"}, "role"), ({"region": "999999"}, "region"),
                          ({"broker_level": "x"}, "broker_level"), ({"field": "nope"}, "field"),
                          ({"page": "0"}, "page")):
        r = _api(c, "", **params)
        assert r.status_code == 400, params
        assert r.json()["field"] == field


def test_contacts_only_for_own_org_or_scope(client_for, world, people):
    wuhua, broker, *_ = people
    visitor = _api(client_for(), f"/{wuhua.pk}").json()
    assert visitor["restricted"] is True and visitor["email"] is None
    member = _api(client_for(world.member), f"/{wuhua.pk}").json()
    assert member["email"] == "zhang@example.cn"
    # The Wuhua county administrator does not see a Panlong person's contacts, the Kunming one does.
    assert _api(client_for(world.wuhua_admin), f"/{broker.pk}").json()["email"] is None
    assert _api(client_for(world.kunming_admin), f"/{broker.pk}").json()["email"] == "li@example.cn"


def test_export_withholds_contacts(client_for, world, people):
    r = client_for(world.wuhua_admin).get("/api/v1/people/export", {"format": "csv"})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    by_name = {row["name"]: row for row in rows}
    assert by_name["张研究"]["email"] == "zhang@example.cn"
    assert by_name["李经纪"]["email"] == ""
    assert "未公开" in by_name  # a hidden person inside the administrator's county is listed for it
    visitor_rows = client_for().get("/api/v1/people/export", {"format": "csv"})
    assert "未公开" not in b"".join(visitor_rows.streaming_content).decode("utf-8-sig")


def test_county_admin_cannot_change_another_county(client_for, world, people):
    _, broker, *_ = people
    r = client_for(world.wuhua_admin).patch(
        f"/api/v1/people/{broker.pk}", {"title": "改"}, content_type="application/json"
    )
    assert r.status_code == 403
    broker.refresh_from_db()
    assert broker.title == ""
    r = client_for(world.panlong_admin).patch(
        f"/api/v1/people/{broker.pk}", {"title": "高级工程师"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["title"] == "高级工程师"
    entry = AuditEntry.objects.get(action="people.update", object_id=str(broker.pk))
    assert entry.before["title"] == "" and entry.after["title"] == "高级工程师"
    assert entry.region_code == PANLONG


def test_org_admin_adds_person_to_own_org_only(client_for, world):
    c = client_for(world.org_admin)
    r = c.post("/api/v1/people", {"name": "新人", "organization": world.wuhua_org.pk, "fields": []},
               content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["region"] == WUHUA  # taken from the organization
    r = c.post("/api/v1/people", {"name": "外人", "organization": world.panlong_org.pk},
               content_type="application/json")
    assert r.status_code == 403
    assert not Person.objects.filter(name="外人").exists()
    assert client_for().post("/api/v1/people", {"name": "匿名"}, content_type="application/json").status_code == 403


def test_bad_input_changes_nothing(client_for, world, people):
    wuhua, *_ = people
    c = client_for(world.org_admin)
    for body, field in (({"region": "12345x"}, "region"), ({"fields": ["nope"]}, "fields"),
                        ({"email": "not-an-email"}, "email"), ({"name": ""}, "name")):
        r = c.patch(f"/api/v1/people/{wuhua.pk}", body, content_type="application/json")
        assert r.status_code in (400, 422), (body, r.content)
        assert r.json()["field"] == field, (body, r.json())
    wuhua.refresh_from_db()
    assert wuhua.region_id == WUHUA and wuhua.email == "zhang@example.cn" and wuhua.name == "张研究"
    r = c.post("/api/v1/people", b"{not json", content_type="application/json")
    assert r.status_code in (400, 422)


def test_broker_profile_levels_and_certificates(client_for, world, people):
    wuhua, broker, *_ = people
    c = client_for(world.org_admin)
    r = c.put(f"/api/v1/people/{wuhua.pk}/broker", {"certificate_no": "X"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "level"
    r = c.put(f"/api/v1/people/{wuhua.pk}/broker", {"level": "junior", "certificate_no": "YN-T-1"},
              content_type="application/json")
    assert r.status_code == 409 and r.json()["field"] == "certificate_no"
    r = c.put(f"/api/v1/people/{wuhua.pk}/broker", {"level": "junior", "certificate_no": "YN-T-2",
                                                    "training_hours": "24"}, content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert "broker" in body["roles"] and body["broker"]["training_hours"] == "24.0"
    r = c.put(f"/api/v1/people/{wuhua.pk}/broker", {"training_hours": "-1"}, content_type="application/json")
    assert r.status_code in (400, 422)
    assert BrokerProfile.objects.get(person=wuhua).training_hours == 24
    assert AuditEntry.objects.filter(action="people.broker_profile").count() == 1


def test_pages_list_filter_and_detail(client_for, world, people):
    wuhua, broker, *_ = people
    c = client_for()
    page = c.get("/people/", {"role": "broker"}).content.decode()
    assert "李经纪" in page and "张研究" not in page
    bad = c.get("/people/", {"role": "wizard"})  # a bad filter: a message and the full list, not an error page
    assert bad.status_code == 200 and "wizard" in bad.content.decode() and "李经纪" in bad.content.decode()
    detail = c.get(f"/people/{broker.pk}/").content.decode()
    assert "YN-T-1" in detail and "li@example.cn" not in detail
    member_detail = client_for(world.member).get(f"/people/{wuhua.pk}/").content.decode()
    assert "zhang@example.cn" in member_detail
    hidden = Person.objects.get(name="未公开")
    assert c.get(f"/people/{hidden.pk}/").status_code == 404
    assert client_for(world.wuhua_admin).get(f"/people/{hidden.pk}/").status_code == 200


def test_region_admin_role_is_checked(make_user, world, people):
    # A broker-role user has no region scope: may not edit people.
    u = make_user("broker_user", Role.BROKER)
    from django.test import Client

    c = Client()
    c.force_login(u)
    wuhua = people[0]
    assert c.patch(f"/api/v1/people/{wuhua.pk}", {"title": "x"}, content_type="application/json").status_code == 403
