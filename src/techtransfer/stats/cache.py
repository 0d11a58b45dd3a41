"""The statistics' cache — 统计结果缓存: figures and rendered dashboard tables computed once per ledger generation,
scope, period, region and what else changes them (language, table), in Django's cache (Redis when configured,
each process's local memory otherwise).

Invalidation is part of the key: every key starts with the ledger's current generation token
(``contracts.ledger.generation``, one indexed read per request), which the transaction of every registered
contract, amendment, cancellation and summary rebuild replaces. So a host never serves figures older than the
last committed change, whatever cache it has, and entries of older generations are simply never asked for again
(they expire after ``STATS_CACHE_SECONDS``).

Nothing is keyed by user: entries are shared by everyone whose scope gives the same figures (``scope_key``), and
a scope that could see less is never served an entry computed for more (its key differs).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from techtransfer.contracts import ledger
from techtransfer.regions.services import is_within

T = TypeVar("T")
log = logging.getLogger(__name__)

# Bumped when the shape of a cached value changes, so hosts running two versions side by side (a rolling update
# sharing one Redis) never read each other's values.
VERSION = 1
DEFAULT_SECONDS = 3600
_pinned: ContextVar[str | None] = ContextVar("stats_generation", default=None)


def seconds() -> int:
    """How long an entry is kept (setting ``STATS_CACHE_SECONDS``, default one hour; 0 turns the cache off). Only
    what the generation does not cover waits for it: renamed classifications, edited region names."""
    return int(getattr(settings, "STATS_CACHE_SECONDS", DEFAULT_SECONDS))


def scope_key(scope, region: str | None) -> str:
    """The part of a key that the caller's scope (``services.Scope``) decides. Everything, and a region scope
    asking about a region inside one of its regions, see the same figures as everyone else asking about that
    region ("all"); otherwise the scope itself: its regions and its organizations."""
    if scope.everything:
        return "all"
    if region and not scope.org_ids and any(is_within(region, r) for r in scope.regions):
        return "all"
    return "r=" + ",".join(scope.regions) + ";o=" + ",".join(str(o) for o in scope.org_ids)


@contextmanager
def one_generation() -> Iterator[None]:
    """Read the generation once for a whole request (pages read many entries). Only around reading: a block that
    changed the ledger must not file figures of its own uncommitted transaction under the committed token."""
    token = _pinned.set(ledger.generation())
    try:
        yield
    finally:
        _pinned.reset(token)


def key(*parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"stats:{VERSION}:{_pinned.get() or ledger.generation()}:{digest}"


def cached(parts: tuple, compute: Callable[[], T]) -> T:
    """The value cached for ``parts`` in the current ledger generation, computed (and stored) when missing."""
    timeout = seconds()
    if timeout <= 0:
        return compute()
    k = key(*parts)
    try:
        value = cache.get(k)
    except Exception:  # an unreachable Redis: the figures are still computed, only not kept
        log.warning("statistics cache unavailable for reading", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(k, value, timeout)
        except Exception:
            log.warning("statistics cache unavailable for writing", exc_info=True)
    return value
