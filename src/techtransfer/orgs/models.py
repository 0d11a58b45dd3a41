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


class LegalForm(models.TextChoices):
    """Kind of legal person — 法人类型 (民法典 ch. 3; GB 32100 registration authority and category codes)."""

    UNKNOWN = "", _("Not stated")
    ENTERPRISE = "enterprise", _("Enterprise legal person (企业法人)")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业单位法人)")
    GOVERNMENT = "government", _("Government body (机关法人)")
    SOCIAL = "social", _("Social organization (社会团体法人)")
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("Private non-enterprise unit (民办非企业单位)")
    OTHER = "other", _("Other")


# GB 32100 first two characters of the credit code → legal form, used when the form is not stated.
CREDIT_CODE_LEGAL_FORMS = {
    "11": LegalForm.GOVERNMENT,
    "12": LegalForm.PUBLIC_INSTITUTION,
    "51": LegalForm.SOCIAL,
    "52": LegalForm.PRIVATE_NON_ENTERPRISE,
    "91": LegalForm.ENTERPRISE,
    "92": LegalForm.ENTERPRISE,
}


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
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
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
    description_en = models.TextField(_("English description"), blank=True)
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
    legal_form = models.CharField(
        _("legal form"),
        max_length=24,
        choices=LegalForm.choices,
        blank=True,
        default=LegalForm.UNKNOWN,
        help_text=_("empty: read from the credit code (12… is a public institution)"),
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("supervising department (主管部门)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_units",
        help_text=_("the department the unit reports to, e.g. a university's ministry or provincial department"),
    )
    dual_use_approved = models.BooleanField(
        _("approved for restricted dual-use information"),
        default=False,
        help_text=_("its members may read records marked restricted (军民两用); set by a region administrator"),
    )

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

    @property
    def effective_legal_form(self) -> str:
        """The stated legal form, else the one the credit code's first two characters give (GB 32100)."""
        if self.legal_form:
            return self.legal_form
        return CREDIT_CODE_LEGAL_FORMS.get((self.credit_code or "")[:2], LegalForm.UNKNOWN)

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
        if self.supervisor_id and self.supervisor_id == self.pk:
            errors["supervisor"] = _("An organization cannot supervise itself.")
        if errors:
            raise ValidationError(errors)


class CreditKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    GOOD = "good", _("Good conduct")
    WARNING = "warning", _("Warning")
    DISHONEST = "dishonest", _("Dishonesty")
    PENALTY = "penalty", _("Administrative penalty")


class CreditRecord(models.Model):
    """An entry in an organization's credit record — 信用记录 (科研诚信/科技信用).

    Entered by a region administrator, or made by a rule (``cause``), e.g. ``reports.not_filed`` (未按规定报送科技成果
    转化年度报告, 促进科技成果转化法 art. 21) or ``evaluation.revoked``; a rule's record carries a ``key`` so that
    running the rule again finds it instead of adding a second one. A record is closed, never deleted, when its
    cause is cured (e.g. the late report is accepted): it stays in the history with the date and the reason.
    ``public`` records are those the rules make public (shown on the organization's public page).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="credit_records")
    kind = models.CharField(_("kind"), max_length=16, choices=CreditKind.choices)
    occurred_on = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    cause = models.CharField(_("cause"), max_length=40, blank=True, db_index=True)
    rule = models.CharField(_("rule applied"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year concerned"), null=True, blank=True)
    key = models.CharField(_("rule key"), max_length=80, null=True, blank=True, unique=True)
    public = models.BooleanField(_("public"), default=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
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

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
