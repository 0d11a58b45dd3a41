"""Headline figures of the catalog for the home page (see ``core.services.headline_figures``)."""

from django.utils.translation import gettext_lazy as _

from techtransfer.catalog.models import PUBLIC_STATUSES, Achievement, Demand, Status


def headline_figures() -> list[dict]:
    return [
        {"key": "achievements", "label": _("published achievements"),
         "value": Achievement.objects.filter(status__in=PUBLIC_STATUSES).count()},
        {"key": "demands", "label": _("open technology demands"),
         "value": Demand.objects.filter(status__in=(Status.PUBLISHED, Status.IN_NEGOTIATION)).count()},
    ]
