from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    """What a target counts. The first three are measured from the contract ledger, demonstration institutions are
    counted from the organizations' demonstration levels (``services.demonstration_actual``); the rest are entered."""

    TURNOVER = "turnover", _("Technology contract turnover (yuan)")
    CONTRACTS = "contracts", _("Registered technology contracts")
    TECH_AMOUNT = "tech_amount", _("Technology transaction amount (yuan)")
    DEMO_INSTITUTIONS = "demo_institutions", _("Technology transfer demonstration institutions")
    MAKER_SPACES = "maker_spaces", _("Recorded maker spaces")
    INCUBATORS = "incubators", _("National incubators")
    REGISTRATION_POINTS = "registration_points", _("Contract registration points")
    DEMO_ZONES = "demo_zones", _("Transformation demonstration zones")


MEASURED = {Indicator.TURNOVER, Indicator.CONTRACTS, Indicator.TECH_AMOUNT}


class Measure(models.TextChoices):
    """What a measured target sums over the ledger."""

    CONTRACT_AMOUNT = "contract_amount", _("Contract amount (合同成交额)")
    TECH_AMOUNT = "tech_amount", _("Technology transaction amount (技术交易额)")
    COUNT = "count", _("Number of contracts")


class Direction(models.TextChoices):
    """Which side of a contract a measured target counts in its region (技术输出 / 技术吸纳)."""

    OUTPUT = "output", _("Output (sellers in the region)")
    ABSORPTION = "absorption", _("Absorption (buyers in the region)")
    BOTH = "both", _("Output + absorption (each side counted once)")


# The measures each measured indicator may use; the first is its default.
INDICATOR_MEASURES = {
    Indicator.TURNOVER: (Measure.CONTRACT_AMOUNT, Measure.TECH_AMOUNT),
    Indicator.TECH_AMOUNT: (Measure.TECH_AMOUNT,),
    Indicator.CONTRACTS: (Measure.COUNT,),
}


class Target(models.Model):
    """A plan target — 规划目标 — for a region and a span of years (domain.md §4); editable by administrators.

    ``cumulative`` targets count the whole span (e.g. Chongqing 2018–2020, three-year total); the others count
    each year of the span on its own. Measured targets name their ``measure`` (contract amount, 技术交易额 or the
    number of contracts) and ``direction``: output counts the contracts whose seller is in the region, absorption
    those whose buyer is, both is output + absorption — a contract with seller and buyer in the region counts once
    on each side (e.g. Guangxi's "annual output and absorption technology transaction amount ≥ ¥10 bn").
    """

    region_code = models.CharField(
        _("region code"), max_length=6, validators=[RegexValidator(r"^\d{6}$", _("A region code has six digits."))]
    )
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"))
    cumulative = models.BooleanField(_("total over the span"), default=False)
    measure = models.CharField(
        _("measure"),
        max_length=16,
        choices=Measure.choices,
        blank=True,
        help_text=_("Measured indicators only; empty takes the indicator's usual measure."),
    )
    direction = models.CharField(
        _("direction"), max_length=12, choices=Direction.choices, default=Direction.OUTPUT
    )
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

    def save(self, *args, **kwargs):
        # A measured target always names its measure, so reports say what they sum.
        if not self.measure and self.indicator in INDICATOR_MEASURES:
            self.measure = INDICATOR_MEASURES[self.indicator][0]
        super().save(*args, **kwargs)

    def clean(self):
        allowed = INDICATOR_MEASURES.get(self.indicator)
        if allowed is None:
            if self.measure:
                raise ValidationError({"measure": _("This indicator is entered, not measured from the ledger.")})
        elif self.measure and self.measure not in allowed:
            raise ValidationError({"measure": _("This measure does not fit the indicator.")})


class ServiceReturn(models.Model):
    """A technology-transfer service institution's yearly return — 技术转移服务机构年度统计报表 — for the
    service-industry statistics (技术转移服务业专项统计, seed 004).

    Holds only what the platform cannot derive: staff, services rendered, service income, and brokered contracts
    that were not registered here. Institutions, brokers and the brokered contracts registered on the platform come
    from its own records (``stats.service_industry``). One return per institution and year, entered by the
    institution's administrator; every change is audited.
    """

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    staff = models.PositiveIntegerField(_("staff"), help_text=_("people employed at the end of the year (从业人员)"))
    services = models.PositiveIntegerField(
        _("services rendered"), help_text=_("service projects completed in the year")
    )
    income = models.DecimalField(_("service income (yuan)"), max_digits=16, decimal_places=2)
    other_contracts = models.PositiveIntegerField(
        _("brokered contracts registered elsewhere"),
        default=0,
        help_text=_("technology contracts the institution brokered that were not registered on this platform"),
    )
    other_amount = models.DecimalField(
        _("their contract amount (yuan)"), max_digits=16, decimal_places=2, default=Decimal("0.00")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "organization__region_id"
    scope_org_field = "organization_id"

    class Meta:
        verbose_name = _("service institution return")
        verbose_name_plural = _("service institution returns")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="stats_one_return_per_year"),
            models.CheckConstraint(
                condition=models.Q(income__gte=0) & models.Q(other_amount__gte=0),
                name="stats_return_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}"
