"""Statistical classifications of the technology market, kept as editable data tables."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Classification(models.Model):
    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class TechField(Classification):
    """Technical field of the technology-market statistics — 技术领域 (全国技术市场统计年度报告)."""

    class Meta(Classification.Meta):
        verbose_name = _("technical field")
        verbose_name_plural = _("technical fields")
