"""Headline figures of contract registration for the home page (see ``core.services.headline_figures``)."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.contracts.models import Status, TechContract


def headline_figures() -> list[dict]:
    """Contracts registered this calendar year and their technology transaction amount (技术交易额, in 万元),
    as they stand now (amendments applied, cancelled contracts out)."""
    year = timezone.localdate().year
    row = TechContract.objects.filter(status=Status.CERTIFIED, registered_on__year=year).aggregate(
        n=Count("id"), tech=Sum("tech_amount")
    )
    tech_wan = ((row["tech"] or Decimal(0)) / Decimal(10_000)).quantize(Decimal(1))
    return [
        {"key": "contracts_this_year", "label": _("technology contracts registered this year"), "value": row["n"]},
        {"key": "tech_amount_this_year", "label": _("technology transaction amount this year (10,000 yuan)"),
         "value": tech_wan},
    ]
