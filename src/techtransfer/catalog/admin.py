"""Back office for the catalog. Region administrators see and correct the records inside their region
(``ScopedAdmin``); the workflow status, review dates and version snapshots are read-only here — transitions go
through ``catalog.workflow`` (pages and API) so that each one is checked and audited."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from techtransfer.backoffice.admin import ScopedAdmin
from techtransfer.catalog.models import (
    Achievement,
    AchievementPackage,
    Demand,
    DemandRefinement,
    IPItem,
    NdaRequest,
    PackageItem,
    RecordVersion,
    TrlAssessment,
)

WORKFLOW_READONLY = ("status", "submitted_at", "published_at", "rejection_reason", "created_by", "created_at",
                     "updated_at")


class IPItemInline(admin.TabularInline):
    model = IPItem
    extra = 0
    fields = ("kind", "title", "number", "granted", "holder")


class HistoryInline(admin.TabularInline):
    """A record's history rows (assessments, versions): shown, never added, changed or deleted in the admin."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TrlAssessmentInline(HistoryInline):
    model = TrlAssessment
    fields = readonly_fields = ("proposed_level", "answers", "assessed_by", "created_at")


class VersionInline(HistoryInline):
    model = RecordVersion
    fields = readonly_fields = ("version", "event", "created_by", "created_at")


@admin.register(Achievement)
class AchievementAdmin(ScopedAdmin):
    list_display = ("title", "owner", "region", "tech_field", "trl", "status", "published_at", "is_demo")
    list_filter = ("status", "tech_field", "dual_use", "is_demo")
    search_fields = ("title", "title_en", "owner__name")
    raw_id_fields = ("owner", "team")
    readonly_fields = WORKFLOW_READONLY
    list_select_related = ("owner", "region", "tech_field")
    inlines = [IPItemInline, TrlAssessmentInline, VersionInline]
    date_hierarchy = "published_at"


@admin.register(Demand)
class DemandAdmin(ScopedAdmin):
    list_display = ("title", "owner", "region", "tech_field", "deadline", "status", "published_at", "is_demo")
    list_filter = ("status", "tech_field", "is_demo")
    search_fields = ("title", "owner__name")
    raw_id_fields = ("owner",)
    readonly_fields = WORKFLOW_READONLY
    list_select_related = ("owner", "region", "tech_field")
    inlines = [VersionInline]


@admin.register(NdaRequest)
class NdaRequestAdmin(ScopedAdmin):
    list_display = ("achievement", "requester", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("achievement__title", "requester__username")
    raw_id_fields = ("achievement", "requester", "decided_by")
    readonly_fields = ("status", "decided_by", "decided_at", "reason", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(DemandRefinement)
class DemandRefinementAdmin(ScopedAdmin):
    list_display = ("demand", "version", "author", "created_at")
    search_fields = ("demand__title", "title")
    raw_id_fields = ("demand", "author")
    readonly_fields = ("version", "created_at")

    def has_add_permission(self, request):
        return False


class PackageItemInline(admin.TabularInline):
    model = PackageItem
    extra = 0
    raw_id_fields = ("achievement",)


@admin.register(AchievementPackage)
class AchievementPackageAdmin(ScopedAdmin):
    list_display = ("name", "tech_field", "region", "status", "published_at")
    list_filter = ("status", "tech_field")
    search_fields = ("name",)
    readonly_fields = ("status", "published_at", "created_by", "created_at", "updated_at")
    inlines = [PackageItemInline]

    @admin.display(description=_("achievements"))
    def size(self, obj):
        return obj.items.count()
