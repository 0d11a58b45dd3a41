"""Contracts API: file, submit, certify, refuse, amend, cancel through HTTP with the rules' errors."""

import json

import pytest

pytestmark = pytest.mark.django_db


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}, default=str), content_type="application/json")


def test_file_submit_certify_amend_cancel(cw, client_for):
    seller = client_for(cw.w.member)
    r = _post(seller, "/api/v1/contracts", cw.data())
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert r.json()["status"] == "draft"
    assert _post(seller, f"/api/v1/contracts/{cid}/submit").status_code == 200
    # a reviewer of another city's point may not decide
    r = _post(
        client_for(cw.qujing_reviewer),
        f"/api/v1/contracts/{cid}/certify",
        {"category": "development", "subcategory": "dev_commissioned"},
    )
    assert r.status_code in (403, 404)
    lines = [{"kind": "equipment", "amount": "200000.00", "description": "设备"}]
    reviewer = client_for(cw.reviewer)
    r = _post(
        reviewer,
        f"/api/v1/contracts/{cid}/certify",
        {"category": "development", "subcategory": "dev_commissioned", "amount_lines": lines},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "certified" and body["registration_number"].endswith("000001")
    assert (body["tech_amount"], body["non_tech_amount"]) == ("800000.00", "200000.00")
    r = _post(reviewer, f"/api/v1/contracts/{cid}/amend", {"note": "追加", "contract_amount": "1500000.00"})
    assert r.status_code == 200 and r.json()["tech_amount"] == "1300000.00"
    r = _post(reviewer, f"/api/v1/contracts/{cid}/cancel", {"reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = _post(reviewer, f"/api/v1/contracts/{cid}/cancel", {"reason": "解除"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    # the seller sees it; a stranger does not
    assert seller.get(f"/api/v1/contracts/{cid}").status_code == 200
    assert client_for(cw.w.panlong_admin).get(f"/api/v1/contracts/{cid}").status_code in (403, 404)


def test_refuse_needs_reason_from_rules(cw, client_for):
    contract = cw.submitted()
    reviewer = client_for(cw.reviewer)
    r = _post(reviewer, f"/api/v1/contracts/{contract.pk}/refuse", {"reasons": []})
    assert r.status_code == 400 and r.json()["field"] == "reasons"
    r = _post(reviewer, f"/api/v1/contracts/{contract.pk}/refuse", {"reasons": ["no_such_reason"]})
    assert r.status_code == 400


def test_each_refusal_reason_through_api(cw, client_for):
    from techtransfer.contracts.models import RefusalReason

    reviewer = client_for(cw.reviewer)
    codes = list(RefusalReason.objects.filter(active=True).values_list("pk", flat=True))
    assert len(codes) >= 6
    for code in codes:
        contract = cw.submitted()
        r = _post(reviewer, f"/api/v1/contracts/{contract.pk}/refuse", {"reasons": [code], "note": "见规则"})
        assert r.status_code == 200, (code, r.content)
        assert r.json()["status"] == "refused" and r.json()["refusal_reasons"] == [code]
        assert r.json()["registration_number"] is None


def test_tax_hints_for_seller(cw, client_for):
    contract = cw.certified()
    r = client_for(cw.w.member).get(f"/api/v1/contracts/{contract.pk}/tax-hints")
    assert r.status_code == 200
    codes = {h["code"] for h in r.json()}
    assert "vat" in codes and all(h["rule"] for h in r.json())
    draft = cw.filed()
    assert client_for(cw.w.member).get(f"/api/v1/contracts/{draft.pk}/tax-hints").json() == []
