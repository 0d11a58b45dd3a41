"""Back office for matching: cases follow the permission layer's region scope (the demand's region); saved
searches belong to their users and are for platform administrators only."""

from django.contrib import admin

from techtransfer.backoffice.admin import PlatformOnlyAdmin, ScopedAdmin

from .models import CaseNote, MatchCase, SavedSearch


class CaseNoteInline(admin.TabularInline):
    model = CaseNote
    extra = 0


@admin.register(MatchCase)
class MatchCaseAdmin(ScopedAdmin):
    list_display = ("id", "demand", "achievement", "expert", "broker", "status", "next_follow_up")
    list_filter = ("status",)
    raw_id_fields = ("demand", "achievement", "expert", "broker", "opened_by")
    inlines = [CaseNoteInline]


@admin.register(SavedSearch)
class SavedSearchAdmin(PlatformOnlyAdmin):
    list_display = ("name", "user", "query", "notify")
    raw_id_fields = ("user",)

