"""Each host's index follows the change log (issue 15, item 8): a change committed through one host reaches another
host's index through its indexer; a new or wiped host registers and rebuilds; hosts are listed and forgotten."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from techtransfer.catalog import services as catalog
from techtransfer.catalog.models import Status
from techtransfer.core import processes
from techtransfer.matching import indexing, replica, services
from techtransfer.outbox.models import Cursor, Event
from tests.catalog.factories import achievement_data, advance


@pytest.fixture
def hosts(settings, tmp_path):
    """Switch this process between two hosts' data: each has its own index folder and name."""

    @contextlib.contextmanager
    def on(name: str):
        before = settings.MATCHING_INDEX_DIR, settings.HOST_ID
        settings.MATCHING_INDEX_DIR, settings.HOST_ID = tmp_path / f"{name}-index", name
        indexing.reset()
        try:
            yield
        finally:
            settings.MATCHING_INDEX_DIR, settings.HOST_ID = before
            indexing.reset()

    return on


def found(user, q) -> set:
    return {(h.kind, h.id) for h in services.search(user, q, mode="lexical").hits}


def publish(world, title, capture):
    with capture(execute=True):
        return advance(
            world,
            catalog.create_achievement(world.member, world.wuhua_org, achievement_data(title=title, keywords=[title])),
            Status.PUBLISHED,
        )


def test_a_change_through_host_a_reaches_host_b_through_its_indexer(world, hosts, django_capture_on_commit_callbacks):
    with hosts("host-a"):
        first = publish(world, "高原光伏逆变器", django_capture_on_commit_callbacks)  # indexed inline on A
        assert ("achievement", first.pk) in found(world.visitor, "高原光伏逆变器")
    with hosts("host-b"):
        b = replica.Indexer()
        b.prepare()  # a new host: registers, then rebuilds from the database
        assert b.rebuilds == 1 and Cursor.objects.filter(name="index:host-b").exists()
        assert ("achievement", first.pk) in found(world.visitor, "高原光伏逆变器")

    with hosts("host-a"):
        second = publish(world, "高寒混凝土养护剂", django_capture_on_commit_callbacks)
        world.wuhua_org.__class__.objects.filter(pk=world.wuhua_org.pk).update(name="五华储能材料研究院")
        Event.objects.create(topic=replica.REINDEX, payload={"kind": "organization", "pks": [world.wuhua_org.pk]})
    with hosts("host-b"):
        assert ("achievement", second.pk) not in found(world.visitor, "高寒混凝土养护剂")  # not applied yet
        assert b.step() >= 2
        assert ("achievement", second.pk) in found(world.visitor, "高寒混凝土养护剂")
        assert ("organization", world.wuhua_org.pk) in found(world.visitor, "储能材料研究院")
        assert b.rebuilds == 1 and b.step() == 0  # nothing new: nothing applied again
        assert replica.index_lag_seconds() == 0.0

    with hosts("host-a"), django_capture_on_commit_callbacks(execute=True):
        advance(world, second, Status.WITHDRAWN)
    with hosts("host-b"):
        assert b.step() == 1
        assert ("achievement", second.pk) not in found(world.visitor, "高寒混凝土养护剂")


def test_a_wiped_or_forgotten_host_registers_again_and_rebuilds(world, hosts, django_capture_on_commit_callbacks):
    with hosts("host-a"):
        ach = publish(world, "磁悬浮风机轴承", django_capture_on_commit_callbacks)
    with hosts("host-b"):
        b = replica.Indexer()
        b.prepare()
        b.step()
        shutil.rmtree(indexing.index_root())  # the data folder's index is wiped while the host runs
        b.step()
        assert b.rebuilds == 2 and ("achievement", ach.pk) in found(world.visitor, "磁悬浮风机轴承")

        assert replica.forget("host-b") and not replica.forget("host-b")  # e.g. taken for a dead host
        b.step()
        assert b.rebuilds == 3 and Cursor.objects.filter(name="index:host-b").exists()

        replica.request_rebuild()  # a process found the index unusable
        b.step()
        assert b.rebuilds == 4 and not (indexing.index_root() / replica.REBUILD_REQUEST).exists()


def test_an_empty_index_is_rebuilt_and_a_recent_one_without_cursor_is_adopted(
    world, hosts, django_capture_on_commit_callbacks
):
    with hosts("host-a"):
        ach = publish(world, "盐碱地改良剂", django_capture_on_commit_callbacks)
    with hosts("host-b"):
        indexing.get_index(rebuild_if_missing=False).commit()  # an index folder with no documents
        Cursor.objects.create(name="index:host-b", position=0)
        b = replica.Indexer()
        b.prepare()
        assert b.rebuilds == 1 and ("achievement", ach.pk) in found(world.visitor, "盐碱地改良剂")

    with hosts("host-c"):
        indexing.rebuild()  # e.g. the demo's loading, before any follower ran here
        c = replica.Indexer()
        c.prepare()
        assert c.rebuilds == 0 and Cursor.objects.filter(name="index:host-c").exists()
        assert ("achievement", ach.pk) in found(world.visitor, "盐碱地改良剂")


def test_lag_hosts_and_forgetting_through_the_command(world, hosts, capsys):
    with hosts("host-b"):
        b = replica.Indexer()
        b.prepare()
        b.step()
        assert replica.index_lag_seconds() == 0.0
        Event.objects.create(topic="catalog.record_changed", payload={"model": "catalog.achievement", "pks": []})
        later = timezone.now() + datetime.timedelta(seconds=90)  # as seen 90 s after the commit
        assert replica.index_lag_seconds(now=later) >= 89  # not applied here yet
        [row] = replica.hosts(now=later)
        assert row["host"] == "host-b" and row["this_host"] and row["lag_seconds"] >= 89
        b.step()
        assert replica.index_lag_seconds(now=later) == 0.0

        Cursor.objects.create(name="index:gone-host", position=0)
        Cursor.objects.filter(name="index:gone-host").update(heartbeat=timezone.now() - datetime.timedelta(days=4))
        call_command("index", "hosts", "--json")
        listed = {h["host"]: h for h in json.loads(capsys.readouterr().out)}
        assert set(listed) == {"host-b", "gone-host"} and listed["gone-host"]["last_seen_seconds"] > 3 * 86400

    from techtransfer.outbox.health import followers

    [check] = followers()
    assert check.status == "degraded" and check.figures == {"followers": 2, "stale": 1}
    call_command("index", "forget", "gone-host")
    assert "gone-host unregistered" in capsys.readouterr().out
    assert followers()[0].status == "ok"


def test_an_idle_poll_is_a_read(world, hosts):
    with hosts("host-b"):
        b = replica.Indexer()
        b.prepare()
        b.step()
        with CaptureQueriesContext(connection) as queries:
            b.step()
        assert queries.captured_queries and all(
            q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries
        )


@pytest.mark.django_db(transaction=True)
def test_one_follower_per_data_folder_and_the_other_stands_by(world, hosts, monkeypatch):
    monkeypatch.setattr(replica, "LOCK_RETRY_SECONDS", 0.1)
    with hosts("host-b"):
        held = processes.single_instance(*replica._lock_path())  # another process of this data folder follows
        thread = replica.start_index_thread(interval=0.05)
        try:
            time.sleep(0.5)
            assert not Cursor.objects.filter(name="index:host-b").exists()  # standing by
            os.close(held)  # that process ended: this one takes over
            deadline = time.monotonic() + 30
            while not Cursor.objects.filter(name="index:host-b").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert Cursor.objects.filter(name="index:host-b").exists()
        finally:
            thread.stop()
        assert not thread.is_alive()
