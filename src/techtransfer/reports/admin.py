"""Back office of annual reports: reporting rounds (deadline, template, notice) are edited by platform
administrators and by region administrators inside their region; report templates (the national layout, read by
every region) are read by region administrators and changed by platform administrators; reports and their history
are read-only here (in the viewer's scope) and change only through the filing services."""

from __future__ import annotations

from django.contrib import admin

from techtransfer.backoffice.admin import ReadOnly, ScopedAdmin
from techtransfer.reports.models import AnnualReport, ReportAction, ReportingRound, ReportTemplate
from techtransfer.reports.services import filing


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ScopedAdmin):
    list_display = ("version", "title", "tolerance_percent", "tolerance_amount")
    region_form_field = None

    def get_queryset(self, request):
        return super(ScopedAdmin, self).get_queryset(request)  # national: every administrator reads them

    def has_view_permission(self, request, obj=None):
        return self._p(request).is_region_admin

    def has_change_permission(self, request, obj=None):
        return self._p(request).is_platform_admin

    def has_add_permission(self, request):
        return self._p(request).is_platform_admin


@admin.register(ReportingRound)
class ReportingRoundAdmin(ScopedAdmin):
    list_display = ("year", "region", "template", "opens_on", "due_on", "notice")
    list_filter = ("year",)


class ReportActionInline(admin.TabularInline):
    model = ReportAction
    extra = 0
    fields = ("action", "actor", "comment", "at")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return True  # shown inside a report the parent admin already scoped

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnly, ScopedAdmin):
    """Read-only: reports change through the filing services (start, save, submit, return, accept)."""

    list_display = ("organization", "year", "supervisor", "region", "status", "submitted_at", "late")
    list_filter = ("year", "status", "late")
    search_fields = ("organization__name",)
    list_select_related = ("organization", "supervisor", "region")
    inlines = [ReportActionInline]
    region_form_field = None

    def get_queryset(self, request):
        qs = super(ScopedAdmin, self).get_queryset(request)
        return qs.filter(pk__in=filing.visible_reports(request.user).values("pk"))

    def has_module_permission(self, request):
        return self._p(request).is_region_admin

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return filing.visible_reports(request.user).filter(pk=obj.pk).exists()
        return self._p(request).is_region_admin
