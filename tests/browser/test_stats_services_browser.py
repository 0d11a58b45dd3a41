"""Service-industry statistics in the browser: the institution's administrator files its yearly return on the
page, the city administrator then finds the institution's figures in the region's table; a member of another
county's administration does not see the return."""

import pytest
from playwright.sync_api import expect

from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.stats.test_service_industry import YEAR, svc  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(new_page, live_server, username: str):
    page = new_page("en")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-9")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    return page


def test_an_institution_files_its_return_and_the_city_sees_it(live_server, new_page, svc):  # noqa: F811
    url = f"{live_server.url}/stats/services/{svc.inst.pk}/{YEAR}/"
    admin = sign_in(new_page, live_server, "inst_admin")
    admin.goto(url)
    form = admin.get_by_test_id("service-return-form")
    form.locator("#r-staff").fill("6")
    form.locator("#r-services").fill("14")
    form.locator("#r-income").fill("¥320,000")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state()

    city = sign_in(new_page, live_server, "kunming_admin")
    city.goto(f"{live_server.url}/stats/services/?region=530100&year={YEAR}")
    row = city.get_by_test_id("service-table").locator("tr", has_text=svc.inst.name)
    expect(row).to_contain_text("6")
    expect(row).to_contain_text("14")
    expect(row).to_contain_text("320,000.00")
    expect(row.locator("a")).to_have_text("filed")  # not "not filed"

    other = sign_in(new_page, live_server, "panlong_admin")
    response = other.goto(url)
    assert response.status == 404
