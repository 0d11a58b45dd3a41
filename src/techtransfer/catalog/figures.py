"""Headline figures of the catalog for the home page (see ``core.services.headline_figures``): public records
only (restricted and controlled dual-use records are not counted)."""

from django.utils.translation import gettext_lazy as _

from techtransfer.catalog.models import Achievement, Classification, Demand, Status


def headline_figures() -> list[dict]:
    return [
        {"key": "achievements", "label": _("published achievements"),
         "value": Achievement.objects.filter(Achievement.public_q()).count()},
        {"key": "demands", "label": _("open technology demands"),
         "value": Demand.objects.filter(status__in=(Status.PUBLISHED, Status.IN_NEGOTIATION),
                                        classification=Classification.PUBLIC).count()},
    ]
