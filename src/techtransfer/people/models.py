"""People on the technology market — 人员: researchers, technology brokers and managers, experts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Record


class Person(Record):
    """A person. Roles (researcher, broker, expert) are the profiles attached to it; one person may hold several.

    Public: name, organization, region, title, fields and profile summaries. Restricted: phone and email.
    """

    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(
        _("professional title"), max_length=64, blank=True, help_text=_("职称, e.g. 教授")
    )
    fields = models.ManyToManyField("taxonomy.TechField", verbose_name=_("technical fields"), blank=True)
    expertise = models.CharField(_("expertise keywords"), max_length=300, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    is_researcher = models.BooleanField(_("researcher"), default=False)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    published = models.BooleanField(_("listed in the directory"), default=True)

    scope_region_field = "region_id"
    scope_org_field = "organization_id"
    RESTRICTED_FIELDS = ("email", "phone")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def public_q(cls) -> Q:
        return Q(published=True)


class BrokerKind(models.TextChoices):
    BROKER = "broker", _("Technology broker (技术经纪人)")
    MANAGER = "manager", _("Technology manager (技术经理人)")


class BrokerLevel(models.TextChoices):
    JUNIOR = "junior", _("Junior (初级)")
    INTERMEDIATE = "intermediate", _("Intermediate (中级)")
    SENIOR = "senior", _("Senior (高级)")


class BrokerProfile(models.Model):
    """Technology broker or manager profile — 技术经纪人/技术经理人."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="broker")
    kind = models.CharField(_("kind"), max_length=8, choices=BrokerKind.choices, default=BrokerKind.BROKER)
    level = models.CharField(_("level"), max_length=12, choices=BrokerLevel.choices, db_index=True)
    certificate_no = models.CharField(_("certificate number"), max_length=64, blank=True)
    certified_on = models.DateField(_("certified on"), null=True, blank=True)
    training_hours = models.DecimalField(
        _("training hours"),
        max_digits=7,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    scope_region_field = "person__region_id"
    scope_org_field = "person__organization_id"

    class Meta:
        verbose_name = _("broker profile")
        verbose_name_plural = _("broker profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"], condition=~Q(certificate_no=""), name="unique_broker_certificate"
            ),
            models.CheckConstraint(
                condition=Q(training_hours__gte=0), name="broker_training_hours_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.get_level_display()}"


class ExpertProfile(models.Model):
    """Expert profile — 专家: evaluates achievements, refines demands, reviews contracts."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="expert")
    titles = models.CharField(_("titles and honours"), max_length=200, blank=True)
    specialties = models.TextField(_("specialties"), blank=True)
    available = models.BooleanField(_("available for assignments"), default=True)

    scope_region_field = "person__region_id"
    scope_org_field = "person__organization_id"

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return f"{self.person} · {self.titles}"
