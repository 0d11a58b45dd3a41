"""The evaluation in the browser: the city administrator opens a round, computes the scores, recognises the best
institution and warns another with reasons; the ranking shows the decisions and the institution's level is set."""

import pytest

from techtransfer.evaluation.models import Evaluation
from tests.browser.test_contracts_browser import _sign_in
from tests.evaluation.conftest import ew  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_opens_computes_and_decides(live_server, new_page, ew):  # noqa: F811
    base = live_server.url
    page = new_page()
    _sign_in(page, base, ew.admin, "/evaluation/")
    form = page.get_by_test_id("open-form")
    form.locator("#o-region").fill("530100")
    form.locator("#o-year").fill(str(ew.year))
    form.locator("#o-name").fill("浏览器评价")
    page.get_by_test_id("open-round").click()
    page.wait_for_load_state()
    page.get_by_test_id("round-link").filter(has_text="浏览器评价").click()
    page.wait_for_url("**/evaluation/rounds/*/")
    page.get_by_test_id("compute").click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("evaluation-row")
    assert rows.count() == 3
    first = rows.nth(0)
    assert first.get_by_test_id("rank").inner_text().strip() == "1"
    assert first.get_attribute("data-org") == str(ew.a.pk)
    first.locator("select[name=decision]").select_option("recognise")
    first.locator("select[name=level]").select_option("provincial")
    first.get_by_test_id("decide").click()
    page.wait_for_load_state()
    second = page.locator(f'[data-testid="evaluation-row"][data-org="{ew.b.pk}"]')
    second.locator("select[name=decision]").select_option("warn")
    second.locator("input[name=reasons]").fill("促成合同偏少，限期整改")
    second.get_by_test_id("decide").click()
    page.wait_for_load_state()
    assert (
        page.locator(f'[data-testid="evaluation-row"][data-org="{ew.a.pk}"]').get_attribute("data-status") == "decided"
    )
    assert (
        "促成合同偏少"
        in page.locator(f'[data-testid="evaluation-row"][data-org="{ew.b.pk}"]').get_by_test_id("decision").inner_text()
    )
    ew.a.refresh_from_db()
    assert ew.a.demo_level == "provincial"
    assert Evaluation.objects.get(organization=ew.b).decision == "warn"
