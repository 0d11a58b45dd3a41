"""The evaluation API: rounds opened and listed, indicators, declarations, compute, decide, with the scope (an
institution sees only its own evaluation, another region is refused) and the 4xx answers."""

from __future__ import annotations

import json

import pytest

from techtransfer.evaluation.models import Evaluation
from techtransfer.orgs.models import CreditRecord
from tests.conftest import KUNMING

pytestmark = pytest.mark.django_db
API = "/api/v1/evaluation"


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_whole_flow_over_http(ew, client_for):
    admin = client_for(ew.admin)
    r = _post(admin, f"{API}/rounds", {"region": KUNMING, "year": ew.year, "name": "昆明评价"})
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert r.json()["may_manage"] is True and len(r.json()["indicators"]) == 9
    assert _post(admin, f"{API}/rounds", {"region": KUNMING, "year": ew.year}).status_code == 409

    a = client_for(ew.a_admin)
    r = _post(
        a, f"{API}/rounds/{rid}/declarations", {"organization": ew.a.pk, "values": {"training": 40, "contracts": "9"}}
    )
    assert r.status_code == 200, r.content
    assert r.json()["declared"] == {"training": "40.00", "contracts": "9.00"} and r.json()["status"] == "submitted"
    r = _post(a, f"{API}/rounds/{rid}/declarations", {"organization": ew.a.pk, "values": {"bogus": 1}})
    assert r.status_code == 400 and r.json()["field"] == "bogus"
    assert _post(a, f"{API}/rounds/{rid}/declarations", {"organization": ew.b.pk, "values": {}}).status_code == 403
    r = _post(a, f"{API}/rounds/{rid}/declarations", {"organization": 999999, "values": {}})
    assert r.status_code == 404
    assert _post(a, f"{API}/rounds/{rid}/declarations", {"organization": ew.a.pk, "extra": 1}).status_code == 422

    assert _post(a, f"{API}/rounds/{rid}/compute").status_code == 403
    r = _post(admin, f"{API}/rounds/{rid}/compute")
    assert r.status_code == 200
    ranking = r.json()
    assert [e["rank"] for e in ranking] == [1, 2, 3]
    mine = next(e for e in ranking if e["organization"] == ew.a.pk)
    assert mine["flags"][0]["code"] == "contracts"

    # the institution sees only its own evaluation
    body = a.get(f"{API}/evaluations?round={rid}").json()
    assert [e["organization"] for e in body["items"]] == [ew.a.pk]
    other = Evaluation.objects.get(indicator_set_id=rid, organization=ew.uni)
    assert a.get(f"{API}/evaluations/{other.pk}").status_code == 404

    ev = Evaluation.objects.get(indicator_set_id=rid, organization=ew.uni)
    r = _post(admin, f"{API}/evaluations/{ev.pk}/decide", {"decision": "revoke", "reasons": ""})
    assert r.status_code == 400 and r.json()["field"] == "reasons"
    r = _post(admin, f"{API}/evaluations/{ev.pk}/decide", {"decision": "revoke", "reasons": "评价不合格"})
    assert r.status_code == 200 and r.json()["decision"] == "revoke"
    assert _post(admin, f"{API}/evaluations/{ev.pk}/decide", {"decision": "keep"}).status_code == 409
    assert CreditRecord.objects.filter(cause="evaluation.revoked", organization=ew.uni).count() == 1
    r = _post(admin, f"{API}/evaluations/{mine['id']}/complaints", {"value": 2})
    assert r.status_code == 200 and r.json()["declared"]["complaints"] == "2.00"
    assert _post(a, f"{API}/evaluations/{mine['id']}/complaints", {"value": 0}).status_code == 403
    r = _post(admin, f"{API}/evaluations/{mine['id']}/decide", {"decision": "recognise", "level": "national"})
    assert r.status_code == 200
    ew.a.refresh_from_db()
    assert ew.a.demo_level == "national"


def test_other_regions_and_visitors_are_refused(ew, client_for):
    admin = client_for(ew.admin)
    rid = _post(admin, f"{API}/rounds", {"region": KUNMING, "year": ew.year}).json()["id"]
    qujing = client_for(ew.qujing_admin)
    assert _post(qujing, f"{API}/rounds", {"region": KUNMING, "year": ew.year - 1}).status_code == 403
    assert qujing.get(f"{API}/rounds/{rid}").status_code == 404
    assert _post(qujing, f"{API}/rounds/{rid}/compute").status_code == 404
    assert qujing.get(f"{API}/evaluations").json()["count"] == 0
    ev = Evaluation.objects.filter(indicator_set_id=rid).first()
    assert _post(qujing, f"{API}/evaluations/{ev.pk}/decide", {"decision": "keep"}).status_code == 404
    visitor = client_for()
    assert visitor.get(f"{API}/rounds").status_code == 401
    assert visitor.get(f"{API}/evaluations").status_code == 401
    r = _post(admin, f"{API}/rounds", {"region": "999999", "year": ew.year})
    assert r.status_code == 400 and r.json()["field"] == "region"
    assert admin.get(f"{API}/rounds/{rid}/indicators").json()[0]["code"] == "contracts"
