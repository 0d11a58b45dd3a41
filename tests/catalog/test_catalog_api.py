"""The catalog REST API: the same rules as the services, 4xx errors naming the field, protected details only for
those allowed."""

import json

import pytest

from techtransfer.accounts.models import Role
from techtransfer.catalog.models import Achievement, NdaRequest, Status
from tests.catalog.factories import CONTACT_PHONE, FULL_EVIDENCE, SECRET

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalog"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def new_payload(org, **extra):
    data = {
        "owner": org.pk,
        "title": "高原光伏组件清洗机器人",
        "abstract": "一种适用于高原强紫外环境的光伏组件自动清洗机器人。",
        "tech_field": "06",
        "trl": 5,
        "transfer_modes": ["licence_ordinary"],
        "asking_price": "300000.00",
        "protected_details": SECRET,
        "ipc_codes": ["H02S 40/10"],
    }
    data.update(extra)
    return data


def test_draft_submit_review_publish_through_the_api(world, client_for):
    member, admin, reviewer = client_for(world.member), client_for(world.org_admin), client_for(world.wuhua_admin)
    r = post(member, f"{BASE}/achievements", new_payload(world.wuhua_org))
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["protected_details"] == SECRET
    assert body["transitions"] == ["submit"]
    r = post(member, f"{BASE}/achievements/{pk}/transitions", {"action": "submit"})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    # The member may not approve; the reviewer may not approve at the organization stage.
    r = post(member, f"{BASE}/achievements/{pk}/transitions", {"action": "org_approve"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = post(admin, f"{BASE}/achievements/{pk}/transitions", {"action": "org_reject"})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = post(admin, f"{BASE}/achievements/{pk}/transitions", {"action": "org_approve"})
    assert r.json()["status"] == "org_reviewed"
    r = post(admin, f"{BASE}/achievements/{pk}/transitions", {"action": "publish"})
    assert r.status_code == 403
    r = post(reviewer, f"{BASE}/achievements/{pk}/transitions", {"action": "publish"})
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = post(reviewer, f"{BASE}/achievements/{pk}/transitions", {"action": "publish"})
    assert r.status_code == 409 and r.json()["field"] == "status"
    r = post(reviewer, f"{BASE}/achievements/{pk}/transitions", {"action": "fly"})
    assert r.status_code == 400 and r.json()["field"] == "action"
    versions = admin.get(f"{BASE}/achievements/{pk}/versions").json()
    assert [v["event"] for v in versions] == ["submit", "publish"]
    assert client_for(world.visitor).get(f"{BASE}/achievements/{pk}/versions").status_code == 403


def test_validation_errors_name_the_field(world, client_for):
    member = client_for(world.member)
    cases = [
        ({"ipc_codes": ["not-an-ipc"]}, 400, "ipc_codes"),
        ({"transfer_modes": ["gift"]}, 400, "transfer_modes"),
        ({"price_negotiable": True}, 400, "asking_price"),
        ({"trl": 12}, 422, "trl"),
        ({"tech_field": "99"}, 400, "tech_field"),
        ({"title": ""}, 422, "title"),
        ({"owner": 999999}, 400, "owner"),
    ]
    for extra, status, field in cases:
        r = post(member, f"{BASE}/achievements", new_payload(world.wuhua_org, **extra))
        assert r.status_code == status, (extra, r.content)
        assert field in (r.json()["field"] or ""), (extra, r.json())
    assert Achievement.objects.count() == 0
    # Drafting for someone else's organization, or signed out, is refused.
    assert post(member, f"{BASE}/achievements", new_payload(world.panlong_org)).status_code == 403
    assert post(client_for(), f"{BASE}/achievements", new_payload(world.wuhua_org)).status_code == 403


def test_edit_only_drafts_and_only_owner_members(world, client_for, make_achievement):
    ach = make_achievement()
    assert patch(client_for(world.panlong_admin), f"{BASE}/achievements/{ach.pk}", {"trl": 7}).status_code == 404
    assert patch(client_for(world.wuhua_admin), f"{BASE}/achievements/{ach.pk}", {"trl": 7}).status_code == 403
    r = patch(client_for(world.member), f"{BASE}/achievements/{ach.pk}", {"trl": 7, "keywords": ["光伏"]})
    assert r.status_code == 200 and r.json()["trl"] == 7 and r.json()["keywords"] == ["光伏"]
    published = make_achievement(Status.PUBLISHED)
    r = patch(client_for(world.member), f"{BASE}/achievements/{published.pk}", {"trl": 7})
    assert r.status_code == 409


def test_protected_details_only_for_allowed_users(world, client_for, make_user, make_achievement):
    ach = make_achievement(Status.PUBLISHED)
    outsider = make_user("outsider", Role.ORG_MEMBER, org=world.panlong_org)
    for client in (client_for(), client_for(outsider), client_for(world.panlong_admin)):
        detail = client.get(f"{BASE}/achievements/{ach.pk}")
        assert detail.status_code == 200
        assert detail.json()["protected"] is True and SECRET not in detail.content.decode()
        listing = client.get(f"{BASE}/achievements?q=正极&facets=true")
        assert listing.json()["count"] == 1 and SECRET not in listing.content.decode()
        # Searching for the secret text finds nothing.
        assert client.get(f"{BASE}/achievements", {"q": "磷酸铁锂"}).json()["count"] == 0
        export = client.get(f"{BASE}/achievements/export?format=jsonl")
        assert SECRET not in b"".join(export.streaming_content).decode()
    # The owner's members see it in the detail, never in a list.
    member = client_for(world.member)
    assert member.get(f"{BASE}/achievements/{ach.pk}").json()["protected_details"] == SECRET
    assert SECRET not in member.get(f"{BASE}/achievements").content.decode()

    # NDA: request, approve, read, revoke.
    c = client_for(outsider)
    r = post(c, f"{BASE}/achievements/{ach.pk}/nda-requests", {"purpose": "评估合作"})
    assert r.status_code == 201
    req_id = r.json()["id"]
    assert post(c, f"{BASE}/achievements/{ach.pk}/nda-requests", {}).status_code == 409
    assert post(c, f"{BASE}/nda-requests/{req_id}/approve", {}).status_code == 403
    assert post(client_for(world.member), f"{BASE}/nda-requests/{req_id}/approve", {}).status_code == 403
    assert post(client_for(world.org_admin), f"{BASE}/nda-requests/{req_id}/approve", {}).status_code == 200
    assert c.get(f"{BASE}/achievements/{ach.pk}").json()["protected_details"] == SECRET
    assert SECRET not in c.get(f"{BASE}/achievements").content.decode()
    r = post(client_for(world.org_admin), f"{BASE}/nda-requests/{req_id}/revoke", {"reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = post(client_for(world.org_admin), f"{BASE}/nda-requests/{req_id}/revoke", {"reason": "合作终止"})
    assert r.json()["status"] == "revoked"
    assert SECRET not in c.get(f"{BASE}/achievements/{ach.pk}").content.decode()
    assert NdaRequest.objects.get(pk=req_id).status == "revoked"
    # Requests of others are invisible.
    assert post(client_for(world.visitor), f"{BASE}/nda-requests/{req_id}/approve", {}).status_code == 404


def test_drafts_are_invisible_to_visitors_and_other_regions(world, client_for, make_achievement):
    draft = make_achievement()
    assert client_for().get(f"{BASE}/achievements/{draft.pk}").status_code == 404
    assert client_for(world.panlong_admin).get(f"{BASE}/achievements/{draft.pk}").status_code == 404
    assert client_for(world.kunming_admin).get(f"{BASE}/achievements/{draft.pk}").status_code == 200
    assert client_for().get(f"{BASE}/achievements").json()["count"] == 0
    mine = client_for(world.member).get(f"{BASE}/achievements/mine").json()
    assert [i["id"] for i in mine["items"]] == [draft.pk]


def test_list_filters_and_bad_filters(world, client_for, make_achievement):
    make_achievement(Status.PUBLISHED, trl=3, asking_price=None, price_negotiable=True)
    make_achievement(Status.PUBLISHED, trl=8, tech_field_id="09", asking_price="50000")
    c = client_for()
    assert c.get(f"{BASE}/achievements?trl_min=5").json()["count"] == 1
    assert c.get(f"{BASE}/achievements?price=negotiable").json()["count"] == 1
    assert c.get(f"{BASE}/achievements?price=lt100k").json()["count"] == 1
    assert c.get(f"{BASE}/achievements?tech_field=09").json()["count"] == 1
    assert c.get(f"{BASE}/achievements?mode=transfer").json()["count"] == 2
    assert c.get(f"{BASE}/achievements?mode=equity").json()["count"] == 0
    assert c.get(f"{BASE}/achievements?region=530100").json()["count"] == 2
    assert c.get(f"{BASE}/achievements?region=530300").json()["count"] == 0
    facets = c.get(f"{BASE}/achievements?facets=true").json()["facets"]
    assert facets["tech_field"] == {"05": 1, "09": 1}
    sorted_ids = [i["trl"] for i in c.get(f"{BASE}/achievements?sort=trl_desc").json()["items"]]
    assert sorted_ids == [8, 3]
    for bad, field in (("trl_min=0", "trl_min"), ("region=123", "region"), ("mode=gift", "mode"),
                       ("price=cheap", "price"), ("sort=random", "sort"), ("page_size=5000", "page_size"),
                       ("trl_min=7&trl_max=2", "trl_min")):
        r = c.get(f"{BASE}/achievements?{bad}")
        assert r.status_code == 400 and r.json()["field"] == field, bad


def test_trl_assessment_and_ip_items(world, client_for, make_achievement):
    ach = make_achievement()
    member = client_for(world.member)
    criteria = member.get(f"{BASE}/achievements/trl-criteria").json()
    assert [c["level"] for c in criteria] == list(range(1, 10))
    r = post(member, f"{BASE}/achievements/{ach.pk}/trl-assessments", {"answers": FULL_EVIDENCE})
    assert r.status_code == 201 and r.json()["proposed_level"] == 6
    r = post(member, f"{BASE}/achievements/{ach.pk}/trl-assessments", {"answers": {"zz": "x"}})
    assert r.status_code == 400 and r.json()["field"] == "answers"
    assert member.get(f"{BASE}/achievements/{ach.pk}/trl-assessments").json()[0]["proposed_level"] == 6
    r = post(member, f"{BASE}/achievements/{ach.pk}/ip-items",
             {"kind": "invention", "title": "专利", "number": "ZL201710123456.1"})
    assert r.status_code == 400 and r.json()["field"] == "number"
    r = post(member, f"{BASE}/achievements/{ach.pk}/ip-items", {"kind": "software", "title": "软件", "number": ""})
    assert r.status_code == 201
    item = r.json()["id"]
    assert client_for(world.org_admin).delete(f"{BASE}/achievements/{ach.pk}/ip-items/{item}").status_code == 204
    assert ach.ip_items.count() == 0


def test_demand_api_contacts_refinements(world, client_for, make_user, make_demand):
    demand = make_demand(Status.PUBLISHED)
    visitor = client_for()
    body = visitor.get(f"{BASE}/demands/{demand.pk}").json()
    assert body["restricted"] is True and body["contact_phone"] is None
    assert CONTACT_PHONE not in visitor.get(f"{BASE}/demands").content.decode()
    assert client_for(world.member).get(f"{BASE}/demands/{demand.pk}").json()["contact_phone"] == CONTACT_PHONE
    expert = make_user("expert1", Role.EXPERT)
    payload = {"title": "果蔬冷链保鲜", "description": "需要在 72 小时运输内维持品质的低成本气调保鲜方案。"}
    assert post(client_for(world.member), f"{BASE}/demands/{demand.pk}/refinements", payload).status_code == 403
    r = post(client_for(expert), f"{BASE}/demands/{demand.pk}/refinements", payload)
    assert r.status_code == 201 and r.json()["version"] == 1
    assert visitor.get(f"{BASE}/demands/{demand.pk}/refinements").json()[0]["title"] == "果蔬冷链保鲜"
    r = post(client_for(world.member), f"{BASE}/demands", {"owner": world.wuhua_org.pk, "title": "需求",
                                                           "problem": "问题描述足够长的一段文字。",
                                                           "budget_min": "5", "budget_max": "1"})
    assert r.status_code == 400 and r.json()["field"] == "budget_max"


def test_review_queue_and_packages(world, client_for, make_achievement):
    submitted = make_achievement(Status.SUBMITTED)
    reviewed = make_achievement(Status.ORG_REVIEWED)
    assert [i["id"] for i in client_for(world.org_admin).get(f"{BASE}/achievements/review-queue").json()["items"]] \
        == [submitted.pk]
    assert [i["id"] for i in client_for(world.wuhua_admin).get(f"{BASE}/achievements/review-queue").json()["items"]] \
        == [reviewed.pk]
    assert client_for(world.panlong_admin).get(f"{BASE}/achievements/review-queue").json()["count"] == 0
    published = make_achievement(Status.PUBLISHED)
    admin = client_for(world.kunming_admin)
    r = post(admin, f"{BASE}/packages", {"name": "新材料成果包", "region": "530100", "tech_field": "05"})
    assert r.status_code == 201
    pkg = r.json()["id"]
    assert post(client_for(world.panlong_admin), f"{BASE}/packages",
                {"name": "x包", "region": "530100", "tech_field": "05"}).status_code == 403
    assert post(admin, f"{BASE}/packages/{pkg}/publish", {}).status_code == 400
    assert post(admin, f"{BASE}/packages/{pkg}/items", {"achievement": published.pk}).status_code == 201
    assert post(admin, f"{BASE}/packages/{pkg}/publish", {}).json()["status"] == "published"
    body = client_for().get(f"{BASE}/packages/{pkg}").json()
    assert [a["id"] for a in body["achievements"]] == [published.pk]
    assert SECRET not in json.dumps(body, ensure_ascii=False)


def test_openapi_documents_the_catalog(client_for):
    r = client_for().get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/catalog/achievements", "/api/v1/catalog/achievements/{pk}/transitions",
                 "/api/v1/catalog/achievements/import", "/api/v1/catalog/demands/{pk}/refinements",
                 "/api/v1/catalog/packages/{pk}/publish", "/api/v1/catalog/nda-requests/{pk}/approve"):
        assert path in paths, path
