"""Stable paging under concurrent writes: a reader paging with small limits while records are created, changed
and withdrawn between (or, on PostgreSQL, during) its pages ends with every record's latest state, delivered once
after its last change, nothing skipped and no number delivered twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from techtransfer.catalog.models import Achievement, Status
from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.models import FeedEntry
from techtransfer.exchange.services import feed
from techtransfer.exchange.services.keys import identity
from tests.trading.conftest import tw  # noqa: F401  (fixture)


def drain(cursor: str, limit: int, delivered: list[dict]) -> tuple[str, bool]:
    """Read one page after ``cursor``; returns the next cursor and whether there is more."""
    page = feed.page(cursor, limit)
    signing.verify_document(page, identity().public_key)
    fmt.validate_page(page)
    assert len(page["items"]) <= limit
    delivered += page["items"]
    return page["next"], page["has_more"]


def check_reader_saw_the_feed(delivered: list[dict]) -> None:
    seqs = [int(i["seq"]) for i in delivered]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)), "numbers delivered in order, none twice"
    final = {}
    for item in delivered:
        final[item["id"]] = item
    entries = {f"{identity().instance_id}/{e.kind}/{e.local_id}": e for e in FeedEntry.objects.all()}
    assert set(final) == set(entries), "no record skipped, none invented"
    for gid, entry in entries.items():
        item = final[gid]
        assert int(item["seq"]) == entry.seq and item["deleted"] == entry.deleted
        assert item["record"] == feed.absolute_record(entry.data, "")
        # The latest state arrives exactly once: nothing of this record after it, and it is not a repeat.
        assert sum(1 for i in delivered if i["id"] == gid and int(i["seq"]) >= entry.seq) == 1
    for gid in final:
        states = [i["record"] for i in delivered if i["id"] == gid]
        assert all(a != b for a, b in zip(states, states[1:], strict=False)), f"{gid}: a state repeated"


@pytest.mark.django_db
def test_paging_is_stable_while_records_change_between_pages(tw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        achievements = [tw.achievement() for _ in range(10)]
    delivered: list[dict] = []
    cursor, more, rounds = "", True, 0
    while more or rounds < 6:
        cursor, more = drain(cursor, 3, delivered)
        if rounds < 6:
            with django_capture_on_commit_callbacks(execute=True):
                seen_one = achievements[rounds]  # already delivered: must come again with its new title
                seen_one.title = f"{seen_one.title}（修订{rounds}）"
                seen_one.save()
                ahead = achievements[-1 - rounds]  # not delivered yet: must come once, in its latest state
                ahead.abstract = f"第{rounds}次修改的摘要"
                ahead.save()
                achievements.append(tw.achievement())
                if rounds == 3:
                    gone = achievements[1]
                    gone.status = Status.WITHDRAWN
                    gone.save()
            rounds += 1
    check_reader_saw_the_feed(delivered)
    withdrawn = [i for i in delivered if i["id"].endswith(f"/achievement/{achievements[1].pk}")]
    assert withdrawn[-1]["deleted"] and withdrawn[-1]["record"] is None
    titles = {i["record"]["title"]["zh-Hans"] for i in delivered if i["kind"] == "achievement" and i["record"]}
    assert f"{achievements[0].title}" in titles


@pytest.mark.django_db
def test_a_reader_that_resumes_from_an_old_cursor_misses_nothing(tw, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        first = [tw.achievement() for _ in range(4)]
    delivered: list[dict] = []
    cursor, _ = drain("", 2, delivered)
    with django_capture_on_commit_callbacks(execute=True):
        Achievement.objects.get(pk=first[0].pk).delete()
        tw.achievement()
    more = True
    while more:
        cursor, more = drain(cursor, 2, delivered)
    check_reader_saw_the_feed(delivered)
    # The end of the feed: the cursor stays, the page is empty.
    again: list[dict] = []
    assert drain(cursor, 2, again) == (cursor, False) and again == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_a_paging_reader_on_postgresql(tw, django_capture_on_commit_callbacks):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent writers); SQLite serializes them")
    with django_capture_on_commit_callbacks(execute=True):
        achievements = [tw.achievement() for _ in range(8)]
    ids = [a.pk for a in achievements]
    errors: list[BaseException] = []
    delivered: list[dict] = []
    writers_done = threading.Event()

    def writer(n: int) -> None:
        try:
            for step in range(15):
                pk = ids[(n + step) % len(ids)]
                Achievement.objects.filter(pk=pk).update(abstract=f"写入者{n}第{step}次")
                feed.refresh("achievement", [pk])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    def reader() -> None:
        try:
            cursor = ""
            while True:
                finished = writers_done.is_set()  # read before the page: the last page starts after the writers
                cursor, more = drain(cursor, 3, delivered)
                if finished and not more:
                    return
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    read = threading.Thread(target=reader)
    read.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    writers_done.set()
    read.join(120)
    assert not errors, errors
    # Whatever a writer wrote last, the feed holds the state the database holds now.
    for a in Achievement.objects.filter(pk__in=ids):
        entry = FeedEntry.objects.get(kind="achievement", local_id=str(a.pk))
        assert entry.data["abstract"]["zh-Hans"] == a.abstract
    check_reader_saw_the_feed(delivered)
