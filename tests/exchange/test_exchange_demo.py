"""The exchange demo part: this platform's feed built from the demo records, and the demo peer's records taken
through the checks of a pull — provenance, the duplicate link to a local demo achievement, found by the search."""

import pytest

from techtransfer.catalog.models import Achievement
from techtransfer.demo.services import load_demo
from techtransfer.exchange import demo
from techtransfer.exchange.models import FederatedRecord, FeedEntry, Peer
from techtransfer.exchange.services import feed
from techtransfer.matching import services as matching

pytestmark = pytest.mark.django_db


def test_demo_feed_and_peer(isolated_index):
    load_demo()
    public = Achievement.objects.filter(Achievement.public_q(), is_demo=True)
    assert FeedEntry.objects.filter(kind="achievement", deleted=False).count() == public.count() > 0
    assert (
        not FeedEntry.objects.filter(
            kind="achievement",
            local_id__in=[
                str(pk) for pk in Achievement.objects.exclude(Achievement.public_q()).values_list("pk", flat=True)
            ],
        )
        .filter(deleted=False)
        .exists()
    )
    peer = Peer.objects.get(instance_id=demo.PEER_ID)
    assert peer.is_demo and not peer.enabled and peer.last_status == "ok"
    records = FederatedRecord.objects.filter(peer=peer)
    assert records.count() == len(demo.RECORDS) + 1 and all(r.is_demo for r in records)
    duplicate = records.get(global_id=f"{demo.PEER_ID}/achievement/a199")
    local = Achievement.objects.get(pk=duplicate.duplicate_of_local_id)
    assert duplicate.duplicate_of_kind == "achievement" and local.title == duplicate.title
    page = matching.search(None, "一体化压铸", kinds=None)
    hits = [h for h in page.hits if h.kind == "network_achievement"]
    assert hits and "汽车铝合金" in hits[0].title
    # loading again changes nothing
    assert demo.load(lambda _m: None) == 0 and records.count() == len(demo.RECORDS) + 1
    assert feed.rebuild() == 0
