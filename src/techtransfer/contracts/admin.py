"""Back office pages of the registration rules kept as data: refusal reasons, registration points' numbers and
time limits, and the special time limits by condition. Platform administrators edit them; every change is audited.
Refusal reasons are deactivated, never deleted: old decisions keep naming them."""

from django.contrib import admin

from techtransfer.backoffice.admin import DataTableAdmin, PlatformOnlyAdmin
from techtransfer.contracts.models import (
    ExportControlEdition,
    ExportControlItem,
    PointProfile,
    RefusalReason,
    Screening,
    SpecialTimeLimit,
)


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


# --- the export-control catalogue (《中国禁止出口限制出口技术目录》): editable data, loaded by the command ---


class ExportControlItemInline(admin.TabularInline):
    model = ExportControlItem
    extra = 0
    fields = ("number", "field", "name", "status", "keywords", "ipc_prefixes", "active")
    show_change_link = True


@admin.register(ExportControlEdition)
class ExportControlEditionAdmin(PlatformOnlyAdmin):
    list_display = ("name", "notice", "issued_on", "effective_on", "active")
    list_filter = ("active",)
    search_fields = ("name", "notice")
    inlines = [ExportControlItemInline]

    def has_delete_permission(self, request, obj=None):
        return False  # confirmed screenings keep naming its items: deactivate instead


@admin.register(ExportControlItem)
class ExportControlItemAdmin(PlatformOnlyAdmin):
    list_display = ("number", "name", "name_en", "field", "status", "edition", "active")
    list_filter = ("status", "active", "edition")
    search_fields = ("number", "name", "name_en", "field", "control_points")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Screening)
class ScreeningAdmin(PlatformOnlyAdmin):
    """Screenings are read here; they are confirmed on their page (the rules and the audit trail live there)."""

    list_display = ("subject_kind", "subject_id", "subject_label", "counterparty", "status", "outcome")
    list_filter = ("status", "outcome", "subject_kind")
    search_fields = ("subject_label", "counterparty")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
