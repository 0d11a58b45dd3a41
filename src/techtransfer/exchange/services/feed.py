"""The change feed: one ``FeedEntry`` per published record, paged by a sequence number committed in order.

**Why paging is stable.** Every change of an entry takes the next number from ``FeedCounter`` inside a short
transaction whose *first* statement is the counter's update (``refresh``): on PostgreSQL the update locks the
counter row until commit, on SQLite it takes the database's write lock (the settings use IMMEDIATE transactions).
So numbers become visible in the order they were handed out: once a reader sees number N, every smaller number
that will ever be visible already is. A reader that asks for ``seq > cursor`` (``page``) and moves its cursor to the
last number it received can therefore miss nothing; an entry that changes again moves to a new, higher number and
is delivered again, with its latest state, on a later page. Each entry is one row per record, so a page never
carries two states of one record, and a reader that follows the feed to its end has every record's latest state.

**Idempotent.** ``refresh`` recomputes the representation and compares its digest (SHA-256 of the canonical JSON,
``signing.canonical``) with the entry's; nothing changes, and no number is taken, when they are equal. A record a
visitor may no longer see (withdrawn, hidden, marked restricted or controlled, deleted) becomes a tombstone once;
a record that was never in the feed leaves no tombstone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.core.errors import DomainError
from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.models import FeedCounter, FeedEntry

from . import serialize
from .keys import identity

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
CHUNK = 200  # records re-read per batch by refresh and rebuild
LOCKED_CHUNK = 50  # records written per transaction holding the counter (keep it short: feed writers wait)


def digest(record: dict | None) -> str:
    return hashlib.sha256(signing.canonical(record)).hexdigest() if record is not None else ""


def _ensure_counter() -> None:
    if not FeedCounter.objects.filter(pk=1).exists():
        try:
            with transaction.atomic():
                FeedCounter.objects.create(pk=1, value=0)
        except IntegrityError:  # another process made it first
            pass


def _changed(entry: FeedEntry | None, record: dict | None) -> bool:
    if record is None:
        return entry is not None and not entry.deleted
    return entry is None or entry.deleted or entry.digest != digest(record)


def refresh(kind: str, local_ids: Iterable) -> int:
    """Bring the feed entries of these records up to date; returns how many entries changed (0 when nothing did)."""
    if kind not in fmt.KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    ids = sorted({str(i) for i in local_ids if i is not None and str(i) != ""})
    changed = 0
    for start in range(0, len(ids), CHUNK):
        changed += _refresh_chunk(kind, ids[start : start + CHUNK])
    return changed


def _refresh_chunk(kind: str, ids: list[str]) -> int:
    # A first look without the lock: most refreshes find nothing changed and take no number.
    with serialize.instance_cached():
        current = serialize.records(kind, ids)
    entries = {e.local_id: e for e in FeedEntry.objects.filter(kind=kind, local_id__in=ids)}
    stale = [i for i in ids if _changed(entries.get(i), current[i])]
    if not stale:
        return 0
    _ensure_counter()
    changed = 0
    for start in range(0, len(stale), LOCKED_CHUNK):
        changed += _write(kind, stale[start : start + LOCKED_CHUNK])
    return changed


def _write(kind: str, ids: list[str]) -> int:
    """Publish the changed records among ``ids`` in one short transaction that holds the counter."""
    with transaction.atomic(), serialize.instance_cached():
        # FIRST the counter's update: it serializes the writers of the feed until this commit (see above).
        FeedCounter.objects.filter(pk=1).update(value=F("value") + 1)
        seq = FeedCounter.objects.values_list("value", flat=True).get(pk=1)
        # Read the records again under the lock, so that of two concurrent refreshes the later one writes the
        # later state.
        current = serialize.records(kind, ids)
        entries = {e.local_id: e for e in FeedEntry.objects.filter(kind=kind, local_id__in=ids)}
        last, changed = seq - 1, 0
        for local_id in ids:
            record, entry = current[local_id], entries.get(local_id)
            if not _changed(entry, record):
                continue
            last += 1
            if entry is None:
                entry = FeedEntry(kind=kind, local_id=local_id)
            entry.seq = last
            entry.deleted = record is None
            entry.data = record
            entry.digest = digest(record)
            entry.save()
            changed += 1
        if last > seq:  # more than the one number taken first
            FeedCounter.objects.filter(pk=1).update(value=last)
        # (none used: the number taken stays a gap; gaps are allowed, order is what counts)
    return changed


def rebuild(progress: Callable[[str], None] | None = None) -> int:
    """Refresh every record of every kind: the visible ones and those already in the feed (which may have to become
    tombstones). For installation and upgrades (``techtransfer exchange rebuild-feed``)."""
    total = 0
    for kind in fmt.KINDS:
        ids = {str(i) for i in serialize.SOURCES[kind].all_ids()}
        ids |= set(FeedEntry.objects.filter(kind=kind, deleted=False).values_list("local_id", flat=True))
        ordered = sorted(ids, key=lambda i: (len(i), i))
        changed = 0
        for start in range(0, len(ordered), CHUNK):
            changed += refresh(kind, ordered[start : start + CHUNK])
            if progress:
                progress(f"{kind}: {min(start + CHUNK, len(ordered))}/{len(ordered)} read, {changed} changed")
        if progress and not ordered:
            progress(f"{kind}: nothing to publish")
        total += changed
    return total


# -- reading --------------------------------------------------------------------------------------------------------


def parse_cursor(since) -> int:
    """The cursor as a number: empty or missing is the beginning (0); anything but decimal digits is a 400."""
    text = "" if since is None else str(since).strip()
    if text == "":
        return 0
    if not text.isdigit() or len(text) > 19:
        raise DomainError(
            _("since must be a cursor from this feed: the decimal number in a page's 'next' (or empty for the start)"),
            field="since",
            code="bad_cursor",
            status=400,
        )
    return int(text)


def parse_limit(limit) -> int:
    if limit is None or str(limit).strip() == "":
        return DEFAULT_LIMIT
    text = str(limit).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise DomainError(
            _("limit must be a whole number from 1 to %(max)d") % {"max": MAX_LIMIT},
            field="limit",
            code="bad_limit",
            status=400,
        )
    return int(text)


def absolute_record(record: dict | None, base: str) -> dict | None:
    """The record as published: its ``url`` made absolute with ``base`` (null without a public address)."""
    if record is None:
        return None
    return {**record, "url": serialize.absolute(record.get("url"), base)}


def item(entry: FeedEntry, base: str) -> dict:
    return {
        "id": serialize.global_id(entry.kind, entry.local_id),
        "kind": entry.kind,
        "seq": str(entry.seq),
        "deleted": entry.deleted,
        "changed_at": serialize.iso(entry.changed_at),
        "record": None if entry.deleted else absolute_record(entry.data, base),
    }


def page(since=None, limit=None, base: str = "") -> dict:
    """The signed page of entries changed after ``since`` (``format.PAGE_SCHEMA``), at most ``limit`` of them."""
    after, size = parse_cursor(since), parse_limit(limit)
    me = identity()
    rows = list(FeedEntry.objects.filter(seq__gt=after).order_by("seq")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    base = base or serialize.public_base()
    with serialize.instance_cached():
        items = [item(e, base) for e in rows]
    doc = {
        "format": fmt.FORMAT,
        "version": fmt.VERSION,
        "instance": me.instance_id,
        "since": "" if since in (None, "") else str(after),
        "next": str(rows[-1].seq if rows else after),
        "has_more": has_more,
        "generated_at": serialize.iso(timezone.now()),
        "items": items,
    }
    return signing.sign_document(doc, me.private_key)


def key_document() -> dict:
    """What ``/.well-known/techtransfer-exchange.json`` and ``/api/v1/exchange/key`` publish."""
    me = identity()
    return {
        "format": fmt.FORMAT,
        "version": fmt.VERSION,
        "instance": me.instance_id,
        "alg": signing.ALG,
        "key_id": me.key_id,
        "public_key": me.public_key,
        "feed": "/api/v1/exchange/feed",
        "schema": "/api/v1/exchange/schema",
    }


def summary(per_kind: bool = False) -> dict:
    """Feed size and last number; with ``per_kind`` the live and withdrawn entries of each kind."""
    agg = FeedEntry.objects.aggregate(n=Count("id"), live=Count("id", filter=Q(deleted=False)), last=Max("seq"))
    out = {"entries": agg["n"], "live": agg["live"], "last_seq": agg["last"] or 0}
    if per_kind:
        counts = {k: {"live": 0, "withdrawn": 0} for k in fmt.KINDS}
        for row in FeedEntry.objects.values("kind", "deleted").annotate(n=Count("id")):
            counts.setdefault(row["kind"], {"live": 0, "withdrawn": 0})
            counts[row["kind"]]["withdrawn" if row["deleted"] else "live"] = row["n"]
        out["kinds"] = counts
    return out
