"""Subsidies in the browser: the registration point certifies a contract, which (through the outbox handler of
``contracts.changed``, run inline as in every test) creates a candidate claim under ``yn-local``; the enterprise's
administrator finds it among its claims and applies with its bank account; the region administrator approves it
from the review queue and records the payment; the claim is paid, with the payment in its ledger, in the finance
bureau's export and in the statistics."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from techtransfer.subsidies.models import Claim
from tests.browser.test_contracts_browser import _sign_in
from tests.contracts.conftest import cw  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
def test_certified_contract_candidate_apply_approve_pay(live_server, new_page, cw):  # noqa: F811
    base = live_server.url
    contract = cw.submitted(name="浏览器奖补测试的技术开发合同")

    reviewer = new_page()
    _sign_in(reviewer, base, cw.reviewer, f"/contracts/{contract.pk}/")
    reviewer.get_by_test_id("certify").click()
    reviewer.wait_for_load_state()
    number = reviewer.get_by_test_id("registration-number").inner_text().strip()
    assert Claim.objects.filter(contract=contract, policy__code="yn-local", organization=cw.w.wuhua_org).exists()

    applicant = new_page()
    _sign_in(applicant, base, cw.w.org_admin, "/subsidies/")
    applicant.get_by_test_id("nav-subsidies").click()
    applicant.get_by_test_id("subnav-claims").click()
    applicant.wait_for_url("**/subsidies/claims/")
    table = applicant.get_by_test_id("claims-table")
    row = table.get_by_test_id("claim-row").filter(has_text=number)
    assert row.get_by_test_id("claim-status").get_attribute("data-status") == "candidate"
    row.get_by_test_id("claim-link").click()
    applicant.wait_for_url("**/subsidies/claims/*/")
    explanation = applicant.get_by_test_id("explanation").inner_text()
    assert "20%" in explanation and "¥1,000,000.00" in explanation and "¥200,000.00" in explanation
    form = applicant.get_by_test_id("apply-form")
    form.locator("#a-bank").fill("中国工商银行昆明五华支行")
    form.locator("#a-account").fill("6222 0202 0011 2233 445")
    form.locator("#a-name").fill("五华测试科技有限公司")
    form.locator("#a-docs").fill("营业执照复印件；技术合同登记证明")
    applicant.get_by_test_id("apply").click()
    applicant.wait_for_load_state()
    assert applicant.get_by_test_id("claim-status").get_attribute("data-status") == "applied"
    assert applicant.get_by_test_id("bank-account").inner_text().strip() == "6222020200112233445"
    claim_url = applicant.url

    admin = new_page()
    _sign_in(admin, base, cw.w.kunming_admin, "/subsidies/claims/")
    admin.get_by_test_id("tab-review").click()
    admin.wait_for_url("**/subsidies/claims/?tab=review")
    queue = admin.get_by_test_id("claims-table")
    queue.get_by_test_id("claim-row").filter(has_text=number).get_by_test_id("claim-link").click()
    admin.wait_for_url(claim_url)
    admin.get_by_test_id("approve").click()
    admin.wait_for_load_state()
    assert admin.get_by_test_id("claim-status").get_attribute("data-status") == "approved"
    pay = admin.get_by_test_id("pay-form")
    assert pay.locator("#p-amount").input_value() == "200000.00"
    pay.locator("#p-reference").fill("YNCZ-2026-0001")
    admin.get_by_test_id("pay").click()
    admin.wait_for_load_state()
    assert admin.get_by_test_id("claim-status").get_attribute("data-status") == "paid"
    paid = admin.get_by_test_id("ledger").locator("[data-kind=paid]")
    assert "YNCZ-2026-0001" in paid.inner_text() and "200,000.00" in paid.inner_text()
    assert admin.get_by_test_id("outstanding").inner_text().strip() == "0.00"

    applicant.reload()
    assert applicant.get_by_test_id("claim-status").get_attribute("data-status") == "paid"
    assert applicant.get_by_test_id("paid-total").inner_text().strip() == "200,000.00"

    # The payment is in the finance bureau's export and in the statistics.
    export = admin.request.get(f"{base}/subsidies/payments.xlsx")
    assert export.status == 200
    sheet = load_workbook(io.BytesIO(export.body())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    mine = [r for r in rows if number in [str(v) for v in r]]
    assert len(mine) == 1 and "YNCZ-2026-0001" in mine[0]
    assert {Decimal(str(v)) for v in mine[0] if isinstance(v, int | float | Decimal)} >= {Decimal("200000")}
    admin.goto(f"{base}/subsidies/statistics/")
    figures = admin.get_by_test_id("figures").inner_text()
    assert "yn-local" in figures or "云南省科技成果省内转化奖补" in figures
    assert admin.get_by_test_id("total-approved").inner_text().replace(",", "").strip() == "200000.00"
