"""Back office pages of the registration rules kept as data: refusal reasons, registration points' numbers and
time limits, and the special time limits by condition. Platform administrators edit them; every change is audited.
Refusal reasons are deactivated, never deleted: old decisions keep naming them."""

from django.contrib import admin

from techtransfer.audit import services as audit
from techtransfer.backoffice.admin import PlatformOnlyAdmin
from techtransfer.contracts.models import PointProfile, RefusalReason, SpecialTimeLimit


class AuditedAdmin(PlatformOnlyAdmin):
    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit.record(request.user, f"{obj._meta.label_lower}.admin_change", obj, before, audit.snapshot(obj))


@admin.register(RefusalReason)
class RefusalReasonAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "legal_basis", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("code", "name", "name_en", "legal_basis")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointProfile)
class PointProfileAdmin(AuditedAdmin):
    list_display = ("point", "code", "area", "serial", "decision_days", "working_days")
    search_fields = ("code", "point__name")
    raw_id_fields = ("point",)


@admin.register(SpecialTimeLimit)
class SpecialTimeLimitAdmin(AuditedAdmin):
    list_display = ("label", "point", "above_amount", "days", "working_days", "position", "active")
    list_filter = ("active", "working_days")
    filter_horizontal = ("categories",)
    raw_id_fields = ("point",)
