from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    """What a target counts. The first three are measured from the contract ledger; the rest are entered."""

    TURNOVER = "turnover", _("Technology contract turnover (yuan)")
    CONTRACTS = "contracts", _("Registered technology contracts")
    TECH_AMOUNT = "tech_amount", _("Technology transaction amount (yuan)")
    DEMO_INSTITUTIONS = "demo_institutions", _("Technology transfer demonstration institutions")
    MAKER_SPACES = "maker_spaces", _("Recorded maker spaces")
    INCUBATORS = "incubators", _("National incubators")
    REGISTRATION_POINTS = "registration_points", _("Contract registration points")
    DEMO_ZONES = "demo_zones", _("Transformation demonstration zones")


MEASURED = {Indicator.TURNOVER, Indicator.CONTRACTS, Indicator.TECH_AMOUNT}


class Target(models.Model):
    """A plan target — 规划目标 — for a region and a span of years (domain.md §4); editable by administrators.

    ``cumulative`` targets count the whole span (e.g. Chongqing 2018–2020, three-year total); the others count
    each year of the span on its own.
    """

    region_code = models.CharField(
        _("region code"), max_length=6, validators=[RegexValidator(r"^\d{6}$", _("A region code has six digits."))]
    )
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"))
    cumulative = models.BooleanField(_("total over the span"), default=False)
    value = models.DecimalField(_("target value"), max_digits=18, decimal_places=2, default=Decimal("0.00"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_actual = models.DecimalField(
        _("reported actual"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For indicators the ledger does not measure, the figure the region reported."),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["region_code", "year_to", "indicator"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year_to__gte=models.F("year_from")), name="target_years_order"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year_from}–{self.year_to} {self.get_indicator_display()} {self.value}"
