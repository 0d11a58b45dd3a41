"""A seller files a contract in the browser, the registration point's reviewer certifies it from the queue, the
certificate downloads as a PDF, its code verifies on the public page (signed out), and the dashboard counts it."""

import datetime

import pytest

from tests.contracts.conftest import cw  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2026"


def _sign_in(page, base, user, next_url):
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(f"**{next_url}")


def test_file_certify_download_verify_and_count(live_server, new_page, cw):  # noqa: F811
    base = live_server.url
    today = datetime.date.today()
    seller = new_page()
    _sign_in(seller, base, cw.w.member, "/contracts/new/")
    form = seller.get_by_test_id("contract-form")
    form.locator("#c-name").fill("浏览器填报的光伏封装技术开发合同")
    form.locator("#c-category").select_option("development")
    form.locator("#c-subcategory").select_option("dev_commissioned")
    form.locator("#c-signed").fill((today - datetime.timedelta(days=3)).isoformat())
    form.locator("#c-start").fill((today - datetime.timedelta(days=3)).isoformat())
    form.locator("#c-end").fill((today + datetime.timedelta(days=300)).isoformat())
    form.locator("#c-amount").fill("800000.00")
    form.locator("#c-summary").fill("开发光伏组件低温封装工艺。")
    form.locator("#c-ip").select_option("patent")
    form.locator("#c-field").select_option("06")
    form.locator("#c-objective").select_option("energy")
    form.locator("#c-point").select_option(str(cw.kunming_point.pk))
    form.locator("#b-name").fill("盘龙测试科技有限公司")
    form.locator("#b-type").select_option("enterprise")
    form.locator("#b-code").fill(cw.w.panlong_org.credit_code)
    form.locator("#b-region").fill("530103")
    form.locator("input[name=payments_0_due_on]").fill((today + datetime.timedelta(days=30)).isoformat())
    form.locator("input[name=payments_0_amount]").fill("800000.00")
    form.locator("select[name=amount_lines_0_kind]").select_option("equipment")
    form.locator("input[name=amount_lines_0_amount]").fill("100000.00")
    seller.get_by_test_id("submit-contract").click()
    seller.wait_for_url("**/contracts/*/")
    assert "submitted" in seller.get_by_test_id("status").first.get_attribute("class")

    reviewer = new_page()
    _sign_in(reviewer, base, cw.reviewer, "/contracts/queue/")
    queue = reviewer.get_by_test_id("queue-table")
    assert "浏览器填报的光伏封装技术开发合同" in queue.inner_text()
    queue.get_by_role("link", name="浏览器填报的光伏封装技术开发合同").click()
    reviewer.wait_for_url("**/contracts/*/")
    certify = reviewer.get_by_test_id("certify-form")
    # The seller's declared equipment line is pre-filled; the reviewer confirms the split.
    assert certify.locator("input[name=amount_lines_0_amount]").input_value() == "100000.00"
    reviewer.get_by_test_id("certify").click()
    reviewer.wait_for_load_state()
    number = reviewer.get_by_test_id("registration-number").inner_text().strip()
    assert number.startswith(f"{today.year % 100:02d}5301") and len(number) == 14
    assert reviewer.get_by_test_id("tech-amount").inner_text().strip() == "700,000.00"
    code = reviewer.get_by_test_id("verification-code").inner_text().strip()

    seller.reload()
    with seller.expect_download() as download:
        seller.get_by_test_id("certificate").click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"

    public = new_page()
    public.goto(f"{base}/contracts/verify/")
    public.fill("#v-number", number)
    public.fill("#v-code", code)
    public.get_by_test_id("verify-form").locator("button[type=submit]").click()
    public.wait_for_load_state()
    result = public.get_by_test_id("verify-result").inner_text()
    assert number in result and cw.kunming_point.name in result

    reviewer.goto(f"{base}/stats/?year={today.year}")
    assert reviewer.get_by_test_id("output-count").inner_text().strip() == "1"
    assert "700000" in reviewer.get_by_test_id("output-tech").inner_text().replace(",", "")
    assert "技术开发" in reviewer.get_by_test_id("table-category").inner_text()


def test_return_for_correction_and_resubmit(live_server, new_page, cw):  # noqa: F811
    """补正 in the browser: the reviewer returns a filing saying what to fix; the seller sees it, corrects the
    filing in the form and resubmits it; it is back in the reviewer's queue."""
    base = live_server.url
    contract = cw.submitted(name="需要补正的技术服务合同")
    reviewer = new_page()
    _sign_in(reviewer, base, cw.reviewer, f"/contracts/{contract.pk}/")
    form = reviewer.get_by_test_id("return-form")
    form.locator("#c-what").fill("请补充加盖买方公章的签署页")
    reviewer.get_by_test_id("return").click()
    reviewer.wait_for_load_state()
    assert "returned" in reviewer.get_by_test_id("status").first.get_attribute("class")

    seller = new_page()
    _sign_in(seller, base, cw.w.member, f"/contracts/{contract.pk}/")
    assert "请补充加盖买方公章的签署页" in seller.get_by_test_id("correction-request").inner_text()
    seller.get_by_test_id("edit-contract").click()
    seller.wait_for_url("**/edit/")
    seller.get_by_test_id("contract-form").locator("#c-summary").fill("补充签署页后的技术服务内容摘要。")
    seller.get_by_test_id("submit-contract").click()
    seller.wait_for_url(f"**/contracts/{contract.pk}/")
    assert "submitted" in seller.get_by_test_id("status").first.get_attribute("class")

    reviewer.goto(f"{base}/contracts/queue/")
    assert "需要补正的技术服务合同" in reviewer.get_by_test_id("queue-table").inner_text()
