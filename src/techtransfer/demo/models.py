from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoPart(models.Model):
    """One loaded part of the demo world (foundation, catalog, contracts, ...), so loading is idempotent."""

    name = models.CharField(_("part"), max_length=40, unique=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    records = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("demo data part")
        verbose_name_plural = _("demo data parts")

    def __str__(self) -> str:
        return self.name
