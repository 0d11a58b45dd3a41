"""Sending and reading notifications. The sender decides who is told and what the notice says; this module
stores it (one row per user, title and link cut to their column lengths) and answers the inbox."""

from __future__ import annotations

from collections.abc import Iterable

from techtransfer.accounts.permissions import principal

from .models import Notification

__all__ = ["notify", "already_notified", "notifications_for", "mark_read"]


def notify(users, title: str, url: str = "") -> int:
    """Put one notice in the inbox of each of ``users`` (a user or an iterable of users; ``None`` entries and
    repeated users are skipped). Returns how many notices were written."""
    if users is None or not isinstance(users, Iterable):
        users = [users]
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        Notification.objects.create(user=user, title=title[:200], url=url[:300])
    return len(seen)


def already_notified(user, url: str) -> bool:
    """Whether ``user`` already has a notice linking to ``url`` (senders use it to tell about a record once)."""
    return Notification.objects.filter(user=user, url=url).exists()


def notifications_for(user, unread_only: bool = False):
    """The user's own notices, newest first (none for anonymous users)."""
    qs = Notification.objects.filter(user_id=principal(user).user_id)
    return qs.filter(read=False) if unread_only else qs


def mark_read(user, pk=None) -> int:
    """Mark the user's unread notices (or only notice ``pk``) read. Returns how many changed."""
    qs = notifications_for(user, unread_only=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read=True)
