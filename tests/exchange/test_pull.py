"""Pulling a peer's signed feed: verified pages applied in order, failures change nothing and are reported,
re-runs are idempotent, tombstones withdraw."""

from __future__ import annotations

import pytest

from techtransfer.exchange.models import FederatedRecord, PeerStatus, PullRun
from techtransfer.exchange.services import pull
from techtransfer.notifications.models import Notification
from tests.exchange.pullkit import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _fill(fake_peer, n=5):
    return [
        fake_peer.put(
            record(
                "cq-test",
                "achievement",
                i,
                f"成果{i}",
                title_en=f"Result {i}",
                patents=[f"ZL20211012345{i}.{i}"],
                abstract=f"摘要{i}",
            )
        )
        for i in range(1, n + 1)
    ]


def test_pull_stores_every_page_with_provenance_and_moves_the_cursor(fake_peer, peer):
    _fill(fake_peer, 5)
    run = pull.pull(peer)
    assert run.ok, run.message
    assert run.pages == 3 and run.created == 5 and run.cursor_to == "5"  # pages of 2, 2 and 1
    peer.refresh_from_db()
    assert peer.cursor == "5" and peer.last_status == PeerStatus.OK
    rec = FederatedRecord.objects.get(global_id="cq-test/achievement/3")
    assert rec.peer == peer and rec.title == "成果3" and rec.title_en == "Result 3"
    assert rec.region_code == "500103" and rec.tech_field_code == "05" and rec.owner_name == "重庆测试科技有限公司"
    assert rec.patent_numbers == ["2021101234533"]  # normalised: no ZL, no dot
    assert rec.source_url == "https://cq-test.example.cn/achievements/3/" and rec.data["abstract"]["zh-Hans"] == "摘要3"
    assert [r.split("since=")[1].split("&")[0] for r in fake_peer.requests] == ["0", "2", "4"]


def test_rerun_is_idempotent_and_picks_up_only_changes(fake_peer, peer):
    _fill(fake_peer, 3)
    pull.pull(peer)
    before = list(FederatedRecord.objects.values_list("global_id", "seq", "title", "updated_at").order_by("pk"))
    again = pull.pull(peer)
    assert again.ok and again.created == again.updated == 0
    assert list(FederatedRecord.objects.values_list("global_id", "seq", "title", "updated_at").order_by("pk")) == before
    # The same pages again (cursor reset) change nothing either: every seq is not newer than the stored one.
    peer.cursor = ""
    peer.save()
    third = pull.pull(peer)
    assert third.ok and third.created == third.updated == 0 and third.unchanged == 3
    assert list(FederatedRecord.objects.values_list("global_id", "seq", "title", "updated_at").order_by("pk")) == before
    # A change on the peer is an update.
    fake_peer.put(record("cq-test", "achievement", 2, "成果2（修订）"))
    fourth = pull.pull(peer)
    assert (
        fourth.updated == 1 and FederatedRecord.objects.get(global_id="cq-test/achievement/2").title == "成果2（修订）"
    )
    assert FederatedRecord.objects.count() == 3


def test_tombstone_withdraws(fake_peer, peer):
    _fill(fake_peer, 2)
    pull.pull(peer)
    fake_peer.withdraw("cq-test/achievement/1")
    run = pull.pull(peer)
    assert run.ok and run.withdrawn == 1
    assert FederatedRecord.objects.get(global_id="cq-test/achievement/1").withdrawn
    assert not FederatedRecord.objects.get(global_id="cq-test/achievement/2").withdrawn
    # Published again: back.
    fake_peer.put(record("cq-test", "achievement", 1, "成果1"))
    pull.pull(peer)
    assert not FederatedRecord.objects.get(global_id="cq-test/achievement/1").withdrawn


def test_kinds_not_taken_are_skipped_but_the_cursor_moves(fake_peer, peer):
    fake_peer.put(record("cq-test", "achievement", 1, "成果"))
    fake_peer.put(record("cq-test", "demand", 1, "需求"))
    peer.kinds = ["demand"]
    peer.save()
    run = pull.pull(peer)
    assert run.ok and list(FederatedRecord.objects.values_list("kind", flat=True)) == ["demand"]
    peer.refresh_from_db()
    assert peer.cursor == "2"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("tamper", "signature"),
        ("forged", "signed with key"),
        ("malformed", "format"),
        ("500", "HTTP 500"),
        ("notjson", "not JSON"),
        ("wrong_instance", "yn-other"),
        ("foreign_id", "not a record of cq-test"),
    ],
)
def test_a_bad_page_changes_nothing_and_is_reported(fake_peer, peer, world, mode, message):
    _fill(fake_peer, 3)
    fake_peer.mode = mode
    run = pull.pull(peer)
    assert not run.ok and message in run.message, run.message
    assert FederatedRecord.objects.count() == 0
    peer.refresh_from_db()
    assert peer.cursor == "" and peer.last_status == PeerStatus.FAILED and message in peer.last_message
    assert Notification.objects.filter(user=world.platform_admin, title__contains="重庆技术市场").count() == 1
    assert not Notification.objects.filter(user=world.visitor).exists()


def test_a_failure_after_good_pages_keeps_them_and_stops(fake_peer, peer):
    _fill(fake_peer, 4)
    run = pull.pull(peer, max_pages=1)
    assert run.ok and FederatedRecord.objects.count() == 2
    fake_peer.mode = "tamper"
    bad = pull.pull(peer)
    assert not bad.ok and FederatedRecord.objects.count() == 2
    peer.refresh_from_db()
    assert peer.cursor == "2"
    fake_peer.mode = ""
    assert pull.pull(peer).ok and FederatedRecord.objects.count() == 4


def test_slow_peer_times_out(fake_peer, peer):
    _fill(fake_peer, 1)
    fake_peer.mode = "slow"
    run = pull.pull(peer, timeout=0.5)
    assert not run.ok and "did not answer within 0.5 seconds" in run.message
    assert FederatedRecord.objects.count() == 0


def test_peer_down_is_reported(peer):
    peer.base_url = "http://127.0.0.1:9"  # the discard port: nothing listens
    peer.save()
    run = pull.pull(peer, timeout=2)
    assert not run.ok and "Could not reach the peer" in run.message
    assert PullRun.objects.filter(peer=peer, ok=False).count() == 1


def test_failure_is_notified_once_until_the_peer_recovers(fake_peer, peer, world):
    _fill(fake_peer, 1)
    fake_peer.mode = "500"
    pull.pull(peer)
    pull.pull(peer)
    assert Notification.objects.filter(user=world.platform_admin).count() == 1
    fake_peer.mode = ""
    assert pull.pull(peer).ok
    fake_peer.mode = "500"
    pull.pull(peer)
    assert Notification.objects.filter(user=world.platform_admin).count() == 2


def test_an_answer_over_the_size_cap_is_refused(fake_peer, peer, monkeypatch):
    _fill(fake_peer, 2)
    monkeypatch.setattr(pull, "MAX_PAGE_BYTES", 1000)
    run = pull.pull(peer)
    assert not run.ok and "larger than" in run.message
    assert FederatedRecord.objects.count() == 0


def test_a_page_from_another_cursor_is_refused(fake_peer, peer, monkeypatch):
    _fill(fake_peer, 2)
    real = fake_peer.page
    monkeypatch.setattr(fake_peer, "page", lambda since, limit: real("1", limit))  # ignores the cursor asked for
    run = pull.pull(peer)
    assert not run.ok and "not at the cursor 0" in run.message
    assert FederatedRecord.objects.count() == 0
