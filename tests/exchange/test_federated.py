"""Federated records: duplicates linked (patent number, title + owner credit code), pages with provenance,
search beside local records with the source filter, withdrawn ones gone."""

from __future__ import annotations

import pytest

from techtransfer.catalog import services as catalog
from techtransfer.catalog.models import IPItem, Status
from techtransfer.exchange.models import FederatedRecord
from techtransfer.exchange.services import federated, pull
from techtransfer.matching import services as matching
from tests.catalog.factories import achievement_data, advance
from tests.exchange.pullkit import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _index(isolated_index):
    return isolated_index


def _pull(peer, capture):
    with capture(execute=True):
        run = pull.pull(peer)
    assert run.ok, run.message
    return run


def _local(world, capture, **extra):
    with capture(execute=True):
        return advance(
            world,
            catalog.create_achievement(world.member, world.wuhua_org, achievement_data(**extra)),
            Status.PUBLISHED,
        )


def test_normalisation():
    assert (
        federated.normalize_patent("ZL 2021 1 0123456.7")
        == federated.normalize_patent("CN202110123456.7")
        == federated.normalize_patent("２０２１１０１２３４５６.７")
        == "2021101234567"
    )
    assert federated.normalize_title(" 高安全 锂离子电池，正极材料 ") == federated.normalize_title(
        "高安全锂离子电池正极材料"
    )


def test_same_patent_number_links_to_the_local_achievement(world, fake_peer, peer, django_capture_on_commit_callbacks):
    ach = _local(world, django_capture_on_commit_callbacks, title="本地成果")
    IPItem.objects.create(achievement=ach, kind="invention", title="专利", number="ZL202110123456.7")
    fake_peer.put(record("cq-test", "achievement", 1, "完全不同的标题", patents=["CN 202110123456.7"]))
    fake_peer.put(record("cq-test", "achievement", 2, "另一个成果", patents=["CN202110999999.1"]))
    _pull(peer, django_capture_on_commit_callbacks)
    dup = FederatedRecord.objects.get(global_id="cq-test/achievement/1")
    assert (dup.duplicate_of_kind, dup.duplicate_of_local_id) == ("achievement", ach.pk)
    other = FederatedRecord.objects.get(global_id="cq-test/achievement/2")
    assert other.duplicate_of_local_id is None
    # Shown once: the duplicate is neither listed nor found; the local one is.
    assert list(FederatedRecord.objects.filter(federated.shown_q())) == [other]
    hits = matching.search(world.visitor, "完全不同的标题").hits
    assert [(h.kind, h.id) for h in hits if h.kind.startswith("network")] == []
    # The local record says where else it is published.
    local = [h for h in matching.search(world.visitor, "本地成果").hits if h.kind == "achievement"]
    assert [(h.id, h.note) for h in local] == [(ach.pk, "also on: 重庆技术市场")]


def test_same_title_and_credit_code_links_to_the_local_record(
    world, fake_peer, peer, django_capture_on_commit_callbacks
):
    ach = _local(world, django_capture_on_commit_callbacks, title="高安全锂离子电池正极材料")
    fake_peer.put(
        record("cq-test", "achievement", 1, "高安全 锂离子电池正极材料", credit_code=world.wuhua_org.credit_code)
    )
    fake_peer.put(record("cq-test", "achievement", 2, "高安全锂离子电池正极材料", credit_code="91500000000000000X"))
    _pull(peer, django_capture_on_commit_callbacks)
    assert FederatedRecord.objects.get(global_id="cq-test/achievement/1").duplicate_of_local_id == ach.pk
    assert FederatedRecord.objects.get(global_id="cq-test/achievement/2").duplicate_of_local_id is None


def test_same_patent_on_two_peers_links_to_the_earlier_federated_record(
    world, fake_peer, peer, django_capture_on_commit_callbacks
):
    from techtransfer.exchange.models import Peer
    from tests.exchange.pullkit import FakePeer, Server

    fake_peer.put(record("cq-test", "achievement", 1, "成果甲", patents=["ZL202210000001.1"]))
    _pull(peer, django_capture_on_commit_callbacks)
    second = FakePeer(instance="sc-test")
    second.put(record("sc-test", "achievement", 9, "成果甲（四川）", patents=["202210000001.1"]))
    with Server(second) as url:
        other = Peer.objects.create(name="四川平台", base_url=url, instance_id="sc-test", public_key=second.public)
        _pull(other, django_capture_on_commit_callbacks)
    first = FederatedRecord.objects.get(global_id="cq-test/achievement/1")
    dup = FederatedRecord.objects.get(global_id="sc-test/achievement/9")
    assert dup.duplicate_of == first
    # The first withdrawn: the second is a record in its own right again.
    fake_peer.withdraw("cq-test/achievement/1")
    _pull(peer, django_capture_on_commit_callbacks)
    dup.refresh_from_db()
    assert dup.duplicate_of is None and not dup.withdrawn


def test_search_finds_federated_records_with_provenance_and_the_source_filter(
    world, fake_peer, peer, client_for, django_capture_on_commit_callbacks
):
    _local(world, django_capture_on_commit_callbacks, title="磁悬浮轴承本地成果", keywords=["磁悬浮"])
    fake_peer.put(record("cq-test", "achievement", 1, "磁悬浮轴承网络成果", abstract="用于风机的磁悬浮轴承"))
    _pull(peer, django_capture_on_commit_callbacks)
    rec = FederatedRecord.objects.get()
    both = matching.search(world.visitor, "磁悬浮轴承")
    kinds = {h.kind for h in both.hits}
    assert {"achievement", "network_achievement"} <= kinds
    hit = next(h for h in both.hits if h.kind == "network_achievement")
    assert hit.id == rec.pk and hit.provenance == "重庆技术市场" and hit.url == f"/exchange/records/{rec.pk}/"
    assert "network_achievement" not in {
        h.kind for h in matching.search(world.visitor, "磁悬浮轴承", kinds=matching.source_kinds("local")).hits
    }
    assert {
        h.kind for h in matching.search(world.visitor, "磁悬浮轴承", kinds=matching.source_kinds("network")).hits
    } == {"network_achievement"}
    # The API and the page.
    api = client_for().get("/api/v1/matching/search", {"q": "磁悬浮轴承", "source": "network"}).json()
    assert [(h["kind"], h["provenance"]) for h in api["hits"]] == [("network_achievement", "重庆技术市场")]
    local = client_for().get("/api/v1/matching/search", {"q": "磁悬浮轴承", "source": "local"}).json()
    assert "achievement" in [h["kind"] for h in local["hits"]]
    assert "network_achievement" not in [h["kind"] for h in local["hits"]]
    assert client_for().get("/api/v1/matching/search", {"q": "x", "source": "elsewhere"}).status_code == 400
    page = client_for().get("/search/", {"q": "磁悬浮轴承", "source": "network"})
    if page.status_code == 302:
        page = client_for().get(page["Location"])
    html = page.content.decode()
    assert "磁悬浮轴承网络成果" in html and "重庆技术市场" in html and "磁悬浮轴承本地成果" not in html
    # Withdrawn on the peer: gone from search.
    fake_peer.withdraw("cq-test/achievement/1")
    _pull(peer, django_capture_on_commit_callbacks)
    assert "network_achievement" not in {h.kind for h in matching.search(world.visitor, "磁悬浮轴承").hits}


def test_index_rebuild_includes_federated_records(world, fake_peer, peer, django_capture_on_commit_callbacks):
    from techtransfer.matching import indexing

    fake_peer.put(record("cq-test", "demand", 1, "高原果蔬冷链保鲜需求"))
    _pull(peer, django_capture_on_commit_callbacks)
    result = indexing.rebuild(semantic=False)
    assert result["by_kind"]["network_demand"] == 1
    hits = matching.search(world.visitor, "冷链保鲜").hits
    assert [h.kind for h in hits] == ["network_demand"]


def test_record_pages_show_provenance_and_hide_withdrawn(
    world, fake_peer, peer, client_for, django_capture_on_commit_callbacks
):
    fake_peer.put(record("cq-test", "achievement", 1, "网络成果一", abstract="摘要内容", trl=6))
    fake_peer.put(record("cq-test", "demand", 2, "网络需求二", region="500105"))
    _pull(peer, django_capture_on_commit_callbacks)
    ach = FederatedRecord.objects.get(kind="achievement")
    html = client_for().get("/exchange/records/").content.decode()
    assert "网络成果一" in html and "网络需求二" in html and "重庆技术市场" in html
    html = client_for().get("/exchange/records/", {"kind": "demand"}).content.decode()
    assert "网络需求二" in html and "网络成果一" not in html
    html = client_for().get("/exchange/records/", {"region": "500105"}).content.decode()
    assert "网络需求二" in html and "网络成果一" not in html
    assert client_for().get("/exchange/records/", {"peer": peer.pk + 1}).content.decode().count("data-record") == 0
    detail = client_for().get(f"/exchange/records/{ach.pk}/").content.decode()
    assert (
        "摘要内容" in detail
        and "cq-test/achievement/1" in detail
        and "https://cq-test.example.cn/achievements/1/" in detail
    )
    api = client_for().get("/api/v1/exchange/records").json()
    assert {r["title"] for r in api["items"]} == {"网络成果一", "网络需求二"} and api["items"][0][
        "peer"
    ] == "重庆技术市场"
    fake_peer.withdraw("cq-test/achievement/1")
    _pull(peer, django_capture_on_commit_callbacks)
    assert client_for().get(f"/exchange/records/{ach.pk}/").status_code == 404
    assert client_for(world.visitor).get(f"/api/v1/exchange/records/{ach.pk}").status_code == 404
    assert "网络成果一" not in client_for().get("/exchange/records/").content.decode()
    assert client_for(world.platform_admin).get(f"/exchange/records/{ach.pk}/").status_code == 200
