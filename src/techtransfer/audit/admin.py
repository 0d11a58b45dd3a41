from django.contrib import admin

from techtransfer.accounts.admin import ScopedAdmin
from techtransfer.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    """Read-only: the trail is written by the services and never edited."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "region_code")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name", "object_id", "region_code")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
