"""Back office pages of the registration rules kept as data: refusal reasons, registration points' numbers and
time limits, and the special time limits by condition. Platform administrators edit them; every change is audited.
Refusal reasons are deactivated, never deleted: old decisions keep naming them."""

from django.contrib import admin

from techtransfer.backoffice.admin import DataTableAdmin, PlatformOnlyAdmin
from techtransfer.contracts.models import PointProfile, RefusalReason, SpecialTimeLimit


@admin.register(RefusalReason)
class RefusalReasonAdmin(DataTableAdmin):
    list_display = ("code", "name", "name_en", "legal_basis", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("code", "name", "name_en", "legal_basis")


@admin.register(PointProfile)
class PointProfileAdmin(PlatformOnlyAdmin):
    list_display = ("point", "code", "area", "serial", "decision_days", "working_days")
    search_fields = ("code", "point__name")
    raw_id_fields = ("point",)


@admin.register(SpecialTimeLimit)
class SpecialTimeLimitAdmin(PlatformOnlyAdmin):
    list_display = ("label", "point", "above_amount", "days", "working_days", "position", "active")
    list_filter = ("active", "working_days")
    filter_horizontal = ("categories",)
    raw_id_fields = ("point",)
