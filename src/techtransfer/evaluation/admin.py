"""Back office of the evaluation: rounds and their indicators (data: labels, weights, directions) are edited by the
administrators of the issuing region (audited); evaluations are read here and change only through their services
(declare, compute, decide: the pages and the API)."""

from __future__ import annotations

from django.contrib import admin

from techtransfer.backoffice.admin import ReadOnly, ScopedAdmin
from techtransfer.evaluation.models import Evaluation, Indicator, IndicatorSet


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("position", "code", "label", "label_en", "source", "weight", "direction")


@admin.register(IndicatorSet)
class IndicatorSetAdmin(ScopedAdmin):
    list_display = ("name", "year", "region", "published", "computed_at")
    list_filter = ("year", "published")
    readonly_fields = ("computed_at", "opened_by")
    inlines = [IndicatorInline]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnly, ScopedAdmin):
    list_display = ("organization", "indicator_set", "status", "score", "rank", "decision", "level")
    list_filter = ("status", "decision")
    search_fields = ("organization__name",)
    region_form_field = None
    list_select_related = ("organization", "indicator_set")
