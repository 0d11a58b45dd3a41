from django.contrib import admin

from techtransfer.stats.models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = (
        "region_code", "indicator", "measure", "direction", "year_from", "year_to", "cumulative", "value",
        "reported_actual",
    )
    list_filter = ("indicator", "measure", "direction", "region_code")
    search_fields = ("region_code", "source", "note")
