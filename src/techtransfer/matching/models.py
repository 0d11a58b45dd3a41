"""Matching records: follow-up cases (对接跟踪), their notes and saved searches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Notifications moved to their own app; the name stays importable here for callers not yet moved.
from techtransfer.notifications.models import Notification  # noqa: F401


class CaseStatus(models.TextChoices):
    CONTACTED = "contacted", _("Contacted")
    MEETING = "meeting", _("Meeting")
    NEGOTIATION = "negotiation", _("Negotiation")
    CONTRACT = "contract", _("Contract signed")
    CLOSED = "closed", _("Closed without contract")


OPEN_STATUSES = (CaseStatus.CONTACTED, CaseStatus.MEETING, CaseStatus.NEGOTIATION)


class MatchCase(models.Model):
    """One matchmaking follow-up between a demand and an achievement and/or an expert."""

    demand = models.ForeignKey("catalog.Demand", verbose_name=_("demand"), on_delete=models.PROTECT,
                               related_name="match_cases")
    achievement = models.ForeignKey("catalog.Achievement", verbose_name=_("achievement"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="match_cases")
    expert = models.ForeignKey("people.ExpertProfile", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="match_cases")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned broker"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="brokered_cases")
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.CONTACTED,
                              db_index=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_field = "demand__region_id"
    scope_org_field = "demand__owner_id"

    class Meta:
        verbose_name = _("matchmaking case")
        verbose_name_plural = _("matchmaking cases")
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return f"#{self.pk} {self.demand} ({self.get_status_display()})"


class CaseNote(models.Model):
    case = models.ForeignKey(MatchCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["happened_on", "pk"]

    def __str__(self):
        return f"{self.happened_on}: {self.text[:40]}"


class SavedSearch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=200, blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    notify = models.BooleanField(_("notify me of new matches"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name
