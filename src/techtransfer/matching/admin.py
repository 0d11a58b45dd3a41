from django.contrib import admin

from .models import CaseNote, MatchCase, SavedSearch


class CaseNoteInline(admin.TabularInline):
    model = CaseNote
    extra = 0


@admin.register(MatchCase)
class MatchCaseAdmin(admin.ModelAdmin):
    list_display = ("id", "demand", "achievement", "expert", "broker", "status", "next_follow_up")
    list_filter = ("status",)
    raw_id_fields = ("demand", "achievement", "expert", "broker", "opened_by")
    inlines = [CaseNoteInline]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query", "notify")
    raw_id_fields = ("user",)

