"""The yearly evaluation of technology-transfer institutions — 技术转移机构年度评价 — and its rounds.

- ``IndicatorSet``: a region's evaluation round for one year with its indicators as data (``Indicator`` rows:
  what is counted, from which source, with which weight and direction). Issue 14 item 6; the seeds (Guangxi,
  Chongqing, Tianjin, Yunnan) recognise demonstration institutions (技术转移示范机构), evaluate them every year
  and can revoke the title.
- ``Evaluation``: one institution in one round: what it declared, what the platform's records give, the score,
  the rank, and the region administrator's decision (recognise at a level, keep, warn, revoke) with reasons.

The rules (how the platform values are counted, how the score is computed, who decides) live in ``services``;
docs/evaluation.md explains them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Stamped


class Source(models.TextChoices):
    """Where an indicator's value comes from (docs/evaluation.md, "Sources")."""

    CONTRACTS_BROKERED = "contracts_brokered", _("Contracts brokered (registration ledger)")
    TECH_AMOUNT_BROKERED = "tech_amount_brokered", _("Their technology transaction amount (registration ledger)")
    SERVICES_DELIVERED = "services_delivered", _("Consulting and service contracts (registration ledger)")
    CASES_OPENED = "cases_opened", _("Matchmaking cases opened by its brokers")
    CASES_CONVERTED = "cases_converted", _("Matchmaking cases that reached a contract")
    CERTIFIED_BROKERS = "certified_brokers", _("Certified brokers and managers on staff")
    TRAINING_DELIVERED = "training_delivered", _("Training delivered, hours (self-declared)")
    SUBSIDIES_RECEIVED = "subsidies_received", _("Subsidies paid to it (yuan)")
    COMPLAINTS = "complaints", _("Complaints (self-declared or entered)")


# Sources the platform's own records give; the others are only declared.
PLATFORM_SOURCES = frozenset(
    {
        Source.CONTRACTS_BROKERED,
        Source.TECH_AMOUNT_BROKERED,
        Source.SERVICES_DELIVERED,
        Source.CASES_OPENED,
        Source.CASES_CONVERTED,
        Source.CERTIFIED_BROKERS,
        Source.SUBSIDIES_RECEIVED,
    }
)


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class IndicatorSet(Stamped):
    """An evaluation round — 年度评价 — of a region for one year with its indicator set (指标体系).

    ``published``: the round is open, institutions declare their values; the administrators of ``region`` (the
    issuing region) compute the scores and decide."""

    year = models.PositiveSmallIntegerField(_("evaluation year"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("issuing region"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    published = models.BooleanField(_("open for declarations"), default=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField(_("scores computed at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope_region_field = "region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-year", "region_id"]
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="evaluation_round_year_region")]

    def __str__(self) -> str:
        return self.name or f"{self.year} · {self.region_id}"

    @classmethod
    def public_q(cls) -> Q:
        return Q(pk__in=[])


class Indicator(models.Model):
    """One indicator of a round (data): what it counts (``source``), its weight and direction.

    Normalisation is the share of the best in the round: ``value / max`` (0 when every value is 0); a
    lower-is-better indicator scores ``1 - value / max``. A negative weight makes an indicator a penalty."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["indicator_set", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="evaluation_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} ({self.weight})"

    @property
    def from_platform(self) -> bool:
        return self.source in PLATFORM_SOURCES


class Status(models.TextChoices):
    DRAFT = "draft", _("Not declared yet")
    SUBMITTED = "submitted", _("Declared")
    SCORED = "scored", _("Scored")
    DECIDED = "decided", _("Decided")


class Decision(models.TextChoices):
    RECOGNISE = "recognise", _("Recognise as a demonstration institution")
    KEEP = "keep", _("Keep")
    WARN = "warn", _("Warn")
    REVOKE = "revoke", _("Revoke the title")


class Evaluation(Stamped):
    """One institution in one round: declared values, platform values, score, rank and decision. Never public;
    the institution's members see their own, the administrators of a region those of the institutions inside it."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("round"), on_delete=models.PROTECT, related_name="evaluations"
    )
    declared = models.JSONField(_("declared values"), default=dict, blank=True)
    platform = models.JSONField(_("platform values"), default=dict, blank=True)
    breakdown = models.JSONField(_("score per indicator"), default=dict, blank=True)
    flags = models.JSONField(_("declared values differing from the platform's"), default=list, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    level = models.CharField(_("level recognised"), max_length=12, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    scope_region_field = "organization__region_id"
    scope_org_field = "organization_id"

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["indicator_set", "rank", "organization__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "indicator_set"], name="evaluation_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.indicator_set.year}"

    @classmethod
    def public_q(cls) -> Q:
        return Q(pk__in=[])
