"""The outbox: an append-only log of committed changes and of the follow-ups they need.

An :class:`Event` is written in the same transaction as the change it describes (``services.publish``), so it
exists exactly when the change committed. Two kinds of readers use the same rows:

- the **relay** hands each event once to the task queue, one job per registered handler of its topic; its
  progress is per row (``relayed_at``, ``claimed_until``), because ids are taken at insert time but committed
  in any order, so "everything up to id N" is not a safe position for it;
- **followers** (e.g. each host's search index, which must see every change, not one of them) read the log in id
  order from their own :class:`Cursor` and keep their position there; old events are pruned only once every
  registered cursor is past them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    topic = models.CharField(_("topic"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    # Relay state: set once every handler's job is on the queue. Null = still to relay.
    relayed_at = models.DateTimeField(_("relayed"), null=True, blank=True)
    # A relay that claimed the row holds it until then (a relay that died mid-way releases it by expiry).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["-id"]
        indexes = [
            # The relay's scan: pending rows in id order (a partial index stays as small as the backlog).
            models.Index(fields=["id"], condition=models.Q(relayed_at__isnull=True), name="outbox_event_pending"),
            models.Index(fields=["topic", "id"], name="outbox_event_topic_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.topic}"


class Cursor(models.Model):
    """A follower's position in the log: every event with ``id <= position`` has been applied by it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    position = models.BigIntegerField(_("position"), default=0)
    heartbeat = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        verbose_name = _("change-log cursor")
        verbose_name_plural = _("change-log cursors")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
