"""The export of approved payments for the finance bureau: administrators only, scoped to their region, bank
details only to the reviewers of each claim."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from techtransfer.subsidies.services import payments
from tests.subsidies.claim_world import build

pytestmark = pytest.mark.django_db


def csv_rows(client, user):
    client.force_login(user)
    r = client.get("/subsidies/payments.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, [dict(zip(payments.HEADER, row, strict=True)) for row in rows]


def test_the_layout_a_finance_bureau_expects(client, cw):
    world = build(cw)
    header, rows = csv_rows(client, cw.w.platform_admin)
    assert header[:4] == ["Beneficiary", "Unified social credit code", "Region", "Contract registration number"]
    assert len(header) == len(payments.HEADER)
    # approved and paid claims only: not the candidate, not the void one
    assert len(rows) == 3 and {(r["policy_code"], r["beneficiary"]) for r in rows} == {
        ("wuhua-local", cw.w.wuhua_org.name), ("yn-local", cw.w.panlong_org.name), ("yn-local", cw.w.wuhua_org.name)}
    paid = next(r for r in rows if r["policy_code"] == "yn-local" and r["beneficiary"] == cw.w.wuhua_org.name)
    assert paid["credit_code"] == cw.w.wuhua_org.credit_code and paid["credit_code"]
    assert paid["contract_number"] == world.a.registration_number
    assert paid["registered_on"] == world.a.registered_on.isoformat()
    assert paid["base"] == str(world.a.tech_amount)
    assert paid["rate_formula"].startswith("0.20 × ")
    assert (paid["amount_approved"], paid["amount_paid"], paid["payment_reference"]) == (
        "200000.00", "200000.00", "PAY-2025-001")
    assert paid["legal_clause"].startswith("Seed 004 (Yunnan), §19 004 §19")
    assert paid["policy_name"] == "云南省科技成果省内转化奖补" and paid["region"] == "五华区"
    assert paid["bank_account"] == "6222000011112222"


def test_xlsx_has_the_same_rows(client, cw):
    build(cw)
    client.force_login(cw.w.platform_admin)
    r = client.get("/subsidies/payments.xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.values)
    assert len(values) == 4 and "PAY-2025-001" in values[1] + values[2] + values[3]


def test_region_administrators_see_their_region_and_bank_details_of_what_they_review(client, cw):
    build(cw)
    _h, rows = csv_rows(client, cw.w.panlong_admin)
    assert [(r["policy_code"], r["beneficiary"], r["bank_account"]) for r in rows] == [
        ("yn-local", cw.w.panlong_org.name, "6222000033334444")]
    _h, rows = csv_rows(client, cw.w.wuhua_admin)
    assert sorted((r["policy_code"], r["bank_account"]) for r in rows) == [
        ("wuhua-local", "6222000011112222"), ("yn-local", "6222000011112222")]
    # 昆明市 contains both counties, but the 五华区 policy is not its to review: its bank details are withheld
    _h, rows = csv_rows(client, cw.w.kunming_admin)
    banks = {(r["policy_code"], r["beneficiary"]): (r["bank_name"], r["bank_account"]) for r in rows}
    assert len(rows) == 3
    assert banks[("wuhua-local", cw.w.wuhua_org.name)] == ("restricted", "restricted")
    assert banks[("yn-local", cw.w.wuhua_org.name)] == ("云南银行五华支行", "6222000011112222")


@pytest.mark.parametrize("who", ["member", "org_admin", "visitor"])
def test_others_are_refused(client, cw, who):
    build(cw)
    client.force_login(getattr(cw.w, who))
    for url in ("/subsidies/payments.csv", "/subsidies/payments.xlsx"):
        r = client.get(url)
        assert r.status_code == 403 and b"6222" not in r.content


def test_anonymous_is_sent_to_sign_in(client, cw):
    build(cw)
    r = client.get("/subsidies/payments.csv")
    assert r.status_code == 302 and "login" in r["Location"]


def test_an_empty_export_still_has_its_header(client, cw):
    client.force_login(cw.w.province_admin)
    header, rows = csv_rows(client, cw.w.province_admin)
    assert rows == [] and header[0] == "Beneficiary"
