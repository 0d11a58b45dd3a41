"""Health check of the region table, run by `techtransfer check` and `techtransfer serve` (a ``health_checks``
plug-in declared on ``RegionsConfig``)."""

from __future__ import annotations

from django.conf import settings

from techtransfer.regions.models import Region


def province_in_region_table() -> list[str]:
    """The configured province (``TECHTRANSFER_PROVINCE``) must be a province of the shipped GB/T 2260 table."""
    if Region.objects.filter(code=settings.PROVINCE_CODE, tier="province").exists():
        return []
    return [f"TECHTRANSFER_PROVINCE={settings.PROVINCE_CODE} is not a province in the region table"]
