import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_language_and_open_directory(live_server, new_page, world):
    world.wuhua_admin.set_password("Browser-Test-2026")
    world.wuhua_admin.save()
    page = new_page()
    page.goto(live_server.url + "/")
    # zh-Hans is the default language.
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.get_by_test_id("signin").click()
    page.fill("#id_username", "wuhua_admin")
    page.fill("#id_password", "Browser-Test-2026")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".account").inner_text().find("wuhua_admin") >= 0

    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Organizations" in page.locator("nav.mainnav").inner_text()

    page.locator("nav.mainnav a[href='/organizations/']").click()
    page.wait_for_url("**/organizations/")
    table = page.get_by_test_id("org-table")
    text = table.inner_text()
    # A county administrator sees its county's pending organization and the verified ones elsewhere,
    # but not another county's pending organization.
    assert "五华待审机构" in text
    assert "盘龙测试科技有限公司" in text
    assert "盘龙待审机构" not in text

    page.get_by_test_id("lang-zh").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
