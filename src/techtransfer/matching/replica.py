"""Each host's search index follows the change log (several application hosts on one database).

The index lives in a host's data folder (``store``); the change log is the outbox's ``Event`` table, which every
host shares through the database. On each host one **indexer** follows the log under the host's name
(``settings.HOST_ID``, ``TECHTRANSFER_HOST_ID``) with an ``outbox.services.Follower`` on ``INDEX_TOPICS`` and
applies every change to the local index (lexical and vectors, with dependent documents), so a change committed
through any host is searchable on every host within a poll (``POLL_SECONDS``).

- **One per data folder.** The indexer holds ``<data dir>/index-follower.lock`` (``core.processes``); a second
  process of the same folder stands by and takes over when the first ends (``follow``). ``techtransfer worker``
  runs it on a thread; ``techtransfer serve`` starts ``techtransfer index follow`` as a child process (no
  threads in gunicorn's master, which forks the web workers); ``techtransfer demo`` gets it through its worker.
- **New or wiped host.** When this host has no cursor (new, or removed by ``techtransfer index forget``), its
  index is missing or empty, or a process found the index unusable (``request_rebuild``), the indexer registers
  (``Follower.register``) and rebuilds from the database, then follows from its cursor.
- **Writers.** The writing host's web process still updates its own index at once (``receivers._index_now``);
  Tantivy writers of one folder are serialised across processes by the engine's writer lock, and both sides
  write the current database state, so whichever writes last is right or is corrected by the next event.
- **Lag.** The indexer notes the highest event id it has read (``<index dir>/follower.json``);
  ``index_lag_seconds`` is the age of the oldest index event after it (the health check's ``index`` line and the
  metrics). ``hosts()`` lists every host's cursor with its lag and heartbeat.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from techtransfer.catalog import signals as catalog_signals
from techtransfer.core import processes
from techtransfer.outbox.models import Cursor, Event
from techtransfer.outbox.services import Follower, Unregistered

from . import indexing, store, tasks, vectors
from .subscriptions import RECORD_KINDS

log = logging.getLogger(__name__)

REINDEX = "matching.reindex"
# The topics whose events change the search index.
INDEX_TOPICS = [catalog_signals.TOPIC, REINDEX]
CURSOR_PREFIX = "index:"
POLL_SECONDS = 0.4  # a change is searchable on every host within 2 s: this plus the time to apply it
LOCK_RETRY_SECONDS = 5.0  # a standing-by process tries to take over this often
FAILURE_PAUSE = 2.0  # after a failed pass (the database restarting), wait this long
# A live generation younger than this is adopted by a host without a cursor (events are pruned after 7 days).
ADOPT_DAYS = 6
STATE_FILE = "follower.json"
REBUILD_REQUEST = "rebuild-requested"


def host_id() -> str:
    return settings.HOST_ID


def cursor_name(host: str | None = None) -> str:
    return CURSOR_PREFIX + (host or host_id())


# -- applying events --------------------------------------------------------------------------------------------------


def apply(events) -> int:
    """Apply events of ``INDEX_TOPICS`` to this host's index (idempotent: the current database state of the records
    they name is indexed). Returns the documents written."""
    changed: dict[str, set[int]] = {}
    reindex: dict[str, set[int]] = {}
    declared = indexing.search_documents()
    for event in events:
        payload = event.payload or {}
        if event.topic == catalog_signals.TOPIC:
            kind = RECORD_KINDS.get(payload.get("model", ""))
            target = changed
        elif event.topic == REINDEX:
            kind = payload.get("kind")
            target = reindex
        else:
            continue
        if kind not in declared:
            log.warning("change-log event %s names no indexed kind (%r); skipped", event.id, kind)
            continue
        target.setdefault(kind, set()).update(int(p) for p in payload.get("pks", ()))
    written = sum(tasks.index_changed(kind, sorted(pks)) for kind, pks in changed.items())
    written += sum(tasks.index_records(kind, sorted(pks)) for kind, pks in reindex.items())
    if events:
        store.mark_applied(max(e.created_at.timestamp() for e in events))
    return written


# -- this host's position ---------------------------------------------------------------------------------------------


def _state_path() -> Path:
    return store.index_root() / STATE_FILE


def followed_through() -> int | None:
    """The highest change-log id this host's indexer has read and applied; None when no indexer ever ran here."""
    try:
        return int(json.loads(_state_path().read_text(encoding="utf-8"))["seen_through"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def _save_state(host: str, seen_through: int) -> None:
    path = _state_path()
    tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    tmp.write_text(json.dumps({"host": host, "seen_through": seen_through, "at": time.time()}), encoding="utf-8")
    os.replace(tmp, path)


def _generation_time(name: str) -> datetime.datetime | None:
    """When a generation of the index was started (its name, ``indexing.rebuild``); None for another name."""
    try:
        return datetime.datetime.strptime(name, "lexical-%Y%m%dT%H%M%S%f").replace(tzinfo=datetime.UTC)
    except ValueError:
        return None


def _oldest_after(position: int) -> datetime.datetime | None:
    return (
        Event.objects.filter(topic__in=INDEX_TOPICS, id__gt=position)
        .order_by("id")
        .values_list("created_at", flat=True)
        .first()
    )


def index_lag_seconds(now: datetime.datetime | None = None) -> float:
    """How long the oldest change of an indexed record has been waiting for this host's index (seconds; 0 when
    none waits). With an indexer (one indexed query and a small file): the age of the oldest index event after
    the last one it read. Without one (jobs run inline, one process): the newest index event against the
    newest change applied to the index."""
    now = now or timezone.now()
    seen = followed_through()
    if seen is not None:
        created = _oldest_after(seen)
        return max(0.0, (now - created).total_seconds()) if created else 0.0
    newest = Event.objects.filter(topic__in=INDEX_TOPICS).order_by("-id").values_list("created_at", flat=True).first()
    if newest is None or newest.timestamp() <= store.applied():
        return 0.0
    return max(0.0, (now - newest).total_seconds())


def hosts(now: datetime.datetime | None = None) -> list[dict]:
    """Every host whose index follows the log: its name, position, when it was last seen and its lag (seconds
    since the oldest index event after its stored position was committed)."""
    now = now or timezone.now()
    found = []
    for cursor in Cursor.objects.filter(name__startswith=CURSOR_PREFIX).order_by("name"):
        created = _oldest_after(cursor.position)
        found.append(
            {
                "host": cursor.name[len(CURSOR_PREFIX) :],
                "position": cursor.position,
                "last_seen": cursor.heartbeat.isoformat(),
                "last_seen_seconds": round((now - cursor.heartbeat).total_seconds(), 1),
                "lag_seconds": round(max(0.0, (now - created).total_seconds()), 1) if created else 0.0,
                "this_host": cursor.name == cursor_name(),
            }
        )
    return found


def forget(host: str) -> bool:
    """Unregister ``host`` (a host that is gone): the log is no longer kept for it. If it comes back, it rebuilds
    its index. Returns whether it was registered."""
    deleted, _ = Cursor.objects.filter(name=cursor_name(host)).delete()
    return bool(deleted)


def request_rebuild(root: Path | None = None) -> None:
    """Ask this host's indexer to rebuild the index (a process found it missing or unusable)."""
    root = Path(root) if root is not None else store.index_root()
    (root / REBUILD_REQUEST).write_text(str(time.time()), encoding="utf-8")


# -- the indexer ------------------------------------------------------------------------------------------------------


class Indexer:
    """This host's follower of the change log. ``prepare()`` once, then ``step()`` every poll (``follow`` does
    both, holding the data folder's lock)."""

    def __init__(self, host: str | None = None):
        self.host = host or host_id()
        self.follower = Follower(cursor_name(self.host), topics=INDEX_TOPICS, register_if_missing=False)
        self.rebuilds = 0
        self._saved: int | None = None

    def _missing(self) -> str | None:
        root = store.index_root()
        if (root / REBUILD_REQUEST).exists():
            return "a process found the index missing or unusable"
        current = store.current_file(root)
        name = current.read_text(encoding="utf-8").strip() if current.exists() else ""
        if not name or not (root / name / "meta.json").exists():
            return "there is no index in this data folder"
        return None

    def prepare(self) -> None:
        """Register and rebuild when this host is new or wiped: no (or an empty) index, or no cursor. An index
        without a cursor that was built less than ``ADOPT_DAYS`` ago (by `techtransfer demo`'s loading, or
        `techtransfer index rebuild`) is kept when no embedding model is configured: the host registers at the
        time its generation was built and applies the changes since from the log, which keeps every event that
        young."""
        registered = Cursor.objects.filter(name=self.follower.name).exists()
        reason = self._missing()
        if (
            reason is None
            and store.get_index(rebuild_if_missing=False).count() == 0
            and any(doc.records().exists() for doc in indexing.search_documents().values())
        ):
            reason = "the index is empty"
        if reason is None and not registered:
            built = _generation_time(store.current_file(store.index_root()).read_text(encoding="utf-8").strip())
            if built is None or timezone.now() - built > datetime.timedelta(days=ADOPT_DAYS):
                reason = "this host is not registered"
            elif vectors.encoder() is not None:  # the demo's loading builds no vectors; a rebuild encodes them
                reason = "this host is not registered (and the semantic index is to be built)"
            else:
                log.warning("search index of host %s: registering it at its build time (%s)", self.host, built)
                self._save(self.follower.register(since=built))
        if reason:
            self.rebuild(reason)

    def rebuild(self, reason: str) -> None:
        log.warning("search index of host %s: %s; registering and rebuilding it from the database", self.host, reason)
        (store.index_root() / REBUILD_REQUEST).unlink(missing_ok=True)
        position = self.follower.register()
        indexing.rebuild(progress=log.info)
        self.rebuilds += 1
        self._save(position)

    def _save(self, seen_through: int) -> None:
        if seen_through != self._saved:
            _save_state(self.host, seen_through)
            self._saved = seen_through

    def step(self) -> int:
        """One poll: apply what is new (rebuilding first when the index went missing or the cursor was removed).
        Returns the events applied."""
        reason = self._missing()
        if reason:
            self.rebuild(reason)
        try:
            applied = self.follower.poll(apply)
        except Unregistered:
            self.rebuild("this host's cursor was removed")
            return 0
        self._save(self.follower.seen_through)
        return applied


def _lock_path() -> tuple[Path, str]:
    root = store.index_root()
    return root.parent, f"{root.name}-follower"


def follow(stop: threading.Event, interval: float = POLL_SECONDS) -> None:
    """Follow the change log into this host's index until ``stop`` is set. Holds the data folder's follower lock;
    while another process holds it, stands by and tries again every ``LOCK_RETRY_SECONDS``."""
    fd = None
    try:
        told = False
        while fd is None and not stop.is_set():
            try:
                fd = processes.single_instance(*_lock_path())
            except processes.AlreadyRunning as exc:
                if not told:
                    log.info("index follower standing by: %s", exc)
                    told = True
                stop.wait(LOCK_RETRY_SECONDS)
        indexer = Indexer()
        prepared = False
        last_failure = ""
        while fd is not None and not stop.is_set():
            try:
                close_old_connections()
                if not prepared:
                    indexer.prepare()
                    prepared = True
                indexer.step()
                last_failure = ""
            except Exception as exc:  # noqa: BLE001 - e.g. the database restarting: the loop must outlive it
                if str(exc) != last_failure:  # once per distinct failure, not every pass of an outage
                    log.exception("index follower pass failed; retrying every %s s", FAILURE_PAUSE)
                last_failure = str(exc)
                stop.wait(FAILURE_PAUSE)
                continue
            if indexer.follower.caught_up:
                stop.wait(interval)
    finally:
        if fd is not None:
            os.close(fd)
        connections.close_all()  # this thread's connections


class IndexThread(threading.Thread):
    """``follow`` on a daemon thread (``techtransfer worker``); ``stop()`` ends it."""

    def __init__(self, interval: float = POLL_SECONDS):
        self.stopping = threading.Event()
        super().__init__(target=follow, args=(self.stopping, interval), name="index-follower", daemon=True)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.join(timeout)


def start_index_thread(interval: float = POLL_SECONDS) -> IndexThread:
    thread = IndexThread(interval)
    thread.start()
    return thread
