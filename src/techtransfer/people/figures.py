"""Headline figures of the people directory for the home page (see ``core.services.headline_figures``)."""

from django.utils.translation import gettext_lazy as _

from techtransfer.people.models import Person


def headline_figures() -> list[dict]:
    """Published technology brokers/managers (技术经纪人/技术经理人) and experts (专家)."""
    listed = Person.objects.filter(published=True)
    return [
        {"key": "brokers", "label": _("technology brokers and managers"),
         "value": listed.filter(broker__isnull=False).count()},
        {"key": "experts", "label": _("experts"), "value": listed.filter(expert__isnull=False).count()},
    ]
