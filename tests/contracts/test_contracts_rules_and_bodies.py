"""The contracts' named permission rules and typed request bodies: the rules answer by name like the functions the
services call; the filing body is typed in the OpenAPI document, refuses unknown fields at any depth (422) and
still leaves bad values to the service (400 naming the field)."""

import json

import pytest

from techtransfer.accounts import permissions
from techtransfer.contracts import ledger
from techtransfer.contracts import permissions as rules
from techtransfer.contracts.models import TechContract

pytestmark = pytest.mark.django_db


def test_rules_are_registered_and_answer_by_name(cw):
    names = {"contracts.decide", "contracts.act_for_seller", "contracts.attach_file", "contracts.file_for"}
    assert names <= set(permissions.RULES)
    contract = cw.submitted()
    assert permissions.allowed("contracts.decide", cw.reviewer, contract)
    assert not permissions.allowed("contracts.decide", cw.qujing_reviewer, contract)
    assert permissions.allowed("contracts.act_for_seller", cw.w.member, contract)
    assert permissions.allowed("contracts.attach_file", cw.w.member, contract)
    assert not permissions.allowed("contracts.remove_file", cw.w.member, contract)  # submitted: scans stay
    assert permissions.allowed("contracts.record_expert_review", cw.expert, contract)
    assert rules.reviewer_points(cw.reviewer) == [cw.kunming_point.pk]
    assert list(rules.visible_contracts(cw.qujing_reviewer)) == []


def test_filing_body_is_typed_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/contracts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ContractIn"}
    components = schema["components"]["schemas"]
    contract_in = components["ContractIn"]
    assert contract_in["additionalProperties"] is False
    assert {"name", "contract_amount", "seller", "buyer", "payments", "amount_lines"} <= set(contract_in["properties"])
    assert components["PartyIn"]["additionalProperties"] is False
    assert "enterprise" in components["PartyIn"]["properties"]["party_type"]["anyOf"][0]["enum"]


@pytest.mark.parametrize(
    "override, status, field",
    [
        ({"colour": "red"}, 422, "colour"),
        ({"buyer": {"name": "X", "colour": "red"}}, 422, "buyer.colour"),
        ({"payments": [{"amount": "5", "when": "soon"}]}, 422, "payments.0.when"),
        ({"buyer": {"name": "X", "region": 530102}}, 400, "buyer.region"),
        ({"contract_amount": True}, 400, "contract_amount"),
        ({"payments": [{"amount": "-5"}]}, 400, "payments.0.amount"),
    ],
)
def test_unknown_fields_are_refused_and_bad_values_left_to_the_service(cw, client_for, override, status, field):
    r = client_for(cw.w.member).post(
        "/api/v1/contracts", data=json.dumps(cw.data(**override), default=str), content_type="application/json"
    )
    assert (r.status_code, r.json()["field"]) == (status, field)
    assert not TechContract.objects.exists()


def test_amounts_in_ten_thousand_yuan_are_read_like_everywhere_else(cw, client_for):
    r = client_for(cw.w.member).post(
        "/api/v1/contracts", data=json.dumps(cw.data(contract_amount="100万元"), default=str),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["contract_amount"] == "1000000.00"


def test_summary_totals_equal_the_ledger(cw):
    cw.certified()
    summary = ledger.summary_totals()
    assert (summary.count, summary.contract_amount) == (1, cw.D("1000000.00"))
