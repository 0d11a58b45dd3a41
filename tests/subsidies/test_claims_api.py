"""Subsidies API: claims listed, read, applied for, approved, refused and paid over HTTP, brokers recorded, with
the 401/403/404/409/422 answers and no restricted field to those who may not see it."""

from __future__ import annotations

import json

import pytest

from techtransfer.people.models import Person
from techtransfer.subsidies.models import Budget, Claim, ClaimStatus, ContractBroker
from techtransfer.subsidies.services import claims
from tests.subsidies.test_claims import BANK

pytestmark = pytest.mark.django_db

API = "/api/v1/subsidies"


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}, default=str), content_type="application/json")


@pytest.fixture
def claim(cw):
    contract = cw.certified()
    claims.generate_candidates(contract)
    return Claim.objects.get(contract=contract, policy__code="yn-local")


def test_the_beneficiary_applies_and_a_reviewer_approves_refuses_and_pays(cw, claim, client_for):
    admin, reviewer = client_for(cw.w.org_admin), client_for(cw.w.wuhua_admin)
    r = admin.get(f"{API}/claims")
    assert r.status_code == 200 and r.json()["count"] == 1
    item = r.json()["items"][0]
    assert item["id"] == claim.pk and item["status"] == "candidate" and item["may_apply"] is True
    assert item["policy"] == "yn-local" and item["amount"] == str(claim.amount)

    r = _post(admin, f"{API}/claims/{claim.pk}/apply", {**BANK, "bank_account": "62220210"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "applied" and body["bank_account"] == "62220210"
    assert body["eligible"] is True and body["lines"][0]["step"] == "base" and body["entries"] == []

    assert reviewer.get(f"{API}/claims", {"status": "applied"}).json()["count"] == 1
    assert reviewer.get(f"{API}/claims", {"status": "paid"}).json()["count"] == 0
    assert reviewer.get(f"{API}/claims", {"policy": "yn-absorb"}).json()["count"] == 0
    assert reviewer.get(f"{API}/claims", {"year": claim.year}).json()["count"] == 1

    r = _post(reviewer, f"{API}/claims/{claim.pk}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert [e["kind"] for e in r.json()["entries"]] == ["reserved"]
    r = _post(reviewer, f"{API}/claims/{claim.pk}/approve")
    assert r.status_code == 409 and r.json()["code"] == "wrong_state"

    r = _post(reviewer, f"{API}/claims/{claim.pk}/payments", {"amount": "1000.00", "reference": "PAY-1"})
    assert r.status_code == 201 and r.json()["kind"] == "paid" and r.json()["amount"] == "1000.00"
    r = _post(reviewer, f"{API}/claims/{claim.pk}/payments", {"amount": str(claim.amount)})
    assert r.status_code == 409 and r.json()["code"] == "overpayment"
    for bad in ("0", "-0.001"):
        r = _post(reviewer, f"{API}/claims/{claim.pk}/payments", {"amount": bad})
        assert r.status_code in (400, 409) and r.json()["field"] == "amount"
    r = _post(reviewer, f"{API}/claims/{claim.pk}/payments", {"amount": "abc"})
    assert r.status_code == 422
    r = _post(reviewer, f"{API}/claims/{claim.pk}/payments", {"amount": "1e30"})
    assert r.status_code == 400 and r.json()["field"] == "amount"
    left = claims.outstanding(Claim.objects.get(pk=claim.pk))
    r = _post(reviewer, f"{API}/claims/{claim.pk}/payments", {"amount": str(left)})
    assert r.status_code == 201
    detail = reviewer.get(f"{API}/claims/{claim.pk}").json()
    assert detail["status"] == "paid" and detail["outstanding"] == "0.00" and detail["paid"] == str(claim.amount)


def test_refuse_needs_a_reason(cw, claim, client_for):
    claims.apply(cw.w.org_admin, claim, **BANK)
    reviewer = client_for(cw.w.kunming_admin)
    r = _post(reviewer, f"{API}/claims/{claim.pk}/refuse", {"reason": "  "})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    assert _post(reviewer, f"{API}/claims/{claim.pk}/refuse", {}).status_code == 422
    assert _post(reviewer, f"{API}/claims/{claim.pk}/refuse", {"reason": "材料不全", "x": 1}).status_code == 422
    r = _post(reviewer, f"{API}/claims/{claim.pk}/refuse", {"reason": "材料不全"})
    assert r.status_code == 200 and r.json()["status"] == "refused" and r.json()["refusal_reason"] == "材料不全"


def test_401_403_404_and_validation(cw, claim, client_for, client):
    assert client.get(f"{API}/claims").status_code == 401
    assert client.get(f"{API}/claims/{claim.pk}").status_code == 401
    assert _post(client, f"{API}/claims/{claim.pk}/apply", BANK).status_code == 401
    # another county's administrator and an unrelated user: the claim does not exist for them
    for outsider in (cw.w.panlong_admin, cw.w.visitor):
        c = client_for(outsider)
        assert c.get(f"{API}/claims").json()["count"] == 0
        assert c.get(f"{API}/claims/{claim.pk}").status_code == 404
        assert _post(c, f"{API}/claims/{claim.pk}/approve").status_code == 404
    assert client_for(cw.w.org_admin).get(f"{API}/claims/999999").status_code == 404
    # a member sees the claim but may not apply; a reviewer may not apply either
    member = client_for(cw.w.member)
    assert member.get(f"{API}/claims/{claim.pk}").json()["may_apply"] is False
    assert _post(member, f"{API}/claims/{claim.pk}/apply", BANK).status_code == 403
    assert _post(client_for(cw.w.wuhua_admin), f"{API}/claims/{claim.pk}/apply", BANK).status_code == 403
    # the beneficiary's administrator may not approve its own claim
    admin = client_for(cw.w.org_admin)
    assert _post(admin, f"{API}/claims/{claim.pk}/approve").status_code == 403
    r = _post(admin, f"{API}/claims/{claim.pk}/apply", {**BANK, "bank_account": "12345"})
    assert r.status_code == 400 and r.json()["field"] == "bank_account"
    assert _post(admin, f"{API}/claims/{claim.pk}/apply", {"bank_name": "x"}).status_code == 422
    assert _post(admin, f"{API}/claims/{claim.pk}/apply", {**BANK, "bank_name": None}).status_code == 422
    for query in ({"status": "nope"}, {"page": "0"}, {"year": "99999"}):
        r = admin.get(f"{API}/claims", query)
        assert r.status_code == 400, query
    assert admin.get(f"{API}/claims", {"year": "x"}).status_code == 422
    # approving an unapplied claim is a conflict for a reviewer
    r = _post(client_for(cw.w.wuhua_admin), f"{API}/claims/{claim.pk}/approve")
    assert r.status_code == 409 and r.json()["code"] == "wrong_state"


def test_budget_exhausted_is_409(cw, claim, client_for):
    claims.apply(cw.w.org_admin, claim, **BANK)
    Budget.objects.create(policy=claim.policy, year=claim.year, amount=claim.amount - 1)
    r = _post(client_for(cw.w.wuhua_admin), f"{API}/claims/{claim.pk}/approve")
    assert r.status_code == 409 and r.json()["code"] == "budget_exhausted"


RESTRICTED = set(Claim.RESTRICTED_FIELDS)


def test_restricted_fields_only_to_the_beneficiary_and_reviewers_in_scope(cw, claim, client_for, make_user):
    claims.apply(cw.w.org_admin, claim, **BANK, documents_note="发票三张")
    for user in (cw.w.member, cw.w.org_admin, cw.w.wuhua_admin, cw.w.province_admin, cw.w.platform_admin):
        c = client_for(user)
        for body in (c.get(f"{API}/claims/{claim.pk}").json(), c.get(f"{API}/claims").json()["items"][0]):
            assert body["bank_account"] == "6222021001012345" and body["documents_note"] == "发票三张", user
    # A registration-point reviewer of contracts is no claim reviewer: the claim does not exist for it.
    c = client_for(cw.reviewer)
    assert c.get(f"{API}/claims/{claim.pk}").status_code == 404
    text = json.dumps(c.get(f"{API}/claims").json(), ensure_ascii=False)
    assert "6222021001012345" not in text and "发票三张" not in text


def test_restricted_fields_are_null_for_a_visible_claim_the_caller_may_not_see_the_bank_of(cw, claim, client_for):
    """A broker beneficiary's own account applies for and sees its claim; the seller organization's members do
    not see it at all; the broker's county administrator reviews it."""
    person = Person.objects.create(name="李经纪", organization=cw.w.panlong_org, region_id="530103",
                                   user=cw.w.visitor)
    broker_claim = Claim.objects.create(
        policy=claim.policy, version=claim.version, contract=claim.contract, beneficiary_role="broker",
        beneficiary_key=f"person:{person.pk}", person=person, region_id="530103", year=claim.year,
        amount=100, decision={"eligible": True, "unmet": [], "lines": []})
    claims.apply(cw.w.visitor, broker_claim, **BANK)
    mine = client_for(cw.w.visitor).get(f"{API}/claims/{broker_claim.pk}").json()
    assert mine["bank_account"] == "6222021001012345"
    assert client_for(cw.w.member).get(f"{API}/claims/{broker_claim.pk}").status_code == 404
    panlong = client_for(cw.w.panlong_admin).get(f"{API}/claims/{broker_claim.pk}").json()
    assert panlong["bank_account"] == "6222021001012345"  # the reviewer of the broker's county
    kunming = client_for(cw.w.kunming_admin).get(f"{API}/claims").json()["items"]
    assert {i["id"] for i in kunming} == {claim.pk, broker_claim.pk}


def test_record_a_broker_on_a_contract(cw, claim, client_for):
    person = Person.objects.create(name="王经纪", organization=cw.w.wuhua_org, region_id=cw.wuhua)
    url = f"{API}/contracts/{claim.contract_id}/brokers"
    r = _post(client_for(cw.reviewer), url, {"person": person.pk, "contribution": "2.5", "note": "撮合"})
    assert r.status_code == 201, r.content
    assert r.json()["broker"] == person.pk and r.json()["contribution"] == "2.50"
    r = _post(client_for(cw.reviewer), url, {"person": person.pk, "contribution": "3"})
    assert r.status_code == 201 and ContractBroker.objects.get(contract=claim.contract).contribution == 3
    assert _post(client_for(cw.w.member), url, {"person": person.pk}).status_code == 403
    assert _post(client_for(cw.qujing_reviewer), url, {"person": person.pk}).status_code in (403, 404)
    assert _post(client_for(cw.reviewer), f"{API}/contracts/999999/brokers", {"person": person.pk}).status_code == 404
    r = _post(client_for(cw.reviewer), url, {"person": 999999})
    assert r.status_code == 400 and r.json()["field"] == "person"
    r = _post(client_for(cw.reviewer), url, {"person": person.pk, "contribution": "-1"})
    assert r.status_code == 400 and r.json()["field"] == "contribution"
    assert _post(client_for(cw.reviewer), url, {"person": person.pk, "contribution": "x"}).status_code == 422
    assert _post(client_for(None), url, {"person": person.pk}).status_code == 401
    assert claim.status == ClaimStatus.CANDIDATE
