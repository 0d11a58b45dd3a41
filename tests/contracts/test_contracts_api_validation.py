"""Every bad input to the contracts API is a 4xx ``{"code","message","field"}``, never a 500, and changes nothing."""

import json

import pytest

from techtransfer.contracts.models import Status, TechContract

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    raw = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
    return client.post(url, data=raw, content_type="application/json")


def _assert_error(r, field=None):
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    body = r.json()
    assert {"code", "message", "field"} <= set(body)
    if field is not None:
        assert body["field"] == field, body


@pytest.mark.parametrize("raw", ["{not json", "", "[1, 2]", "null", "42", '"text"'])
def test_malformed_bodies(cw, client_for, raw):
    _assert_error(_post(client_for(cw.w.member), "/api/v1/contracts", raw))
    assert not TechContract.objects.exists()


BAD_FIELDS = [
    ({"contract_amount": "-1"}, "contract_amount"),
    ({"contract_amount": -1}, "contract_amount"),
    ({"contract_amount": "1e30"}, "contract_amount"),
    ({"contract_amount": 10**20}, "contract_amount"),
    ({"contract_amount": "NaN"}, "contract_amount"),
    ({"contract_amount": "12.345"}, "contract_amount"),
    ({"contract_amount": [1]}, "contract_amount"),
    ({"contract_amount": True}, "contract_amount"),
    ({"name": 123}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"written_form": "no"}, "written_form"),
    ({"signed_on": "2024-13-40"}, "signed_on"),
    ({"signed_on": 20240101}, "signed_on"),
    ({"term_end": "yesterday"}, "term_end"),
    ({"category": "sale_of_goods"}, "category"),
    ({"category": ["development"]}, "category"),
    ({"subcategory": "tr_patent"}, "subcategory"),
    ({"ip_type": "trademark"}, "ip_type"),
    ({"tech_field": "99"}, "tech_field"),
    ({"objective": "war"}, "objective"),
    ({"licence_scope": "global"}, "licence_scope"),
    ({"registration_point": "abc"}, "registration_point"),
    ({"registration_point": 10**30}, "registration_point"),
    ({"achievement_id": "x"}, "achievement_id"),
    ({"achievement_id": 999999}, "achievement_id"),
    ({"seller": "me"}, "seller.organization"),
    ({"seller": {"organization": None}}, "seller.organization"),
    ({"buyer": "someone"}, "buyer"),
    ({"buyer": {"name": "X", "region": "999999"}}, "buyer.region"),
    ({"buyer": {"name": "X", "country": "XX"}}, "buyer.country"),
    ({"buyer": {"name": "X", "country": 5}}, "buyer.country"),
    ({"buyer": {"name": "X", "foreign": True}}, "buyer.country"),
    ({"buyer": {"name": "X", "region": "530102", "country": "US"}}, "buyer.region"),
    ({"buyer": {"name": "X", "credit_code": "123"}}, "buyer.credit_code"),
    ({"buyer": {"name": "X", "party_type": "alien"}}, "buyer.party_type"),
    ({"buyer": {"name": "X", "colour": "red"}}, "buyer.colour"),
    ({"payments": "all at once"}, "payments"),
    ({"payments": [1]}, "payments.0"),
    ({"payments": [{"amount": "-5"}]}, "payments.0.amount"),
    ({"payments": [{"amount": "5", "due_on": "soon"}]}, "payments.0.due_on"),
    ({"amount_lines": [{"kind": "land", "amount": "5"}]}, "amount_lines.0.kind"),
    ({"amount_lines": "lots"}, "amount_lines"),
    ({"unknown_field": 1}, "unknown_field"),
]


@pytest.mark.parametrize("override, field", BAD_FIELDS)
def test_bad_field_on_filing(cw, client_for, override, field):
    data = cw.data()
    data.update(override)
    if "seller" in override and override["seller"] == "me":
        data["seller"] = "me"
    _assert_error(_post(client_for(cw.w.member), "/api/v1/contracts", data), field)
    assert not TechContract.objects.exists()


@pytest.mark.parametrize(
    "override, field",
    [
        ({"term_start": "2025-06-01", "term_end": "2025-01-01"}, "term_end"),
        ({"signed_on": "2099-01-01"}, "signed_on"),
        ({"contract_amount": "0"}, "contract_amount"),
        ({"name": ""}, "name"),
        ({"technical_summary": ""}, "technical_summary"),
        ({"payments": []}, "payments"),
        ({"payments": [{"amount": "2000000.00", "due_on": "2030-01-01"}]}, "payments"),
        ({"amount_lines": [{"kind": "equipment", "amount": "2000000.00"}]}, "amount_lines"),
        ({"buyer": {"name": "Foreign Co", "party_type": "enterprise"}}, "buyer.country"),
        ({"category": "licence", "subcategory": "lic_patent"}, "licence_scope"),
        ({"licence_scope": "exclusive"}, "licence_scope"),
    ],
)
def test_incomplete_or_inconsistent_contracts_are_not_submitted(cw, client_for, override, field):
    seller = client_for(cw.w.member)
    r = _post(seller, "/api/v1/contracts", cw.data(**override))
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    _assert_error(_post(seller, f"/api/v1/contracts/{cid}/submit", {}), field)
    assert TechContract.objects.get(pk=cid).status == Status.DRAFT


@pytest.mark.parametrize(
    "body, field",
    [
        ({"category": "goods", "subcategory": "dev_commissioned"}, "category"),
        ({"category": "development", "subcategory": "tr_patent"}, "subcategory"),
        ({"category": "development", "subcategory": "dev_commissioned", "amount_lines": [{"kind": "parts"}]}, None),
        ({"category": "development", "subcategory": "dev_commissioned", "amount_lines": "x"}, None),
        ({"category": "development"}, None),
        ({"category": 5, "subcategory": None}, None),
        ({"category": "licence", "subcategory": "lic_patent"}, "licence_scope"),
    ],
)
def test_bad_certifications(cw, client_for, body, field):
    contract = cw.submitted()
    _assert_error(_post(client_for(cw.reviewer), f"/api/v1/contracts/{contract.pk}/certify", body), field)
    assert TechContract.objects.get(pk=contract.pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "body, field",
    [({"reasons": []}, "reasons"), ({"reasons": ["because"]}, "reasons"), ({"reasons": "oral_form"}, None), ({}, None)],
)
def test_bad_refusals(cw, client_for, body, field):
    contract = cw.submitted()
    _assert_error(_post(client_for(cw.reviewer), f"/api/v1/contracts/{contract.pk}/refuse", body), field)
    assert TechContract.objects.get(pk=contract.pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "body, field",
    [
        ({"note": ""}, "note"),
        ({"note": "x", "contract_amount": "-1"}, None),
        ({"note": "x", "contract_amount": "0"}, "contract_amount"),
        ({"note": "x", "term_end": "1990-01-01"}, "term_end"),
        ({"note": "x", "amount_lines": [{"kind": "parts", "amount": "99999999"}]}, "amount_lines"),
    ],
)
def test_bad_amendments(cw, client_for, body, field):
    contract = cw.certified()
    _assert_error(_post(client_for(cw.reviewer), f"/api/v1/contracts/{contract.pk}/amend", body), field)
    fresh = TechContract.objects.get(pk=contract.pk)
    assert fresh.contract_amount == cw.D("1000000.00") and fresh.events.filter(kind="amended").count() == 0


def test_state_errors_are_conflicts(cw, client_for):
    draft = cw.filed()
    reviewer = client_for(cw.reviewer)
    r = _post(
        reviewer,
        f"/api/v1/contracts/{draft.pk}/certify",
        {"category": "development", "subcategory": "dev_commissioned"},
    )
    _assert_error(r)
    done = cw.certified(name="已登记")
    r = _post(client_for(cw.w.member), f"/api/v1/contracts/{done.pk}/submit", {})
    assert r.status_code == 409
    r = _post(reviewer, f"/api/v1/contracts/{done.pk}/refuse", {"reasons": ["oral_form"]})
    assert r.status_code == 409
    assert _post(reviewer, f"/api/v1/contracts/{done.pk}/cancel", {"reason": "解除"}).status_code == 200
    assert _post(reviewer, f"/api/v1/contracts/{done.pk}/cancel", {"reason": "再次"}).status_code == 409
    assert _post(reviewer, f"/api/v1/contracts/{done.pk}/amend", {"note": "x"}).status_code == 409


def test_unknown_ids_and_anonymous(cw, client_for):
    _assert_error(client_for(cw.w.member).get("/api/v1/contracts/999999"))
    _assert_error(_post(client_for(), "/api/v1/contracts", cw.data()))
    assert client_for().get("/api/v1/contracts").json()["count"] == 0
    _assert_error(client_for().get("/api/v1/contracts/verify", {"number": "x", "code": "y"}))
