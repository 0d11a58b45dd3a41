"""Open exchange between platforms (数据互通): what this instance publishes and what it takes from its peers.

- **Publishing.** :class:`FeedEntry` holds the current exchange representation of every record a visitor may
  see (or its tombstone once it is withdrawn, hidden or deleted), one row per record, with a sequence number from
  :class:`FeedCounter` that is taken and committed in order (``services.feed``), so that the change feed
  ``GET /api/v1/exchange/feed?since=`` pages in commit order without skipping or repeating a record.
  :class:`InstanceKey` is the instance's Ed25519 signing key (one active at a time; old ones kept, retired).
- **Taking.** A :class:`Peer` is another platform this instance pulls from; each pull is a :class:`PullRun`;
  what it brings is kept as :class:`FederatedRecord` (read-only, with provenance), linked to the local or
  federated record it duplicates rather than shown twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Record


class FeedCounter(models.Model):
    """The one row whose ``value`` is the last sequence number handed out (``services.feed.next_seq``)."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("feed counter")
        verbose_name_plural = _("feed counters")

    def __str__(self) -> str:
        return str(self.value)


class FeedEntry(models.Model):
    """One published record in the change feed: its exchange representation (``data``, valid against the
    published schema) or, when ``deleted``, a tombstone. ``seq`` moves up each time the representation changes."""

    kind = models.CharField(_("kind"), max_length=32)
    local_id = models.CharField(_("local id"), max_length=64)
    seq = models.BigIntegerField(_("sequence"), unique=True)
    deleted = models.BooleanField(_("withdrawn or deleted"), default=False)
    data = models.JSONField(_("exchange record"), null=True, blank=True)
    digest = models.CharField(_("digest"), max_length=64, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["kind", "local_id"], name="exchange_one_entry_per_record")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}:{self.local_id}{' (tombstone)' if self.deleted else ''}"


class InstanceKey(models.Model):
    """The instance's Ed25519 key pair for signing feed pages (raw keys, base64). The private key may instead come
    from ``TECHTRANSFER_EXCHANGE_KEY``; then this table holds only its public half."""

    instance_id = models.CharField(_("instance id"), max_length=64)
    public_key = models.CharField(_("public key"), max_length=64)
    private_key = models.CharField(_("private key"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("instance signing key")
        verbose_name_plural = _("instance signing keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="exchange_one_active_key")
        ]

    def __str__(self) -> str:
        return f"{self.instance_id} {self.public_key[:12]}…"


class PeerStatus(models.TextChoices):
    NEVER = "never", _("Never pulled")
    OK = "ok", _("OK")
    FAILED = "failed", _("Failed")


class Peer(Record):
    """Another platform this instance takes records from (registered by a platform administrator)."""

    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("address"), help_text=_("the platform's address, e.g. https://market.example.cn"))
    instance_id = models.CharField(
        _("instance id"), max_length=64, unique=True, help_text=_("the peer's own instance id, as in its feed")
    )
    public_key = models.CharField(
        _("public key"), max_length=64, help_text=_("the peer's Ed25519 public key (base64), checked out of band")
    )
    kinds = models.JSONField(_("what to take"), default=list, blank=True, help_text=_("record kinds; empty: all"))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the region the peer serves (a city platform of this province, another province)"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    cursor = models.CharField(_("cursor"), max_length=64, blank=True, help_text=_("where the next pull starts"))
    last_pulled_at = models.DateTimeField(_("last pulled"), null=True, blank=True)
    last_status = models.CharField(
        _("last status"), max_length=8, choices=PeerStatus.choices, default=PeerStatus.NEVER
    )
    last_message = models.TextField(_("last message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("peer platform")
        verbose_name_plural = _("peer platforms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PullRun(models.Model):
    """One pull from a peer: what it brought and how it ended (a failed run changes nothing locally)."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    cursor_from = models.CharField(_("from cursor"), max_length=64, blank=True)
    cursor_to = models.CharField(_("to cursor"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("pull")
        verbose_name_plural = _("pulls")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.peer} {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"


class FederatedRecord(Record):
    """A record of a peer platform, kept read-only with its provenance (``peer``, ``global_id``, ``source_url``).
    ``withdrawn`` once the peer withdraws or deletes it; ``duplicate_of_*`` links it to the local record (or an
    earlier federated one) it duplicates — same patent number, or same title and owner credit code — so that lists
    and search show it once."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="records")
    global_id = models.CharField(_("global id"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    seq = models.BigIntegerField(_("peer sequence"), default=0)
    data = models.JSONField(_("exchange record"), default=dict)
    title = models.CharField(_("title"), max_length=300, blank=True)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True, db_index=True)
    tech_field_code = models.CharField(_("technical field"), max_length=16, blank=True)
    owner_name = models.CharField(_("owner"), max_length=200, blank=True)
    owner_credit_code = models.CharField(_("owner credit code"), max_length=18, blank=True, db_index=True)
    patent_numbers = models.JSONField(_("patent numbers"), default=list, blank=True)
    source_url = models.URLField(_("source page"), max_length=500, blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False, db_index=True)
    duplicate_of_kind = models.CharField(_("duplicate of (kind)"), max_length=32, blank=True)
    duplicate_of_local_id = models.BigIntegerField(_("duplicate of (local record)"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of (federated record)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )

    class Meta:
        verbose_name = _("federated record")
        verbose_name_plural = _("federated records")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["kind", "withdrawn"])]

    def __str__(self) -> str:
        return self.title or self.global_id

    @classmethod
    def public_q(cls) -> Q:
        return Q(withdrawn=False)
