"""The outbox: follow-ups are written with the change, survive an unreachable queue, and are relayed once."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from techtransfer.catalog import services as catalog
from techtransfer.catalog.models import Status
from techtransfer.catalog.workflow import publish as publish_record
from techtransfer.matching import subscriptions as subs
from techtransfer.notifications.models import Notification
from techtransfer.outbox import registry, services, tasks
from techtransfer.outbox.models import Cursor, Event
from tests.catalog.factories import achievement_data, advance

from .conftest import run_queued

TOPIC = "tests.outbox.ping"
seen: list[dict] = []


@registry.handler(TOPIC, name="tests.outbox.record")
def _record(delivery):
    seen.append(delivery.payload)


@pytest.fixture(autouse=True)
def _clear_seen():
    seen.clear()


def _ready_to_publish(world):
    """A saved search of the visitor and an achievement one step before publication."""
    subs.save_search(world.visitor, "batteries", query="正极材料", kinds=["achievement"])
    return advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data()),
                   Status.ORG_REVIEWED)


@pytest.mark.django_db(transaction=True)
def test_redis_killed_during_a_publish_the_notification_arrives_after_it_returns(
        world, redis_server, redis_queue, client):
    """Issue 11 item 8: with Redis down the write succeeds and its follow-up waits in the outbox; once Redis is
    back the relay hands it over and the saved search's notification arrives."""
    ach = _ready_to_publish(world)
    run_queued(redis_queue)  # the earlier steps' follow-ups, relayed while Redis was up
    redis_server.stop()

    publish_record(world.wuhua_admin, ach)  # commits; the post-commit relay finds Redis gone

    ach.refresh_from_db()
    assert ach.status == Status.PUBLISHED
    event = Event.objects.get(topic="catalog.record_changed", payload__status="published")
    assert event.relayed_at is None and event.attempts == 1 and "Connection" in event.last_error
    assert not Notification.objects.exists()
    body = client.get("/api/v1/health")
    assert body.status_code == 200
    health = body.json()
    assert health["status"] == "degraded" and health["checks"]["queue"]["status"] == "degraded"
    assert health["checks"]["outbox"]["figures"]["pending"] >= 1
    assert health["checks"]["database"]["status"] == "ok"
    assert services.relay_after_commit([event.pk]) is None  # refused quietly, still pending
    event.refresh_from_db()
    assert event.relayed_at is None

    redis_server.start()  # empty: whatever was queued before is gone, the outbox is not
    assert services.relay_pending() >= 1
    event.refresh_from_db()
    assert event.relayed_at is not None and event.last_error == ""
    assert run_queued(redis_queue) >= 1  # the worker's part

    note = Notification.objects.get()
    assert note.user == world.visitor and note.url == f"/matching/achievement/{ach.pk}/"
    assert services.relay_pending() == 0  # relayed once
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_rolled_back_publish_relays_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.publish(TOPIC, {"n": 1})
            raise RuntimeError("the change fails")
    assert callbacks == [] and seen == []
    assert not Event.objects.exists()
    assert services.relay_pending() == 0


def test_committed_publish_runs_its_handler_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.publish(TOPIC, {"n": 1})
        services.publish(TOPIC, {"n": 2})
    assert seen == [{"n": 1}, {"n": 2}]
    assert Event.objects.filter(relayed_at__isnull=True).count() == 0
    assert services.relay_pending() == 0 and seen == [{"n": 1}, {"n": 2}]


def test_a_topic_without_handlers_is_marked_relayed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.publish("tests.outbox.nobody", {})
    event.refresh_from_db()
    assert event.relayed_at is not None


def test_queue_refusal_keeps_events_pending_in_order(db, monkeypatch):
    calls = []

    def refuse_second(*args):
        calls.append(args[0])
        if len(calls) == 2:
            raise ConnectionError("queue gone")

    monkeypatch.setattr(tasks, "run_handler", refuse_second)
    monkeypatch.setattr(services, "_fast_path_paused_until", time.monotonic() + 60)  # only the explicit relay
    a, b, c = (services.publish(TOPIC, {"n": n}) for n in range(3))
    with pytest.raises(services.QueueUnavailable):
        services.relay_pending()
    states = {e.pk: e for e in Event.objects.all()}
    assert states[a.pk].relayed_at is not None
    assert states[b.pk].relayed_at is None and states[b.pk].last_error == "ConnectionError: queue gone"
    assert states[c.pk].relayed_at is None and states[c.pk].claimed_until is None
    monkeypatch.setattr(tasks, "run_handler", lambda *args: calls.append(args[0]))
    assert services.relay_pending() == 2
    assert calls == [a.pk, b.pk, b.pk, c.pk]


def test_a_claimed_event_is_left_to_its_relay_until_the_lease_ends(db, monkeypatch):
    monkeypatch.setattr(services, "_fast_path_paused_until", time.monotonic() + 60)
    event = services.publish(TOPIC, {"n": 1})
    Event.objects.filter(pk=event.pk).update(claimed_until=timezone.now() + datetime.timedelta(seconds=30))
    assert services.relay_pending() == 0 and seen == []
    Event.objects.filter(pk=event.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.relay_pending() == 1 and seen == [{"n": 1}]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED: PostgreSQL's concurrent relays")
def test_concurrent_relays_do_not_enqueue_an_event_twice(monkeypatch):
    monkeypatch.setattr(services, "_fast_path_paused_until", time.monotonic() + 60)
    for n in range(300):
        services.publish(TOPIC, {"n": n})
    enqueued: list[int] = []
    lock = threading.Lock()

    def slow_enqueue(event_id, *args):
        time.sleep(0.001)
        with lock:
            enqueued.append(event_id)

    monkeypatch.setattr(tasks, "run_handler", slow_enqueue)
    barrier = threading.Barrier(4)

    def relay():
        barrier.wait()
        try:
            while services.relay_pending(limit=20):
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(enqueued) == 300 and len(set(enqueued)) == 300
    assert not Event.objects.filter(relayed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_relay_loop_relays_what_the_fast_path_could_not(monkeypatch):
    monkeypatch.setattr(services, "_fast_path_paused_until", time.monotonic() + 60)  # as after a refusal
    with transaction.atomic():
        event = services.publish(TOPIC, {"n": 7})
    assert Event.objects.get(pk=event.pk).relayed_at is None and seen == []
    relay = services.start_relay_thread(interval=0.05)
    try:
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        relay.stop()
    assert not relay.is_alive()
    assert seen == [{"n": 7}]
    assert Event.objects.get(pk=event.pk).relayed_at is not None


def test_prune_keeps_recent_pending_and_unfollowed_events(db):
    now = timezone.now()
    old = now - datetime.timedelta(days=tasks.KEEP_DAYS + 1)
    done_old, done_followed, pending_old, done_new = (Event.objects.create(topic=TOPIC) for _ in range(4))
    Event.objects.filter(pk__in=[done_old.pk, done_followed.pk]).update(created_at=old, relayed_at=old)
    Event.objects.filter(pk=pending_old.pk).update(created_at=old)
    Event.objects.filter(pk=done_new.pk).update(relayed_at=now)
    Cursor.objects.create(name="host-a", position=done_old.pk)
    Cursor.objects.create(name="host-b", position=done_new.pk)
    assert tasks.prune(now=now) == 1
    assert set(Event.objects.values_list("pk", flat=True)) == {done_followed.pk, pending_old.pk, done_new.pk}
    Cursor.objects.filter(name="host-a").update(position=done_new.pk)
    assert tasks.prune(now=now) == 1
    assert set(Event.objects.values_list("pk", flat=True)) == {pending_old.pk, done_new.pk}


def test_health_reports_an_old_backlog_and_index_lag(db, client):
    old = timezone.now() - datetime.timedelta(minutes=5)
    event = Event.objects.create(topic="catalog.record_changed", payload={"model": "catalog.achievement", "pks": []},
                                 last_error="ConnectionError: refused")
    Event.objects.filter(pk=event.pk).update(created_at=old)
    body = client.get("/api/v1/health").json()
    assert body["status"] == "degraded"
    outbox, index = body["checks"]["outbox"], body["checks"]["index"]
    assert outbox["status"] == "degraded" and outbox["figures"]["pending"] == 1
    assert outbox["figures"]["oldest_pending_seconds"] >= 299 and "ConnectionError" in outbox["detail"]
    assert index["status"] == "degraded" and index["figures"]["lag_seconds"] >= 299
    assert body["checks"]["queue"]["status"] == "ok"


def test_health_is_ok_and_declared(db, client):
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "outbox", "followers", "index"}
    schema = client.get("/api/v1/openapi.json").json()
    assert "Health" in schema["components"]["schemas"]


def test_health_is_503_when_the_database_is_down(db, client, monkeypatch):
    from techtransfer.core import health

    monkeypatch.setattr(health, "_database", lambda: health.Check("database", health.DOWN, "cannot reach it"))
    r = client.get("/api/v1/health")
    assert r.status_code == 503 and r.json()["status"] == "down" and set(r.json()["checks"]) == {"database"}


def test_back_office_shows_events_to_platform_administrators_only(world, client_for):
    event = Event.objects.create(topic=TOPIC, payload={"n": 1}, last_error="ConnectionError: refused")
    world.platform_admin.is_staff = world.wuhua_admin.is_staff = True
    world.platform_admin.save()
    world.wuhua_admin.save()
    page = client_for(world.platform_admin).get("/admin/outbox/event/?relayed_at__isnull=True")
    assert page.status_code == 200 and "ConnectionError: refused" in page.content.decode()
    detail = client_for(world.platform_admin).get(f"/admin/outbox/event/{event.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client_for(world.wuhua_admin).get("/admin/outbox/event/").status_code == 403
