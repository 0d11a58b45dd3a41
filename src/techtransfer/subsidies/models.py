"""Subsidy and reward policies — 奖补政策 — as versioned data.

A ``Policy`` is what a government issues (code, name, region, department, legal basis); its rules live in
``PolicyVersion`` rows: a draft is edited, a published version never changes (a change is a new version, made
by ``services.new_draft``), and the version effective on a contract's certification date applies.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Stamped

MONEY = {"max_digits": 16, "decimal_places": 2}


class Policy(Stamped):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("issuing region"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("issuing department"), max_length=200, blank=True)
    legal_document = models.CharField(_("legal basis (document)"), max_length=300, blank=True)
    legal_clause = models.TextField(_("legal basis (clause)"), blank=True)

    scope_region_field = "region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("subsidy policy")
        verbose_name_plural = _("subsidy policies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @classmethod
    def public_q(cls) -> Q:
        return Q()  # policies are public law


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PolicyVersion(Stamped):
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True, help_text=_("empty: open-ended"))
    budget_per_year = models.DecimalField(
        _("budget per year (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("empty: no budget cap"),
    )
    rules = models.JSONField(_("rules"), help_text=_("The rules document (docs/subsidies.md)."))
    note = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_region_field = "policy__region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy__code", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="subsidies_version_number")]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"

    @classmethod
    def public_q(cls) -> Q:
        return Q(status=VersionStatus.PUBLISHED)

    @property
    def published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED
