"""The policies API: the list in force, one policy with versions, rules and description, and the calculator."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/subsidies/policies"
CASE = {"id": "c1", "beneficiary": "buyer", "granted_this_year": "0.00", "contract": {
    "category": "transfer", "subcategory": "tr_patent", "contract_amount": "12000000.00",
    "tech_amount": "11000000.00", "equity_amount": None, "certified_on": "2025-03-01",
    "seller": {"region": "110105", "country": None, "kind": "university", "ownership": "state"},
    "buyer": {"region": "530102", "country": None, "kind": "enterprise", "ownership": "private"}}}


def post(client, code, body):
    return client.post(f"{URL}/{code}/calculate", body, content_type="application/json")


def test_the_list_and_a_policy(client):
    listed = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [p["code"] for p in listed] == ["gx-county", "tiered-example", "tj-broker", "tj-institution",
                                           "yn-absorb", "yn-local"]
    yn = next(p for p in listed if p["code"] == "yn-absorb")
    assert yn["region"] == "530000" and yn["version"] == 1 and "20 %" in yn["pays"]
    detail = client.get(f"{URL}/yn-absorb", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [v["number"] for v in detail["versions"]] == [1]
    assert detail["rules"]["caps"] == {"per_case": "2000000.00"}
    assert detail["description"]["conditions"][0].startswith("Who benefits")
    assert "技术交易实际金额" in detail["legal_clause"]
    assert client.get(f"{URL}/nope").status_code == 404


def test_calculate_returns_the_decision(client):
    r = post(client, "yn-absorb", CASE)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["id"], body["eligible"], body["amount"], body["unmet"], body["version"]) == (
        "c1", True, "2000000.00", [], 1)
    assert [line["step"] for line in body["lines"]] == ["base", "percentage", "cap"]
    unmet = post(client, "yn-absorb", {**CASE, "beneficiary": "seller"}).json()
    assert unmet["eligible"] is False and unmet["unmet"] == ["beneficiary_not_covered"]


@pytest.mark.parametrize(("change", "field"), [
    ({"contract": {**CASE["contract"], "tech_amount": "-1"}}, "contract.tech_amount"),
    ({"contract": {**CASE["contract"], "buyer": {"region": "53"}}}, "contract.buyer.region"),
    ({"beneficiary": "mayor"}, "beneficiary"),
    ({"granted_this_year": "lots"}, "granted_this_year"),
    ({"contract": {**CASE["contract"], "certified_on": None}}, "contract.certified_on"),
])
def test_bad_input_is_422_naming_the_field(client, change, field):
    r = post(client, "yn-absorb", {**CASE, **change})
    assert r.status_code == 422 and r.json()["field"] == field, r.content


def test_unknown_fields_and_policies(client):
    r = post(client, "yn-absorb", {**CASE, "colour": "red"})
    assert r.status_code == 422 and "colour" in r.content.decode()
    r = post(client, "yn-absorb", {**CASE, "contract": {**CASE["contract"], "size": 3}})
    assert r.status_code == 422 and "size" in r.content.decode()
    assert post(client, "nope", CASE).status_code == 404


def test_calculate_uses_the_rate_setting(client, settings):
    tj = {**CASE, "beneficiary": "seller",
          "contract": {**CASE["contract"], "seller": {"region": "120101", "kind": "university"}}}
    body = post(client, "tj-institution", tj).json()
    assert (body["eligible"], body["amount"], body["lines"][-1]["step"]) == (True, "0.00", "rate_not_set")
    settings.SUBSIDY_RATES = {"tj-institution": {"": Decimal("0.01")}}
    assert post(client, "tj-institution", tj).json()["amount"] == "120000.00"
    assert client.get(f"{URL}/tj-institution").json()["setting_rates"] == {"": "0.01"}
