"""Notifications sent by trading — 交易通知: a short line in the platform's notification inbox for the people a
trading event concerns. The only trading module that sends them, through the notifications app."""

from __future__ import annotations

from techtransfer.notifications.services import notify as send  # one notice per person, each once
from techtransfer.trading.services.lots import seller_admins


def to_seller(lot, title: str, url: str) -> None:
    """Tell the seller's side: the lot's creator and the seller organization's administrators."""
    send([lot.created_by, *seller_admins(lot.seller_id)], title, url)
