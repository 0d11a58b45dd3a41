"""Matching API: cases and transitions with permissions, saved searches, notifications, conversion export."""

import json

from techtransfer.matching.models import CaseStatus, MatchCase

API = "/api/v1/matching"


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_case_lifecycle_over_api(world, pair, client_for):
    demand, ach, broker, other = pair
    member = client_for(world.member)
    r = _post(member, f"{API}/cases", {"demand": demand.pk, "achievement": ach.pk, "broker": broker.pk,
                                        "note": "called"})
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert r.json()["status"] == "contacted" and len(r.json()["notes"]) == 1
    r = _post(member, f"{API}/cases/{cid}/transition", {"to": "contract"})
    assert r.status_code == 409 and r.json()["field"] == "status"
    r = _post(client_for(broker), f"{API}/cases/{cid}/transition", {"to": "meeting"})
    assert r.status_code == 200 and r.json()["status"] == "meeting"
    assert _post(client_for(other), f"{API}/cases/{cid}/transition", {"to": "negotiation"}).status_code == 404
    assert _post(client_for(world.panlong_admin), f"{API}/cases/{cid}/transition",
                 {"to": "negotiation"}).status_code == 404
    r = _post(member, f"{API}/cases/{cid}/transition", {"to": "closed"})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = _post(member, f"{API}/cases/{cid}/notes", {"text": "met on site", "next_follow_up": "2030-01-02"})
    assert r.status_code == 201 and r.json()["next_follow_up"] == "2030-01-02"
    assert MatchCase.objects.get(pk=cid).status == CaseStatus.MEETING
    assert [c["id"] for c in client_for(broker).get(f"{API}/cases").json()] == [cid]
    assert client_for(other).get(f"{API}/cases").json() == []


def test_conversion_figures_api_and_export(world, pair, client_for):
    demand, ach, *_ = pair
    _post(client_for(world.member), f"{API}/cases", {"demand": demand.pk, "achievement": ach.pk})
    assert client_for(world.member).get(f"{API}/conversion").status_code == 403
    rows = client_for(world.kunming_admin).get(f"{API}/conversion").json()
    assert rows[0]["total"] == 1 and rows[0]["contacted"] == 1
    assert client_for(world.panlong_admin).get(f"{API}/conversion").json() == []
    r = client_for(world.kunming_admin).get(f"{API}/conversion?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_saved_searches_and_notifications_api(world, client_for):
    c = client_for(world.visitor)
    r = _post(c, f"{API}/saved-searches", {"name": "", "query": "x"})
    assert r.status_code == 400 and r.json()["field"] == "name"
    r = _post(c, f"{API}/saved-searches", {"name": "batteries", "query": "锂电池", "kinds": ["achievement"]})
    assert r.status_code == 201
    sid = r.json()["id"]
    assert [s["id"] for s in c.get(f"{API}/saved-searches").json()] == [sid]
    assert client_for(world.member).delete(f"{API}/saved-searches/{sid}").status_code == 404
    world.visitor.notifications.create(title="t", url="/x/")
    assert len(c.get(f"{API}/notifications?unread=true").json()) == 1
    assert c.post(f"{API}/notifications/read").json() == {"marked": 1}
    assert c.delete(f"{API}/saved-searches/{sid}").status_code == 204


def test_assign_broker_api(world, pair, client_for):
    demand, ach, broker, _ = pair
    cid = _post(client_for(world.member), f"{API}/cases", {"demand": demand.pk, "achievement": ach.pk}).json()["id"]
    assert _post(client_for(world.member), f"{API}/cases/{cid}/broker", {"broker": broker.pk}).status_code == 403
    r = _post(client_for(world.org_admin), f"{API}/cases/{cid}/broker", {"broker": world.visitor.pk})
    assert r.status_code == 400 and r.json()["field"] == "broker"
    r = _post(client_for(world.org_admin), f"{API}/cases/{cid}/broker", {"broker": broker.pk})
    assert r.status_code == 200 and r.json()["broker"] == broker.pk


def test_misspelt_body_fields_are_refused(world, pair, client_for):
    demand, ach, *_ = pair
    member = client_for(world.member)
    r = _post(member, f"{API}/cases", {"demand": demand.pk, "achievment": ach.pk})
    assert r.status_code == 422 and "achievment" in (r.json()["field"] or ""), r.content
    r = _post(client_for(world.visitor), f"{API}/saved-searches", {"name": "x", "query": "电池", "notfy": False})
    assert r.status_code == 422 and "notfy" in (r.json()["field"] or ""), r.content
    assert not MatchCase.objects.exists() and not world.visitor.saved_searches.exists()


def test_a_visitor_cannot_open_a_case(world, pair, client):
    # Found by the API fuzzer: a visitor naming a public demand and achievement was a 500 (AnonymousUser as the
    # case's opener).
    demand, ach, *_ = pair
    r = _post(client, f"{API}/cases", {"demand": demand.pk, "achievement": ach.pk})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert not MatchCase.objects.exists()
