from django.contrib import admin

from techtransfer.backoffice.admin import PlatformOnlyAdmin, ReadOnly, ScopedAdmin
from techtransfer.stats.models import ServiceReturn, Target


@admin.register(Target)
class TargetAdmin(PlatformOnlyAdmin):
    """Plan targets are platform-wide data with their sources: platform administrators keep them; changes audited."""

    list_display = (
        "region_code", "indicator", "measure", "direction", "year_from", "year_to", "cumulative", "value",
        "reported_actual",
    )
    list_filter = ("indicator", "measure", "direction", "region_code")
    search_fields = ("region_code", "source", "note")


@admin.register(ServiceReturn)
class ServiceReturnAdmin(ReadOnly, ScopedAdmin):
    """Read here: the institutions enter their returns on the statistics pages or through the API (audited)."""

    list_display = ("organization", "year", "staff", "services", "income", "other_contracts", "updated_at")
    list_filter = ("year",)
    search_fields = ("organization__name",)
    list_select_related = ("organization",)
