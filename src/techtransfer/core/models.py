"""Abstract model bases for the fields every platform record repeats (conventions: shared model bases).

A record's region and owning organization differ by model (``region``, ``seller_region``, ``owner``, …), so
each model declares its own foreign keys and names them for the permission layer with ``scope_region_field`` and
``scope_org_field`` (docs/architecture.md, Roles and scope).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stamped(models.Model):
    """When the row was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Record(Stamped):
    """A record of the market (organization, person, achievement, contract, …): stamps and the demo flag, which
    marks demo data in every list and export."""

    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        abstract = True


class AuthoredRecord(Record):
    """A record that remembers the account that created it (kept when the account goes: SET_NULL)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True
