"""Organizations on the technology market — 机构 — and their credit records."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Record
from techtransfer.orgs import creditcode
from techtransfer.taxonomy.models import Classification


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    NEW_RD = "new_rd", _("New-type R&D institution")
    TT_SERVICE = "tt_service", _("Technology transfer service institution")
    INVESTOR = "investor", _("Investor")
    FINANCE = "finance", _("Bank / insurer / guarantor")
    INCUBATOR = "incubator", _("Incubator / maker space")
    ASSOCIATION = "association", _("Industry association / alliance")
    GOVERNMENT = "government", _("Government department")
    REGISTRATION_POINT = "registration_point", _("Technology contract registration point")


class Verification(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class DemoLevel(models.TextChoices):
    NONE = "", _("None")
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


class Ownership(Classification):
    """Ownership of an organization — 所有制/登记注册类型 (国有, 集体, 私营, 外商投资, 港澳台商投资, 混合所有制).

    Editable data, seeded by a migration (``orgs.data.OWNERSHIPS``). The statistics break parties down by it, and
    ``state_owned`` rows make an owner state-owned for the agreement-pricing public notice (协议定价公示,
    促进科技成果转化法 art. 18 and the seed policies naming 国有企业 beside universities and institutes).
    """

    state_owned = models.BooleanField(
        _("state-owned"),
        default=False,
        help_text=_("Organizations of this ownership are state-owned (they may price by agreement with a notice)."),
    )

    class Meta(Classification.Meta):
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")


def validate_credit_code(value: str) -> None:
    try:
        creditcode.validate(value)
    except creditcode.CreditCodeError as exc:
        raise ValidationError(str(exc), code="credit_code")


class Organization(Record):
    """An organization — 机构: enterprise, university, institute, service institution, registration point, …

    Public: name, kind, region, address, website, description, verification status and demonstration level of
    verified organizations. Restricted (managers and members only): contacts, credit records.
    """

    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=24, choices=OrgKind.choices, db_index=True)
    ownership = models.ForeignKey(
        Ownership,
        verbose_name=_("ownership"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"active": True},
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, GB 32100; leave empty only for foreign organizations"),
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    country = models.ForeignKey(
        "regions.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("for foreign organizations"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    verification = models.CharField(
        _("verification status"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.PENDING,
        db_index=True,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    demo_level = models.CharField(
        _("technology transfer demonstration level"),
        max_length=12,
        choices=DemoLevel.choices,
        blank=True,
        default=DemoLevel.NONE,
        db_index=True,
    )
    demo_year = models.PositiveSmallIntegerField(_("demonstration year"), null=True, blank=True)

    scope_region_field = "region_id"
    scope_org_field = "id"
    RESTRICTED_FIELDS = ("contact_name", "contact_phone", "contact_email")

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(demo_level="") | Q(demo_year__isnull=False), name="org_demo_level_has_year"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def public_q(cls) -> Q:
        return Q(verification=Verification.VERIFIED)

    def clean(self):
        errors = {}
        if self.demo_level and not self.demo_year:
            errors["demo_year"] = _("A demonstration level needs the year it was granted.")
        if not self.credit_code and not self.country_id:
            errors["credit_code"] = _("A domestic organization needs its unified social credit code.")
        if self.credit_code:
            self.credit_code = creditcode.normalize(self.credit_code)
        if errors:
            raise ValidationError(errors)


class CreditKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    GOOD = "good", _("Good conduct")
    WARNING = "warning", _("Warning")
    DISHONEST = "dishonest", _("Dishonesty")
    PENALTY = "penalty", _("Administrative penalty")


class CreditRecord(models.Model):
    """An entry in an organization's credit record — 信用记录."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="credit_records")
    kind = models.CharField(_("kind"), max_length=16, choices=CreditKind.choices)
    occurred_on = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_region_field = "organization__region_id"
    scope_org_field = "organization_id"

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()} · {self.occurred_on}"
