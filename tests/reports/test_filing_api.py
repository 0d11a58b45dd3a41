"""Filing API: a unit starts, saves, submits (refused until the differences are explained), its department returns
and accepts; the list is scoped and filtered; a report the caller may not see is a 404; the template is public."""

from __future__ import annotations

import json

import pytest

from tests.reports.conftest import complete_values

pytestmark = pytest.mark.django_db

API = "/api/v1/reports"


def _send(client, method, url, body=None):
    return getattr(client, method)(url, data=json.dumps(body or {}, default=str), content_type="application/json")


def test_file_and_review_over_http(rw, client_for):
    uni, dept = client_for(rw.uni_admin), client_for(rw.dept_admin)
    r = _send(uni, "post", API, {"year": rw.year})
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["supervisor"] == rw.dept.pk and body["values"] == {}
    assert body["registered"]["development_count"] == "2" and body["may_edit"] is True
    assert _send(uni, "post", API, {"year": rw.year}).status_code == 200  # found, not made twice

    r = _send(uni, "put", f"{API}/{pk}", {"values": complete_values(development_count="3")})
    assert r.status_code == 200, r.content
    diff = next(d for d in r.json()["differences"] if d["field"] == "development_count")
    assert diff["declared"] == "3" and diff["registered"] == "2" and diff["needs_explanation"] is True

    r = _send(uni, "post", f"{API}/{pk}/submit")
    assert r.status_code == 400 and r.json()["code"] == "needs_explanation"
    assert r.json()["field"] == "development_count"
    r = _send(
        uni,
        "put",
        f"{API}/{pk}",
        {
            "values": complete_values(development_count="3"),
            "explanations": {"development_count": "一项横向合同尚未登记。"},
        },
    )
    assert r.json()["explanations"] == {"development_count": "一项横向合同尚未登记。"}
    r = _send(uni, "post", f"{API}/{pk}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"

    assert _send(uni, "post", f"{API}/{pk}/accept").status_code == 403
    r = _send(dept, "post", f"{API}/{pk}/return", {})
    assert r.status_code == 422
    r = _send(dept, "post", f"{API}/{pk}/return", {"comment": "请补充典型案例。"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert _send(dept, "post", f"{API}/{pk}/accept").status_code == 409
    assert _send(uni, "post", f"{API}/{pk}/submit").status_code == 200
    r = _send(dept, "post", f"{API}/{pk}/accept", {"comment": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert [h["action"] for h in r.json()["history"]] == ["submit", "return", "submit", "accept"]
    assert r.json()["history"][1]["comment"] == "请补充典型案例。"
    r = _send(uni, "put", f"{API}/{pk}", {"values": {}})
    assert r.status_code == 409 and r.json()["code"] == "wrong_state"


def test_list_is_scoped_and_filtered(rw, client_for):
    uni = client_for(rw.uni_admin)
    pk = _send(uni, "post", API, {"year": rw.year}).json()["id"]
    assert uni.get(API).json()["count"] == 1
    assert uni.get(API, {"status": "accepted"}).json()["count"] == 0
    assert uni.get(API, {"year": rw.year - 1}).json()["count"] == 0
    assert uni.get(API, {"status": "nonsense"}).status_code == 400
    assert client_for(rw.dept_admin).get(API).json()["count"] == 0  # a draft stays with the unit
    assert client_for(rw.dept_admin).get(f"{API}/{pk}").status_code == 404
    assert client_for().get(API).status_code == 401
    _send(uni, "put", f"{API}/{pk}", {"values": complete_values()})
    _send(uni, "post", f"{API}/{pk}/submit")
    assert client_for(rw.dept_admin).get(API).json()["count"] == 1
    assert client_for(rw.other_dept_admin).get(f"{API}/{pk}").status_code == 404
    assert client_for(rw.panlong_admin).get(f"{API}/{pk}").status_code == 404
    assert client_for(rw.wuhua_admin).get(f"{API}/{pk}").status_code == 200
    assert _send(client_for(rw.other_dept_admin), "post", f"{API}/{pk}/accept").status_code == 404


def test_bad_input_is_a_clear_4xx(rw, client_for):
    uni = client_for(rw.uni_admin)
    pk = _send(uni, "post", API, {"year": rw.year}).json()["id"]
    r = _send(uni, "put", f"{API}/{pk}", {"values": {"transfer_amount": "lots"}})
    assert r.status_code == 400 and r.json()["field"] == "transfer_amount"
    r = _send(uni, "put", f"{API}/{pk}", {"values": {}, "misspelt": 1})
    assert r.status_code == 422
    r = _send(client_for(rw.inst_admin), "post", API, {"year": rw.year, "organization": rw.uni.pk})
    assert r.status_code == 404
    r = _send(uni, "post", API, {"year": 1800})
    assert r.status_code == 400 and r.json()["field"] == "year"


def test_template_is_public(client_for, db):
    r = client_for().get(f"{API}/template/2025")
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 2021
    fields = {f["key"]: f for s in body["sections"] for f in s["fields"]}
    assert fields["transfer_amount"]["unit"] == "元" and fields["transfer_amount"]["registered"] == "transfer_amount"
    assert any(c["key"] == "rewards_le_income" for c in body["checks"])
    assert client_for().get(f"{API}/template/2010").status_code == 404
