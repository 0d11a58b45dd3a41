"""Administrative divisions (GB/T 2260 行政区划代码) and countries."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture city")
    COUNTY = "county", _("County / district")


class Region(models.Model):
    """A division at province, prefecture-city or county level — 行政区划.

    The primary key is the six-digit code, so every record's ``region_id`` is the code itself: ``PP0000``
    province, ``PPCC00`` prefecture city, ``PPCCDD`` county. Containment is a code-prefix test
    (see ``services.scope_prefix``), which lets scope filters run without joins.
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Country(models.Model):
    """A country or territory (ISO 3166-1), for foreign parties."""

    alpha2 = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    alpha3 = models.CharField(max_length=3)
    numeric = models.CharField(max_length=3)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["alpha2"]

    def __str__(self) -> str:
        if (get_language() or "").startswith("en"):
            return self.name_en
        return self.name
