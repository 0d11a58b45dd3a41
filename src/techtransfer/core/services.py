"""Cross-area read services for the home page."""

from __future__ import annotations

from django.apps import apps


def headline_figures() -> dict:
    """Public counts: verified organizations, listed people, brokers and experts, and (when installed) more."""
    Organization = apps.get_model("orgs", "Organization")
    Person = apps.get_model("people", "Person")
    figures = {
        "organizations": Organization.objects.filter(Organization.public_q()).count(),
        "people": Person.objects.filter(published=True).count(),
        "brokers": Person.objects.filter(published=True, broker__isnull=False).count(),
        "experts": Person.objects.filter(published=True, expert__isnull=False).count(),
        "demonstration_institutions": Organization.objects.filter(Organization.public_q())
        .exclude(demo_level="")
        .count(),
    }
    return figures
