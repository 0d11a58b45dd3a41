"""Open exchange in the browser: a platform administrator reads this instance's identity (instance id, key id),
registers a peer platform through the form — a fake platform serving a signed feed on a local port, so that "pull
now" really pulls — pulls it, sees the run succeed with its counts, finds the pulled record among the network
records with its provenance, opens it, and finds it again in the search restricted to the network. Visitors do not
reach the peer pages."""

import re

import pytest

from techtransfer.exchange.models import FederatedRecord, Peer, PullRun
from techtransfer.exchange.services import keys
from tests.browser.test_contracts_browser import _sign_in
from tests.exchange.pullkit import FakePeer, Server, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEER_NAME = "重庆技术市场"
TITLE = "磁悬浮轴承高速电机技术"


@pytest.fixture
def fake_platform():
    """A peer platform with a published achievement and demand, serving its signed feed one item a page."""
    peer = FakePeer(instance="cq-test")
    peer.put(record("cq-test", "achievement", 7, TITLE, abstract="用于风机与压缩机的磁悬浮轴承高速电机。"))
    peer.put(record("cq-test", "demand", 3, "高原果蔬冷链保鲜需求", problem="需要低能耗的冷链保鲜方案。"))
    with Server(peer, page_limit=1) as url:
        yield peer, url


def test_register_pull_and_find_a_peer_record(live_server, new_page, world, fake_platform, isolated_index):
    peer_feed, peer_url = fake_platform
    base = live_server.url
    admin = new_page("en")
    _sign_in(admin, base, world.platform_admin, "/exchange/")

    # This instance's identity in the network.
    identity = admin.get_by_test_id("exchange-identity")
    identity.wait_for()
    me = keys.identity()
    assert admin.get_by_test_id("instance-id").inner_text().strip() == me.instance_id
    assert admin.get_by_test_id("key-id").inner_text().strip() == me.key_id
    assert admin.get_by_test_id("public-key").inner_text().strip() == me.public_key

    # The peers page: none yet; register one through the form.
    admin.goto(f"{base}/exchange/peers/")
    assert admin.locator("p.empty").is_visible()
    admin.locator("a[href='/exchange/peers/new/']").first.click()
    admin.wait_for_url("**/exchange/peers/new/")
    form = admin.get_by_test_id("peer-form")
    form.locator("input[name=name]").fill(PEER_NAME)
    form.locator("input[name=base_url]").fill(peer_url)
    form.locator("input[name=instance_id]").fill(peer_feed.instance)
    form.locator("input[name=public_key]").fill(peer_feed.public)
    form.locator("button[type=submit]").click()
    admin.wait_for_url("**/exchange/peers/*/")
    peer = Peer.objects.get(instance_id="cq-test")
    assert admin.url.endswith(f"/exchange/peers/{peer.pk}/")
    assert (peer.name, peer.base_url, peer.public_key, peer.created_by) == (
        PEER_NAME,
        peer_url,
        peer_feed.public,
        world.platform_admin,
    )
    assert admin.locator("p.empty", has_text="Not pulled yet.").is_visible()

    # Pull now: the run succeeds, with its counts.
    admin.get_by_test_id("pull-now").click()
    admin.wait_for_url(f"**/exchange/peers/{peer.pk}/")
    admin.get_by_test_id("runs").wait_for()
    assert "2 new" in admin.locator("ul.messages li.success").inner_text()
    run = PullRun.objects.get(peer=peer)
    assert run.ok and run.created == 2 and run.pages >= 2
    cells = [c.strip() for c in admin.get_by_test_id("runs").locator("tbody tr").first.locator("td").all_inner_texts()]
    assert cells[1:7] == ["OK", str(run.pages), "2", "0", "0", "0"]
    assert admin.get_by_test_id("last-status").get_attribute("class") == "status-ok"
    assert any(r.startswith("/api/v1/exchange/feed") for r in peer_feed.requests)

    # The network records list shows it with its provenance; its page says where it comes from.
    rec = FederatedRecord.objects.get(global_id="cq-test/achievement/7")
    admin.goto(f"{base}/exchange/records/")
    row = admin.get_by_test_id("records").locator(f"tr[data-record='{rec.pk}']")
    assert TITLE in row.inner_text() and PEER_NAME in row.locator("td.provenance").inner_text()
    assert admin.get_by_test_id("records").locator("tbody tr").count() == 2
    row.get_by_role("link", name=TITLE).click()
    admin.wait_for_url(f"**/exchange/records/{rec.pk}/")
    assert admin.locator("h1").inner_text().strip() == TITLE
    provenance = admin.get_by_test_id("provenance").inner_text()
    assert PEER_NAME in provenance and "cq-test" in provenance and "cq-test/achievement/7" in provenance

    # The search, restricted to the network, finds it with its source; restricted to this platform, it does not.
    admin.goto(f"{base}/search/?q={TITLE}")
    admin.wait_for_url("**/matching/**")
    admin.locator("#s-source").select_option("network")
    admin.locator("form.search button[type=submit]").click()
    admin.wait_for_url("**source=network**")
    hit = admin.locator(f"li.hit[data-kind='network_achievement'][data-id='{rec.pk}']")
    hit.wait_for()
    assert PEER_NAME in hit.locator("small.provenance").inner_text()
    assert admin.locator("li.hit:not([data-kind^='network'])").count() == 0
    hit.get_by_role("link", name=TITLE).click()
    admin.wait_for_url(f"**/exchange/records/{rec.pk}/")
    admin.goto(f"{base}/search/?q={TITLE}&source=local")
    admin.wait_for_url("**source=local**")
    admin.locator("li.hit, p.empty").first.wait_for()
    assert admin.locator("li.hit[data-kind^='network']").count() == 0


def test_visitors_do_not_reach_the_peer_pages(live_server, new_page, world):
    base = live_server.url
    anonymous = new_page("en")
    anonymous.goto(f"{base}/exchange/peers/")
    anonymous.wait_for_url(re.compile(r"/accounts/login/\?next=/exchange/peers/$"))
    assert anonymous.locator("#id_username").is_visible()

    visitor = new_page("en")
    _sign_in(visitor, base, world.visitor, "/")
    response = visitor.goto(f"{base}/exchange/peers/")
    assert response.status == 403
    response = visitor.goto(f"{base}/exchange/peers/new/")
    assert response.status == 403
    # The network records themselves are public.
    assert visitor.goto(f"{base}/exchange/records/").status == 200
