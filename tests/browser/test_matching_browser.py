"""From the home search box to a demand, its recommendation page, a recommended achievement (with its
explanation), then back to open a case for it."""

import importlib.util

import pytest

from techtransfer.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_index(settings, tmp_path):
    from techtransfer.matching import indexing

    settings.MATCHING_INDEX_DIR = tmp_path / "index"
    indexing.reset()
    yield
    indexing.reset()


@pytest.mark.skipif(importlib.util.find_spec("techtransfer.matching.services") is None,
                    reason="the matching engine (matching/services.py) has not landed")
def test_recommendation_to_achievement_to_case(live_server, new_page, world, make_user, own_index):
    from techtransfer.catalog import services as catalog
    from techtransfer.catalog.models import Status
    from techtransfer.matching.models import CaseStatus, MatchCase
    from tests.catalog.factories import achievement_data, advance, demand_data

    demand = advance(world, catalog.create_demand(world.member, world.wuhua_org, demand_data(
        title="锂电池正极材料需求", problem="需要高安全锂离子电池正极材料", tech_field_id="05")), Status.PUBLISHED)
    ach = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data()),
                  Status.PUBLISHED)
    user = make_user("demandowner", Role.ORG_MEMBER, org=world.wuhua_org)
    user.set_password("Browser-Test-2026")
    user.save()

    page = new_page("en")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "demandowner")
    page.fill("#id_password", "Browser-Test-2026")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()

    # The home page's search box finds the demand; its page links to the recommendations.
    page.goto(live_server.url + "/")
    page.fill("form.searchbox input[name=q]", "锂电池正极材料需求")
    page.press("form.searchbox input[name=q]", "Enter")
    page.wait_for_url("**/matching/?q=*")
    page.locator(f"li.hit[data-kind='demand'] a:has-text('{demand.title}')").first.click()
    page.wait_for_load_state()
    page.locator(f"a[href='/matching/demand/{demand.pk}/']").click()
    page.wait_for_url(f"**/matching/demand/{demand.pk}/")
    rec_url = page.url
    item = page.locator(f"li.hit[data-kind='achievement'][data-id='{ach.pk}']")
    why = item.locator("ul.why").inner_text()
    assert "Same technical field" in why and "Matched terms" in why
    assert item.locator("mark").count() >= 1
    hit = item.locator(f"a:has-text('{ach.title}')").first
    hit.click()
    page.wait_for_load_state()
    assert ach.title in page.content()

    page.goto(rec_url)
    page.locator(f"button[data-open-case='{ach.pk}']").click()
    page.wait_for_url("**/matching/cases/*/")
    case = MatchCase.objects.get(demand=demand, achievement=ach)
    assert case.status == CaseStatus.CONTACTED
    assert "Contacted" in page.locator("#case-status").inner_text()
