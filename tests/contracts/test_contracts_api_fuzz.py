"""More hostile inputs: PATCH, list parameters and decision bodies never give a 500."""

import json

import pytest

pytestmark = pytest.mark.django_db
CASES = [
    {"seller": {"organization": 999}},
    {"seller": {"organization": [1]}},
    {"buyer": None},
    {"buyer": []},
    {"payments": None},
    {"payments": [{"amount": None}]},
    {"amount_lines": None},
    {"amount_lines": [{}]},
    {"name": None},
    {"contract_amount": None},
    {"contract_amount": {}},
    {"registration_point": True},
    {"category": None, "subcategory": "tr_patent"},
    {"achievement_id": -1},
    {"achievement_id": 1.5},
    {"buyer": {"organization": "abc"}},
    {"buyer": {"region": 530102}},
    {"buyer": {"credit_code": None}},
    {"term_start": None},
    {"written_form": None},
    {"technical_summary": ["x"]},
]


@pytest.mark.parametrize("body", CASES)
def test_patch(cw, client_for, body):
    c = cw.filed()
    r = client_for(cw.w.member).patch(
        f"/api/v1/contracts/{c.pk}", data=json.dumps(body), content_type="application/json"
    )
    assert r.status_code < 500, (body, r.content)
    r = client_for(cw.w.member).post(f"/api/v1/contracts/{c.pk}/submit", data="{}", content_type="application/json")
    assert r.status_code < 500, (body, r.content)


@pytest.mark.parametrize("q", ["page=abc", "page_size=100000", "page=-1", "status=zzz"])
def test_list(cw, client_for, q):
    assert client_for(cw.w.member).get(f"/api/v1/contracts?{q}").status_code < 500


def test_other(cw, client_for):
    c = cw.submitted()
    rv = client_for(cw.reviewer)
    for url, body in [
        ("expert-review", {"experts": "", "approved": True}),
        ("expert-review", {"experts": "x", "approved": "maybe"}),
        ("certify", {"category": "development", "subcategory": "dev_commissioned", "amount_lines": [1]}),
        (
            "certify",
            {
                "category": "development",
                "subcategory": "dev_commissioned",
                "amount_lines": [{"kind": "parts", "amount": None}],
            },
        ),
        ("amend", {"note": "x", "contract_amount": "abc"}),
        ("cancel", {}),
        ("refuse", {"reasons": [None]}),
    ]:
        r = rv.post(f"/api/v1/contracts/{c.pk}/{url}", data=json.dumps(body), content_type="application/json")
        assert 400 <= r.status_code < 500, (url, body, r.content)
        assert "code" in r.json()
    assert client_for().get("/api/v1/contracts/verify").status_code == 404
