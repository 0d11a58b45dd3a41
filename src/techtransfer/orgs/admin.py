from django.contrib import admin

from techtransfer.accounts import permissions
from techtransfer.backoffice.admin import DataTableAdmin, ScopedAdmin
from techtransfer.orgs.models import CreditRecord, Organization, Ownership


@admin.register(Ownership)
class OwnershipAdmin(DataTableAdmin):
    """The ownership table is data: platform administrators edit names, order and the state-owned flag, and
    deactivate rather than delete (organizations keep their ownership)."""

    list_display = ("code", "name", "name_en", "state_owned", "position", "active")
    list_editable = ("state_owned", "position", "active")
    search_fields = ("code", "name", "name_en")


class CreditRecordInline(admin.TabularInline):
    model = CreditRecord
    extra = 0
    fields = (
        "kind",
        "occurred_on",
        "summary",
        "source",
        "public",
        "closed_on",
        "closed_reason",
        "cause",
        "recorded_by",
    )
    # A record a rule made (cause) is closed by its rule, not edited by hand.
    readonly_fields = ("cause", "recorded_by")


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    list_display = (
        "name",
        "kind",
        "ownership",
        "region",
        "country",
        "credit_code",
        "verification",
        "demo_level",
        "demo_year",
        "is_demo",
    )
    list_filter = ("kind", "ownership", "legal_form", "verification", "demo_level", "is_demo")
    search_fields = ("name", "name_en", "credit_code")
    # The country is a picker (ISO 3166, a few hundred rows): foreign organizations are chosen by name.
    raw_id_fields = ("supervisor",)
    readonly_fields = ("verified_at", "created_at", "updated_at")
    inlines = [CreditRecordInline]
    list_select_related = ("region",)

    def get_readonly_fields(self, request, obj=None):
        # The approval for restricted dual-use information is a region administrator's decision (catalog rule
        # ``catalog.approve_unit``): an organization's own administrator cannot approve itself.
        fields = tuple(super().get_readonly_fields(request, obj))
        if not permissions.principal(request.user).is_region_admin:
            fields += ("dual_use_approved",)
        return fields

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, CreditRecord) and obj.recorded_by_id is None:
                obj.recorded_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
