"""Annual reports in the browser: the university's administrator starts the report, sees the platform's registered
figure beside a field, fills the form, is told to explain a difference, explains and submits; the supervising
department returns it with a comment; the university corrects and resubmits; the department accepts; the province's
administrator finds it in the summary through the navigation and exports the Excel workbook."""

import io

import openpyxl
import pytest

from techtransfer.reports.models import AnnualReport
from tests.browser.test_contracts_browser import _sign_in
from tests.reports.conftest import complete_values, rw  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_return_correct_and_accept(live_server, new_page, rw):  # noqa: F811
    base = live_server.url
    uni = new_page()
    _sign_in(uni, base, rw.uni_admin, "/reports/")
    uni.get_by_test_id("start-report").click()
    uni.wait_for_url("**/reports/*/edit/")
    form = uni.get_by_test_id("report-form")
    registered = form.get_by_test_id("registered-development_count")
    assert registered.get_attribute("data-value") == "2" and "2" in registered.inner_text()

    for key, value in complete_values(development_count="3").items():
        form.locator(f"#v-{key}").fill(value)
    uni.get_by_test_id("submit").click()
    uni.wait_for_load_state()
    assert uni.get_by_test_id("form-error").get_attribute("data-code") == "needs_explanation"
    assert uni.get_by_test_id("field-error-development_count").is_visible()
    uni.locator("#x-development_count").fill("一项横向技术开发合同尚未办理认定登记。")
    uni.get_by_test_id("submit").click()
    uni.wait_for_url("**/reports/*/")
    assert uni.get_by_test_id("report-status").get_attribute("data-status") == "submitted"
    report = AnnualReport.objects.get(organization=rw.uni, year=rw.year)
    assert report.values["development_count"] == 3 and report.explanations["development_count"]

    dept = new_page()
    _sign_in(dept, base, rw.dept_admin, "/reports/")
    dept.get_by_test_id("review-queue").get_by_test_id("report-link").first.click()
    dept.wait_for_url(f"**/reports/{report.pk}/")
    assert dept.get_by_test_id("declared-development_count").inner_text().strip() == "3"
    assert dept.get_by_test_id("registered-development_count").inner_text().strip() == "2"
    dept.locator("#r-comment").fill("奖励人次与分配明细不一致，请核对。")
    dept.get_by_test_id("return").click()
    dept.wait_for_load_state()
    assert dept.get_by_test_id("report-status").get_attribute("data-status") == "returned"

    uni.goto(f"{base}/reports/{report.pk}/")
    assert "奖励人次与分配明细不一致" in uni.get_by_test_id("review-comment").inner_text()
    uni.get_by_test_id("edit-report").click()
    uni.wait_for_url("**/reports/*/edit/")
    assert "奖励人次与分配明细不一致" in uni.get_by_test_id("return-comment").inner_text()
    uni.locator("#v-reward_persons").fill("8")
    uni.get_by_test_id("submit").click()
    uni.wait_for_url(f"**/reports/{report.pk}/")
    assert uni.get_by_test_id("report-status").get_attribute("data-status") == "submitted"

    dept.reload()
    dept.locator("#a-comment").fill("同意报送。")
    dept.get_by_test_id("accept").click()
    dept.wait_for_load_state()
    assert dept.get_by_test_id("report-status").get_attribute("data-status") == "accepted"
    history = dept.get_by_test_id("history").inner_text()
    assert "奖励人次与分配明细不一致" in history and "同意报送。" in history
    report.refresh_from_db()
    assert report.status == "accepted" and report.values["reward_persons"] == 8

    province = new_page()
    _sign_in(province, base, rw.province_admin, "/")
    province.get_by_test_id("nav-reports").click()
    province.get_by_test_id("subnav-summary").click()
    province.wait_for_url("**/reports/summary/**")
    assert province.get_by_test_id("accepted").inner_text().strip() == "1"
    development = province.get_by_test_id("by-mode").locator('tr[data-mode="development"]')
    assert development.locator("td").nth(1).inner_text().strip() == "3"
    with province.expect_download() as download:
        province.get_by_test_id("export-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert len(book.sheetnames) >= 7  # a sheet per section of the template, and the summary
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert rw.uni.name in cells
