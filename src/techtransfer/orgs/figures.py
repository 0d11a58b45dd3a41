"""Headline figures of the organization directory for the home page (see ``core.services.headline_figures``)."""

from django.utils.translation import gettext_lazy as _

from techtransfer.orgs.models import Organization


def headline_figures() -> list[dict]:
    """Verified organizations (public ones) and, among them, demonstration institutions (示范机构)."""
    public_orgs = Organization.objects.filter(Organization.public_q())
    return [
        {"key": "organizations", "label": _("verified organizations"), "value": public_orgs.count()},
        {"key": "demonstration_institutions", "label": _("demonstration institutions"),
         "value": public_orgs.exclude(demo_level="").count()},
    ]
