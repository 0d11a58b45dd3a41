"""Notifications sent by trading — 交易通知: a short line in the platform's notification inbox for the people a
trading event concerns. The only trading module that knows where notifications are kept."""

from __future__ import annotations

from techtransfer.matching.models import Notification
from techtransfer.trading.services.lots import seller_admins


def send(users, title: str, url: str) -> None:
    """One notification per person (each once, whatever the list repeats; ``None`` skipped)."""
    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        Notification.objects.create(user=user, title=title[:200], url=url[:300])


def to_seller(lot, title: str, url: str) -> None:
    """Tell the seller's side: the lot's creator and the seller organization's administrators."""
    send([lot.created_by, *seller_admins(lot.seller_id)], title, url)
