"""Controlled dual-use information (军民两用) — the models: access grants to controlled records or to a controlled
category, the log of every view of a controlled record, and declassification (降解密) proposals with their history.

The marking itself is ``WorkflowRecord.classification`` (public / restricted / controlled); the rules of who sees
what are in ``catalog.permissions`` and ``catalog.services`` (docs/catalog.md, "Dual-use information").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class AccessGrant(models.Model):
    """A user's access to one controlled record, or to the controlled records of a technical field in a region
    (a controlled category), for a purpose and a period — 涉密信息知悉授权. Applied for by the user, decided by a
    designated approver of the owning unit or of the region; it lapses at ``valid_until`` and can be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.CASCADE, related_name="+"
    )
    achievement = models.ForeignKey(
        "catalog.Achievement", null=True, blank=True, on_delete=models.CASCADE, related_name="access_grants"
    )
    demand = models.ForeignKey(
        "catalog.Demand", null=True, blank=True, on_delete=models.CASCADE, related_name="access_grants"
    )
    # A category grant: every controlled record of this technical field whose region lies inside ``region``.
    tech_field = models.ForeignKey(
        "taxonomy.TechField",
        verbose_name=_("technical field"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING, db_index=True
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access grant to controlled information")
        verbose_name_plural = _("access grants to controlled information")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement__isnull=False, demand__isnull=True, tech_field__isnull=True)
                | Q(achievement__isnull=True, demand__isnull=False, tech_field__isnull=True)
                | Q(achievement__isnull=True, demand__isnull=True, tech_field__isnull=False, region__isnull=False),
                name="grant_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="grant_period_order",
            ),
        ]

    def __str__(self) -> str:
        subject = self.achievement or self.demand or f"{self.tech_field_id} @ {self.region_id}"
        return f"{self.user} → {subject} ({self.get_status_display()})"


class ViewChannel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    EXPORT = "export", _("Export")


class ControlledView(models.Model):
    """One view of a controlled record — who, when, through which channel, from where (reviewed by approvers)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    achievement = models.ForeignKey(
        "catalog.Achievement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    demand = models.ForeignKey("catalog.Demand", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    grant = models.ForeignKey(AccessGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="views")
    channel = models.CharField(_("channel"), max_length=8, choices=ViewChannel.choices)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("view of controlled information")
        verbose_name_plural = _("views of controlled information")
        ordering = ["-viewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.achievement or self.demand} · {self.viewed_at:%Y-%m-%d %H:%M}"


class DeclassificationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPLIED = "applied", _("In force")


class Declassification(models.Model):
    """A change of a record's marking — 降解密: the owner proposes a lower (or higher) level from a date, an approver
    decides; the record takes the new level on ``effective_on`` (the daily job applies approved ones that are due).
    Rows are never deleted: they are the record's classification history."""

    achievement = models.ForeignKey(
        "catalog.Achievement", null=True, blank=True, on_delete=models.CASCADE, related_name="declassifications"
    )
    demand = models.ForeignKey(
        "catalog.Demand", null=True, blank=True, on_delete=models.CASCADE, related_name="declassifications"
    )
    from_level = models.CharField(_("from"), max_length=12)
    to_level = models.CharField(_("to"), max_length=12)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeclassificationStatus.choices,
        default=DeclassificationStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("declassification")
        verbose_name_plural = _("declassifications")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement__isnull=False, demand__isnull=True)
                | Q(achievement__isnull=True, demand__isnull=False),
                name="declassification_of_one_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement or self.demand}: {self.from_level} → {self.to_level} ({self.effective_on})"
