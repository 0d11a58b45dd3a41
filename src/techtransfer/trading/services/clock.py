"""The clock — what ends by time: listing periods, auctions and clean notice periods. Run every minute by the
periodic task (``trading.tasks``); the tests call it with an explicit ``now``."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from techtransfer.core.errors import Conflict, DomainError
from techtransfer.trading.models import (
    Auction,
    AuctionStatus,
    Listing,
    ListingStatus,
    Notice,
    NoticeStatus,
    ObjectionOutcome,
)
from techtransfer.trading.services.auctions import close_auction
from techtransfer.trading.services.listings import close_listing
from techtransfer.trading.services.notices import finalize_notice

log = logging.getLogger(__name__)


def close_due(now: datetime.datetime | None = None) -> dict:
    """Close whatever the clock has ended: listing periods, auctions, clean notice periods. Each lot in its own
    transaction; one failure is logged and does not stop the others. Safe to run twice."""
    now = now or timezone.now()
    done = {"listings": 0, "auctions": 0, "notices": 0, "errors": 0}
    jobs = [
        ("listings", close_listing, Listing.objects.filter(status=ListingStatus.OPEN, ends_at__lte=now)),
        ("auctions", close_auction, Auction.objects.filter(status=AuctionStatus.OPEN, ends_at__lte=now)),
        (
            "notices",
            finalize_notice,
            Notice.objects.filter(status=NoticeStatus.IN_PERIOD, ends_at__lte=now).exclude(
                objections__outcome=ObjectionOutcome.PENDING
            ),
        ),
    ]
    for key, fn, qs in jobs:
        for lot in list(qs.order_by("ends_at", "pk")):
            try:
                fn(lot, now)
                done[key] += 1
            except (Conflict, DomainError) as exc:
                log.info("trading: %s %s not closed: %s", key, lot.pk, exc.message)
            except Exception:  # noqa: BLE001 — keep the clock going for the other lots
                log.exception("trading: closing %s %s failed", key, lot.pk)
                done["errors"] += 1
    return done
