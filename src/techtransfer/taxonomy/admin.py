from django.contrib import admin

from techtransfer.accounts.admin import PlatformOnlyAdmin
from techtransfer.audit import services as audit
from techtransfer.taxonomy.models import TechField


@admin.register(TechField)
class TechFieldAdmin(PlatformOnlyAdmin):
    """Classifications are data: platform administrators edit names and order, deactivate rather than delete."""

    list_display = ("code", "name", "name_en", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("code", "name", "name_en")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(TechField.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit.record(request.user, "taxonomy.techfield.admin_change", obj, before, audit.snapshot(obj))
