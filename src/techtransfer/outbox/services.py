"""Publishing follow-ups in the writer's transaction, and relaying them to the task queue.

``publish(topic, payload)`` writes an :class:`~.models.Event` in the caller's transaction: if the change rolls
back, so does the event; if it commits, the event is there even when the queue (Redis) is not reachable. After
the commit the same process tries to relay the transaction's events at once (the fast path); whatever it could
not hand over stays pending and the relay loop of ``techtransfer worker`` (``relay_forever``) hands it over as
soon as the queue answers again. Delivery is at least once: handlers must be idempotent.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from django.db import close_old_connections, connections, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from . import registry, tasks
from .models import Cursor, Event

log = logging.getLogger(__name__)

BATCH = 500  # events claimed by one relay pass
LEASE = datetime.timedelta(seconds=60)  # a claimed row returns to the pool if its relay died
FAST_PATH_PAUSE = 5.0  # after the queue refused, requests leave relaying to the worker for this long (seconds)
LOOP_SECONDS = 1.0  # the worker's relay loop looks for pending events this often

_local = threading.local()
_fast_path_paused_until = 0.0


def _flush_committed() -> None:
    """``on_commit`` callback: relay every event this thread published and has not relayed yet."""
    ids, _local.ids = getattr(_local, "ids", []), []
    relay_after_commit(ids)


def publish(topic: str, payload: dict | None = None) -> Event:
    """Record that ``topic`` happened, in the caller's transaction; its handlers run once it commits.

    Call it inside the transaction that makes the change (``transaction.atomic``), so that both or neither are
    written. ``payload`` must be JSON (ids and short values; handlers re-read the records)."""
    event = Event.objects.create(topic=topic, payload=payload or {})
    if not hasattr(_local, "ids"):
        _local.ids = []
    _local.ids.append(event.pk)
    # A callback per event, but the first one that runs relays them all and the others find nothing to do: an
    # import of thousands of rows is relayed in a few passes. (A rolled-back event's id may be among them: its row
    # is gone, so the relay skips it.)
    transaction.on_commit(_flush_committed, robust=True)
    return event


def relay_after_commit(ids: list[int]) -> None:
    """The fast path: relay just-committed events now. Never raises: the user's change stands regardless."""
    global _fast_path_paused_until
    if not ids or time.monotonic() < _fast_path_paused_until:
        return
    try:
        for start in range(0, len(ids), BATCH):
            relay_pending(ids=ids[start:start + BATCH])
    except QueueUnavailable as exc:
        log.warning("outbox: %s; the worker relays them when the queue is back", exc)
        _fast_path_paused_until = time.monotonic() + FAST_PATH_PAUSE
    except Exception:  # noqa: BLE001 - the change is committed; the worker's relay loop retries
        log.exception("outbox: relaying events %s after commit failed; the worker will retry", ids[:10])


class QueueUnavailable(Exception):
    """The task queue refused a job; the events stay pending."""


def relay_pending(ids: list[int] | None = None, limit: int = BATCH) -> int:
    """Hand pending events (all, or those of ``ids``) to the task queue, oldest first: one job per handler of the
    topic. Returns how many events were relayed; raises ``QueueUnavailable`` when the queue refused (the rest
    stay pending, with the error recorded).

    Safe with several relays at once (the fast path of every web process and the worker of every host): a relay
    claims its rows first, in a short transaction (``SKIP LOCKED`` on PostgreSQL; SQLite serializes writers),
    and keeps the claim for ``LEASE``; the queue is called outside any transaction."""
    if ids is None and not Event.objects.filter(relayed_at__isnull=True).exists():
        return 0  # the worker's idle pass: a read, no write lock (SQLite takes one at the start of a transaction)
    now = timezone.now()
    with transaction.atomic():
        pending = Event.objects.filter(relayed_at__isnull=True).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        events = list(pending.order_by("pk").select_for_update(skip_locked=True)[:limit])
        if not events:
            return 0
        Event.objects.filter(pk__in=[e.pk for e in events]).update(
            claimed_until=now + LEASE, attempts=F("attempts") + 1)
    relayed: list[int] = []
    error = ""
    for event in events:
        try:
            for name in registry.handler_names(event.topic):
                tasks.run_handler(event.pk, event.topic, name, event.payload, event.created_at.timestamp())
        except Exception as exc:  # noqa: BLE001 - Redis down, or any refusal: keep the event for the next pass
            error = f"{type(exc).__name__}: {exc}"[:500]
            break
        relayed.append(event.pk)
    if relayed:
        Event.objects.filter(pk__in=relayed).update(relayed_at=timezone.now(), claimed_until=None, last_error="")
    if error:
        done = set(relayed)
        left = [e.pk for e in events if e.pk not in done]
        Event.objects.filter(pk__in=left).update(claimed_until=None, last_error=error)
        raise QueueUnavailable(f"could not queue {len(left)} event(s), they stay pending: {error}")
    return len(relayed)


def relay_forever(stop: threading.Event, interval: float = LOOP_SECONDS) -> None:
    """The worker's relay loop: relay pending events until ``stop`` is set, looking every ``interval`` seconds
    (at once again while a full batch was relayed)."""
    last_failure = ""
    try:
        while not stop.is_set():
            relayed = 0
            try:
                close_old_connections()
                relayed = relay_pending()
                if last_failure:
                    log.warning("outbox: relaying again (%d event(s) this pass)", relayed)
                last_failure = ""
            except QueueUnavailable as exc:
                if not last_failure:
                    log.warning("outbox: %s; retrying every %s s", exc, interval)
                last_failure = str(exc)
            except Exception as exc:  # noqa: BLE001 - e.g. the database restarting: the loop must outlive it
                if str(exc) != last_failure:  # once per distinct failure, not every second of an outage
                    log.exception("outbox relay pass failed; retrying every %s s", interval)
                last_failure = str(exc)
            if relayed < BATCH:
                stop.wait(interval)
    finally:
        connections.close_all()  # this thread's connections


class RelayThread(threading.Thread):
    """``relay_forever`` on a daemon thread (``techtransfer worker``); ``stop()`` ends it."""

    def __init__(self, interval: float = LOOP_SECONDS):
        self.stopping = threading.Event()
        super().__init__(target=relay_forever, args=(self.stopping, interval), name="outbox-relay", daemon=True)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.join(timeout)


def start_relay_thread(interval: float = LOOP_SECONDS) -> RelayThread:
    thread = RelayThread(interval)
    thread.start()
    return thread


def backlog(now: datetime.datetime | None = None) -> dict:
    """Pending events: how many, the age of the oldest (seconds, None when none), and the last error."""
    now = now or timezone.now()
    pending = Event.objects.filter(relayed_at__isnull=True)
    figures = pending.aggregate(oldest=Min("created_at"), first=Min("id"))
    count = pending.count() if figures["first"] is not None else 0
    error = ""
    if count:
        error = pending.exclude(last_error="").order_by("-id").values_list("last_error", flat=True).first() or ""
    oldest = figures["oldest"]
    return {"pending": count, "oldest_seconds": (now - oldest).total_seconds() if oldest else None,
            "last_error": error, "immediate": HUEY.immediate}


def newest(topics: list[str]) -> Event | None:
    """The latest event of these topics (followers and health checks compare their progress with it)."""
    return Event.objects.filter(topic__in=topics).order_by("-id").first()


# -- followers of the change log ------------------------------------------------------------------------------------

GAP_SECONDS = 60.0  # a missing id is taken for a rolled-back transaction once the event after it is this old
# A follower with nothing new writes its cursor only this often (its heartbeat): an idle poll is one indexed read.
HEARTBEAT_SECONDS = 30.0


class Unregistered(Exception):
    """The follower's cursor is gone (deleted by an operator: ``techtransfer index forget``, the back office); the
    log may have been pruned past it, so the follower must register and rebuild its state."""


class Follower:
    """A consumer that must see every event of its topics itself, in id order (e.g. one host's search index).

    ``poll(apply)`` passes the new events to ``apply(events)`` (which must be idempotent) and stores the follower's
    position in its :class:`~.models.Cursor`. Ids are taken at insert but committed in any order, so a missing id
    may be a transaction still in flight: the events after it are applied at once, but the stored position stays
    below the gap until the first event after it is ``GAP_SECONDS`` old; events applied beyond the position are
    remembered here so that they are not applied twice by this process. A new (or wiped) follower registers at
    the end of the log and rebuilds its state from the database itself (``register``).

    With ``register_if_missing=False`` a missing cursor raises :class:`Unregistered` instead of registering
    silently (a follower whose state must be rebuilt when it was unregistered). After a poll, ``seen_through`` is
    the highest id read (every event up to it that had committed was applied) and ``caught_up`` tells whether the
    poll reached the end of the log."""

    def __init__(self, name: str, topics: list[str] | None = None, limit: int = BATCH,
                 register_if_missing: bool = True):
        self.name, self.topics, self.limit = name, topics, limit
        self.register_if_missing = register_if_missing
        self.applied_beyond: set[int] = set()
        self.seen_through = 0
        self.caught_up = False
        self._stored: tuple[int, float] | None = None  # (position, monotonic time) of this process's last write

    def register(self, since: datetime.datetime | None = None) -> int:
        """Start (again) at the end of the log, minus what may still commit below it; returns the position.
        Call it before rebuilding from the database, so that no change committed during the rebuild is missed.
        ``since``: start from there instead (a follower whose state holds every change committed before then)."""
        cutoff = min(timezone.now(), since or timezone.now()) - datetime.timedelta(seconds=GAP_SECONDS)
        start = Event.objects.filter(created_at__lt=cutoff).aggregate(m=Max("id"))["m"] or 0
        Cursor.objects.update_or_create(name=self.name, defaults={"position": start})
        self.applied_beyond.clear()
        self.seen_through = start
        self._stored = (start, time.monotonic())
        return start

    def position(self) -> int:
        cursor = Cursor.objects.filter(name=self.name).values_list("position", flat=True).first()
        if cursor is None:
            if not self.register_if_missing:
                raise Unregistered(self.name)
            return self.register()
        return cursor

    def poll(self, apply, now: datetime.datetime | None = None) -> int:
        """Apply the events after this follower's position; returns how many were applied."""
        now = now or timezone.now()
        position = self.position()
        # Every topic is read (other topics' ids must be seen too, or they would look like gaps); only this
        # follower's topics are applied.
        events = list(Event.objects.filter(id__gt=position).order_by("id")[:self.limit])
        fresh = [e for e in events if e.id not in self.applied_beyond
                 and (self.topics is None or e.topic in self.topics)]
        if fresh:
            apply(fresh)
        safe = position
        for event in events:
            if event.id != safe + 1 and (now - event.created_at).total_seconds() < GAP_SECONDS:
                break  # a gap that may still fill: keep the position below it
            safe = event.id
        self.applied_beyond = {e.id for e in events if e.id > safe} | {i for i in self.applied_beyond if i > safe}
        self.seen_through = max([position, *(e.id for e in events)])
        self.caught_up = len(events) < self.limit
        stored = self._stored
        if stored is None or stored[0] != safe or time.monotonic() - stored[1] >= HEARTBEAT_SECONDS:
            updated = Cursor.objects.filter(name=self.name).update(position=safe, heartbeat=now)
            if not updated and not self.register_if_missing:
                raise Unregistered(self.name)
            self._stored = (safe, time.monotonic())
        return len(fresh)
