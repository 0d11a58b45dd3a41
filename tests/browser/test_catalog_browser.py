"""Publishing an achievement end to end in the browser: a member drafts and submits it, the organization
administrator approves it, the county administrator publishes it, and a visitor finds it on the browse page."""

import re

import pytest

from techtransfer.catalog.models import Achievement, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2026"
TITLE = "高原冷链果蔬气调保鲜装置"


def sign_in(page, base, user):
    user.set_password(PASSWORD)
    user.save()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()


def test_publish_an_achievement_end_to_end(live_server, new_page, world):
    base = live_server.url

    # 1. The member drafts: a wrong IPC code is shown beside its field, then corrected.
    page = new_page()
    sign_in(page, base, world.member)
    page.goto(base + "/catalog/achievements/")
    page.get_by_test_id("new-achievement").click()
    page.wait_for_url("**/catalog/achievements/new/")
    page.select_option("#id_owner", str(world.wuhua_org.pk))
    page.fill("#id_title", TITLE)
    page.fill("#id_abstract", "适用于高原长途运输的果蔬气调保鲜装置，降低损耗。")
    page.select_option("#id_tech_field", "09")
    page.fill("#id_trl", "6")
    page.locator("input[name=transfer_modes][value=transfer]").check()
    page.fill("#id_asking_price", "380000")
    page.fill("#id_ipc_codes", "not an ipc")
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert page.locator("#err-ipc_codes").is_visible()
    assert Achievement.objects.count() == 0
    page.fill("#id_ipc_codes", "A23B 7/148")
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r".*/catalog/achievements/\d+/$"))
    ach = Achievement.objects.get(title=TITLE)
    assert ach.status == Status.DRAFT
    page.get_by_test_id("do-submit").click()
    page.wait_for_load_state()
    assert Achievement.objects.get(pk=ach.pk).status == Status.SUBMITTED

    # 2. The organization administrator approves it from the review queue.
    admin = new_page()
    sign_in(admin, base, world.org_admin)
    admin.goto(base + "/catalog/review/")
    admin.get_by_test_id(f"approve-{ach.pk}").click()
    admin.wait_for_load_state()
    assert Achievement.objects.get(pk=ach.pk).status == Status.ORG_REVIEWED

    # Not yet public.
    visitor = new_page()
    visitor.goto(base + "/catalog/achievements/")
    assert TITLE not in visitor.content()

    # 3. The county administrator (platform reviewer of the region) publishes it.
    reviewer = new_page()
    sign_in(reviewer, base, world.wuhua_admin)
    reviewer.goto(base + "/catalog/review/")
    reviewer.get_by_test_id(f"approve-{ach.pk}").click()
    reviewer.wait_for_load_state()
    assert Achievement.objects.get(pk=ach.pk).status == Status.PUBLISHED

    # 4. A visitor finds it by browsing with facets and opens it.
    visitor.goto(base + "/catalog/achievements/?tech_field=09&mode=transfer")
    table = visitor.get_by_test_id("achievement-table")
    assert TITLE in table.inner_text()
    table.get_by_text(TITLE).click()
    visitor.wait_for_url(f"**/catalog/achievements/{ach.pk}/")
    assert TITLE in visitor.get_by_test_id("record-title").inner_text()
