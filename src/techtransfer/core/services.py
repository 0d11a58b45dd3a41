"""Cross-area read services for the home page."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.utils.translation import gettext_lazy as _


def _foundation_figures() -> list[dict]:
    Organization = apps.get_model("orgs", "Organization")
    Person = apps.get_model("people", "Person")
    public_orgs = Organization.objects.filter(Organization.public_q())
    listed = Person.objects.filter(published=True)
    return [
        {"key": "organizations", "label": _("verified organizations"), "value": public_orgs.count()},
        {"key": "demonstration_institutions", "label": _("demonstration institutions"),
         "value": public_orgs.exclude(demo_level="").count()},
        {"key": "brokers", "label": _("technology brokers and managers"),
         "value": listed.filter(broker__isnull=False).count()},
        {"key": "experts", "label": _("experts"), "value": listed.filter(expert__isnull=False).count()},
    ]


def headline_figures() -> list[dict]:
    """Public headline figures for the home page: the foundation's, then those of every installed app that names
    a provider as ``headline_figures = "module:function"`` on its AppConfig (kernels never import domain apps).
    Each figure is ``{"key", "label", "value"}``; ``value`` is a number or a preformatted string."""
    figures = _foundation_figures()
    for config in apps.get_app_configs():
        spec = getattr(config, "headline_figures", None)
        if spec:
            module, _sep, func = spec.partition(":")
            figures.extend(getattr(import_module(module), func)())
    return figures
