"""Hardening (issue 11): every contract amount — filing, payment and amount lines, certification lines and the
amendment (which keeps a plain ``Decimal`` in its schema) — goes through ``core.fields.parse_money``: ``1e30``,
huge exponents and NaN are a 4xx naming the field, never a 500, and change nothing."""

import json

import pytest

from techtransfer.contracts.models import Status, TechContract

pytestmark = pytest.mark.django_db

ABSURD = ["1e30", "1e999999", '"1e999999999"', '"NaN"', '"-Infinity"', '"1E-999999999"']


def _post(client, url, body: dict, field: str, raw: str):
    """``body`` with ``field`` (a dotted path into it) set to the raw JSON text ``raw``."""
    marker = "__RAW__"
    target, *path = field.split(".")
    node = body
    keys = [target, *path]
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(keys[-1]) if isinstance(node, list) else keys[-1]] = marker
    text = json.dumps(body, default=str).replace(f'"{marker}"', raw)
    return client.post(url, data=text, content_type="application/json")


def _assert_refused(response, field):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response.json()["field"] == field


@pytest.mark.parametrize("raw", ABSURD)
@pytest.mark.parametrize("field", ["contract_amount", "payments.0.amount", "amount_lines.0.amount"])
def test_filing_amounts_are_bounded(cw, client_for, field, raw):
    body = cw.data(payments=[{"amount": "100000.00", "due_on": "2030-01-01"}],
                   amount_lines=[{"kind": "equipment", "amount": "1000.00"}])
    _assert_refused(_post(client_for(cw.w.member), "/api/v1/contracts", body, field, raw), field)
    assert not TechContract.objects.exists()


@pytest.mark.parametrize("raw", ABSURD)
def test_amendment_amount_is_bounded(cw, client_for, raw):
    contract = cw.certified()
    response = _post(client_for(cw.reviewer), f"/api/v1/contracts/{contract.pk}/amend",
                     {"note": "更正", "contract_amount": None}, "contract_amount", raw)
    _assert_refused(response, "contract_amount")
    assert TechContract.objects.get(pk=contract.pk).contract_amount == cw.D("1000000.00")


@pytest.mark.parametrize("raw", ABSURD)
def test_certification_lines_are_bounded(cw, client_for, raw):
    contract = cw.submitted()
    body = {"category": "development", "subcategory": "dev_commissioned",
            "amount_lines": [{"kind": "parts", "amount": None}]}
    response = _post(client_for(cw.reviewer), f"/api/v1/contracts/{contract.pk}/certify", body,
                     "amount_lines.0.amount", raw)
    assert 400 <= response.status_code < 500, response.content[:300]
    assert TechContract.objects.get(pk=contract.pk).status == Status.SUBMITTED
