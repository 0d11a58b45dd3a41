"""Annual transformation reports — 科技成果转化年度报告 — and the rounds that collect them.

促进科技成果转化法 art. 21: research institutes and universities set up with state funds report every year to their
supervising department (主管部门) on the achievements they obtained, their transformation and the distribution of
the income; the departments review and forward the reports (国发〔2016〕16号, 财科教〔2017〕22号, the yearly notices).

- ``ReportTemplate``: the report's sections, fields (unit, kind, bounds) and cross-field checks as data
  (``definition``), versioned by the first report year it applies to; ``data.TEMPLATES`` seeds the national layout.
- ``ReportingRound``: a region's collection for one report year, with its deadline (data: national practice is
  31 March of the next year) and the template it uses.
- ``AnnualReport``: one unit's report for a year — draft → submitted → returned (with comments) → submitted →
  accepted by the supervising department; accepted reports are what the science departments receive and sum.
- ``ReportAction``: the report's history (each submission, return and acceptance with its comment).
- ``Reminder``: a reminder sent to a unit for a round and a number of days before the deadline (sent once).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Record, Stamped

MONEY = {"max_digits": 16, "decimal_places": 2}


class ReportTemplate(Stamped):
    """The report's layout for the report years from ``version`` on (the newest version ≤ the year applies)."""

    version = models.PositiveSmallIntegerField(_("first report year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source (notice)"), max_length=300, blank=True)
    definition = models.JSONField(_("sections, fields and checks"))
    tolerance_percent = models.DecimalField(
        _("tolerance (percent)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(0)],
        help_text=_("a declared figure further than this from the registered one needs an explanation"),
    )
    tolerance_amount = models.DecimalField(
        _("tolerance (yuan or count)"),
        **MONEY,
        default=Decimal("10000.00"),
        validators=[MinValueValidator(0)],
        help_text=_("differences up to this absolute amount never need an explanation (counts: up to 0)"),
    )

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.version} · {self.title}"


class ReportingRound(Stamped):
    """A region's collection of the reports on one year — 年度报告汇交工作 — with its deadline."""

    year = models.PositiveSmallIntegerField(_("report year"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("collecting region"), on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="rounds"
    )
    opens_on = models.DateField(_("filing opens"))
    due_on = models.DateField(_("deadline"), help_text=_("national practice: 31 March of the following year"))
    notice = models.CharField(_("notice"), max_length=300, blank=True)

    scope_region_field = "region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="reports_round_year_region"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("opens_on")), name="reports_round_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.region_id}"

    @classmethod
    def public_q(cls) -> Q:
        return Q()  # deadlines are public


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


class AnnualReport(Record):
    """One unit's annual transformation report — 科技成果转化年度报告 — for a report year. Never public."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("reporting unit"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("report year"))
    round = models.ForeignKey(
        ReportingRound, verbose_name=_("reporting round"), on_delete=models.PROTECT, related_name="reports"
    )
    template = models.ForeignKey(ReportTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("supervising department"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the reviewing department, fixed when the report is created"),
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    values = models.JSONField(_("declared figures and texts"), default=dict, blank=True)
    explanations = models.JSONField(_("explanations of differences"), default=dict, blank=True)
    registered = models.JSONField(
        _("registered figures"),
        default=dict,
        blank=True,
        help_text=_("the platform's figures at the last submission, kept beside the declared ones"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("review comments"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    late = models.BooleanField(_("filed after the deadline"), default=False)

    scope_region_field = "region_id"
    scope_org_field = "organization_id"

    class Meta:
        verbose_name = _("annual transformation report")
        verbose_name_plural = _("annual transformation reports")
        ordering = ["-year", "organization__name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="reports_one_per_unit_year")]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["supervisor", "year"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year}"

    @classmethod
    def public_q(cls) -> Q:
        return Q(pk__in=[])  # reports go to the departments only


class ActionKind(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    RETURN = "return", _("Returned")
    ACCEPT = "accept", _("Accepted")


class ReportAction(models.Model):
    """A step in a report's history, with the reviewer's comments."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(_("action"), max_length=8, choices=ActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comments"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report action")
        verbose_name_plural = _("report actions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_action_display()}"


class Reminder(models.Model):
    """A deadline reminder sent to a unit (its administrators), once per round and number of days before."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reminders")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"))
    sent_on = models.DateField(_("sent on"))
    emails = models.PositiveSmallIntegerField(_("e-mails sent"), default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["round", "organization", "days_before"], name="reports_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.organization_id} · {self.days_before}"
