"""Controlled dual-use information in the browser: the owner marks a published achievement controlled, an outsider
can no longer see it and applies through the link the owner shares, the secrecy officer approves, the outsider
sees it, and the officer finds the view in the log."""

import pytest

from techtransfer.accounts.models import Role
from techtransfer.catalog import services
from techtransfer.catalog.classified import AccessGrant, ControlledView
from techtransfer.catalog.models import Achievement, Status
from tests.browser.test_catalog_browser import sign_in
from tests.catalog.factories import achievement_data, advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "北斗抗干扰导航芯片（受控）"


def test_mark_apply_approve_see_and_log(live_server, new_page, world, make_user):
    base = live_server.url
    ach = advance(world, services.create_achievement(world.member, world.wuhua_org, achievement_data(title=TITLE)),
                  Status.PUBLISHED)
    officer = make_user("officer", Role.SECRECY_OFFICER, org=world.wuhua_org)
    outsider = make_user("outsider", Role.ORG_MEMBER, org=world.panlong_org)
    detail = f"{base}/catalog/achievements/{ach.pk}/"

    # 1. The outsider sees the public record; the owner raises it to controlled.
    out = new_page()
    sign_in(out, base, outsider)
    out.goto(detail)
    assert TITLE in out.content()
    owner = new_page()
    sign_in(owner, base, world.member)
    owner.goto(detail)
    owner.locator("[data-testid=marking] summary").first.click()
    owner.select_option("[data-testid=raise-level]", "controlled")
    owner.get_by_test_id("raise").click()
    owner.wait_for_load_state()
    assert Achievement.objects.get(pk=ach.pk).classification == "controlled"
    link = owner.get_by_test_id("apply-link").inner_text().strip()

    # 2. Gone for the outsider: not in the list, the page is a 404.
    out.goto(base + "/catalog/achievements/")
    assert TITLE not in out.content()
    response = out.goto(detail)
    assert response.status == 404 and TITLE not in out.content()

    # 3. The outsider applies through the owner's link.
    out.goto(link)
    out.fill("[data-testid=apply-purpose]", "评估民用转化可行性")
    out.get_by_test_id("apply-submit").click()
    out.wait_for_url("**/catalog/classified/mine/")
    grant = AccessGrant.objects.get(user=outsider)

    # 4. The secrecy officer approves it.
    off = new_page()
    sign_in(off, base, officer)
    off.goto(base + "/catalog/classified/grants/")
    off.get_by_test_id(f"grant-{grant.pk}").click()
    off.wait_for_url(f"**/catalog/classified/grants/{grant.pk}/")
    off.get_by_test_id("grant-approve").click()
    off.wait_for_load_state()
    assert AccessGrant.objects.get(pk=grant.pk).status == "approved"

    # 5. The outsider sees it; the view is logged and the officer finds it in the log.
    response = out.goto(detail)
    assert response.status == 200 and TITLE in out.content()
    assert ControlledView.objects.filter(user=outsider, achievement=ach, channel="page").count() == 1
    off.goto(base + "/catalog/classified/views/")
    log = off.get_by_test_id("view-log").inner_text()
    assert "outsider" in log and TITLE in log
