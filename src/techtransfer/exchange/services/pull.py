"""Pulling a peer's change feed (``GET {base_url}/api/v1/exchange/feed?since=&limit=``) into federated records.

Guarantees:

- **Nothing unverified is applied.** Each page is fetched (with a timeout and a size cap), parsed, its Ed25519
  signature verified with the peer's registered key (``signing.verify_document``), checked against the published
  format (``format.validate_page``), and checked to come from the peer (``instance`` is the peer's instance id,
  every item id starts with it, ``since`` is the cursor asked for). Only then is it applied, in one transaction
  with the move of the peer's cursor to the page's ``next``.
- **A failure stops the run and changes nothing for that page** (earlier, verified pages of the run stay
  applied; their cursor moved with them). The run is reported: ``PullRun.ok`` False with the message, the peer's
  ``last_status``/``last_message``, and a notification to the platform administrators.
- **Idempotent.** An item whose ``seq`` is not newer than the stored one is left alone, so pulling the same pages
  again changes nothing.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.models import FederatedRecord, Peer, PeerStatus, PullRun
from techtransfer.exchange.services import federated
from techtransfer.notifications import services as notifications
from techtransfer.outbox import services as outbox

log = logging.getLogger(__name__)

PAGE_LIMIT = 200
MAX_PAGE_BYTES = 16 * 1024 * 1024  # 200 records are far below this; a larger answer is not a feed page
MAX_PAGES = 10_000  # a run stops after this many pages and goes on next time
REINDEX_TOPIC = "matching.reindex"  # the search index's topic (matching.receivers.REINDEX)
# Federated kinds that are searchable, and the search document kind each becomes (``exchange.search``).
SEARCH_KINDS = {"achievement": "network_achievement", "demand": "network_demand"}
USER_AGENT = "TechTransfer-exchange/1.0"


class PullError(Exception):
    """Why a page was refused (the message is shown to administrators as it is)."""


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    changed: dict = field(default_factory=dict)


def feed_url(peer: Peer, since: str) -> str:
    query = urllib.parse.urlencode({"since": since or "0", "limit": PAGE_LIMIT})
    return f"{peer.base_url.rstrip('/')}/api/v1/exchange/feed?{query}"


def _open(url: str, timeout: float):
    # ``fetch`` lets only http:// and https:// addresses through (an address a platform administrator registered).
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - see above
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - see above


def fetch(url: str, timeout: float = 10) -> dict:
    """The JSON object at ``url``; ``PullError`` when the peer cannot be reached, is slower than ``timeout``
    seconds (per read and for the whole answer), answers an HTTP error, more than ``MAX_PAGE_BYTES`` or no JSON."""
    if not url.startswith(("http://", "https://")):
        raise PullError(_("The peer's address must start with http:// or https://."))
    deadline = time.monotonic() + timeout
    try:
        with _open(url, timeout) as response:
            chunks, size = [], 0
            while True:
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_PAGE_BYTES:
                    raise PullError(
                        _("The peer's answer is larger than %(mb)s MB.") % {"mb": MAX_PAGE_BYTES // (1024 * 1024)}
                    )
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError
    except urllib.error.HTTPError as exc:
        raise PullError(
            _("The peer answered HTTP %(status)s for %(url)s.") % {"status": exc.code, "url": url}
        ) from None
    except (TimeoutError, OSError, urllib.error.URLError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        if isinstance(exc, TimeoutError) or "timed out" in str(reason):
            raise PullError(
                _("The peer did not answer within %(s)s seconds (%(url)s).") % {"s": timeout, "url": url}
            ) from None
        raise PullError(
            _("Could not reach the peer at %(url)s: %(reason)s.") % {"url": url, "reason": reason}
        ) from None
    try:
        doc = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PullError(_("The peer's answer is not JSON (%(url)s).") % {"url": url}) from None
    if not isinstance(doc, dict):
        raise PullError(_("The peer's answer is not a JSON object (%(url)s).") % {"url": url})
    return doc


def check_page(peer: Peer, doc: dict, since: str) -> None:
    """Raise ``PullError`` unless ``doc`` is a page of ``peer``'s feed from ``since``, signed with its key."""
    try:
        signing.verify_document(doc, peer.public_key)
    except signing.SignatureError as exc:
        raise PullError(_("The page's signature is not valid: %(why)s.") % {"why": exc}) from None
    try:
        fmt.validate_page(doc)
    except fmt.FormatError as exc:
        raise PullError(_("The page does not follow the exchange format: %(why)s.") % {"why": exc}) from None
    if doc["instance"] != peer.instance_id:
        raise PullError(
            _("The page comes from instance %(got)s, not from %(want)s.")
            % {"got": doc["instance"], "want": peer.instance_id}
        )
    if int(doc["since"] or 0) != int(since or 0):
        raise PullError(
            _("The page starts at %(got)s, not at the cursor %(want)s asked for.")
            % {"got": doc["since"] or "0", "want": since or "0"}
        )
    if int(doc["next"]) < int(since or 0):
        raise PullError(
            _("The page's next cursor %(next)s goes back before %(since)s.")
            % {"next": doc["next"], "since": since or "0"}
        )
    prefix = peer.instance_id + "/"
    for n, item in enumerate(doc["items"]):
        if not item["id"].startswith(prefix):
            raise PullError(
                _("Item %(n)s (%(id)s) is not a record of %(peer)s.")
                % {"n": n, "id": item["id"], "peer": peer.instance_id}
            )


def _apply_item(peer: Peer, item: dict, counts: _Counts) -> None:
    seq = int(item["seq"])
    rec = FederatedRecord.objects.select_for_update().filter(global_id=item["id"]).first()
    if rec is not None and rec.seq >= seq:
        counts.unchanged += 1
        return
    if item["deleted"]:
        if rec is None or rec.withdrawn:
            if rec is not None:
                rec.seq = seq
                rec.save(update_fields=["seq", "updated_at"])
            counts.unchanged += 1
            return
        rec.withdrawn, rec.seq = True, seq
        federated.link_duplicate(rec)
        rec.save()
        # Records that pointed to it are records in their own right again.
        for dup in FederatedRecord.objects.filter(duplicate_of=rec):
            federated.link_duplicate(dup)
            dup.save()
            _changed(counts, dup)
        counts.withdrawn += 1
        _changed(counts, rec)
        return
    created = rec is None
    if created:
        rec = FederatedRecord(peer=peer, global_id=item["id"])
    rec.kind, rec.seq, rec.data, rec.withdrawn = item["kind"], seq, item["record"], False
    for name, value in federated.fields_from(item["record"]).items():
        setattr(rec, name, value)
    federated.link_duplicate(rec)
    rec.save()
    if created:
        counts.created += 1
    else:
        counts.updated += 1
    _changed(counts, rec)


def _changed(counts: _Counts, rec: FederatedRecord) -> None:
    kind = SEARCH_KINDS.get(rec.kind)
    if kind:
        counts.changed.setdefault(kind, set()).add(rec.pk)


def apply_page(peer: Peer, doc: dict, run: PullRun) -> None:
    """Apply a checked page and move the peer's cursor, in one transaction (with the search index's follow-up)."""
    counts = _Counts()
    with transaction.atomic():
        for item in doc["items"]:
            if peer.kinds and item["kind"] not in peer.kinds:
                counts.unchanged += 1
                continue
            _apply_item(peer, item, counts)
        for kind, pks in counts.changed.items():
            outbox.publish(REINDEX_TOPIC, {"kind": kind, "pks": sorted(pks)})
        Peer.objects.filter(pk=peer.pk).update(cursor=doc["next"])
        peer.cursor = doc["next"]
    run.pages += 1
    run.created += counts.created
    run.updated += counts.updated
    run.withdrawn += counts.withdrawn
    run.unchanged += counts.unchanged
    run.cursor_to = doc["next"]


def platform_admins() -> list:
    ids = RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def pull(peer: Peer, *, max_pages: int | None = None, timeout: float = 10, progress=None) -> PullRun:
    """Pull ``peer``'s feed from its cursor, page by page, until it has no more (or ``max_pages``)."""
    say = progress or (lambda _msg: None)
    run = PullRun.objects.create(peer=peer, cursor_from=peer.cursor, cursor_to=peer.cursor)
    limit = max_pages or MAX_PAGES
    try:
        while run.pages < limit:
            since = peer.cursor or "0"
            url = feed_url(peer, since)
            doc = fetch(url, timeout=timeout)
            check_page(peer, doc, since)
            apply_page(peer, doc, run)
            say(
                _("page %(n)s: %(items)s items, next cursor %(next)s")
                % {"n": run.pages, "items": len(doc["items"]), "next": doc["next"]}
            )
            if not doc["has_more"]:
                break
            if doc["next"] == since:
                raise PullError(_("The peer says it has more but its cursor does not move (%(c)s).") % {"c": since})
        run.ok = True
        run.message = _("%(pages)s pages: %(new)s new, %(upd)s updated, %(wd)s withdrawn, %(same)s unchanged.") % {
            "pages": run.pages,
            "new": run.created,
            "upd": run.updated,
            "wd": run.withdrawn,
            "same": run.unchanged,
        }
    except PullError as exc:
        run.ok = False
        run.message = str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever a peer sends, the run is reported, never a crash
        log.exception("pull from %s failed", peer.instance_id)
        run.ok = False
        run.message = _("The pull failed: %(error)s") % {"error": exc.__class__.__name__}
    _finish(peer, run)
    return run


def _finish(peer: Peer, run: PullRun) -> None:
    now = timezone.now()
    run.finished_at = now
    run.save()
    was_ok = peer.last_status != PeerStatus.FAILED
    Peer.objects.filter(pk=peer.pk).update(
        last_pulled_at=now, last_message=run.message[:2000], last_status=PeerStatus.OK if run.ok else PeerStatus.FAILED
    )
    peer.last_pulled_at, peer.last_message = now, run.message[:2000]
    peer.last_status = PeerStatus.OK if run.ok else PeerStatus.FAILED
    if not run.ok and was_ok:  # told once when a peer starts failing, not every quarter of an hour
        notifications.notify(
            platform_admins(),
            _("Pull from %(peer)s failed: %(message)s") % {"peer": peer.name, "message": run.message},
            url=reverse("exchange:peer", args=[peer.pk]),
        )


def pull_all(*, timeout: float = 10, progress=None) -> list[PullRun]:
    """Pull every enabled peer (one after another; a failing peer does not stop the others)."""
    return [pull(peer, timeout=timeout, progress=progress) for peer in Peer.objects.filter(enabled=True)]
