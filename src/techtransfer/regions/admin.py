from django.contrib import admin

from techtransfer.accounts.admin import PlatformOnlyAdmin
from techtransfer.regions.models import Country, Region


@admin.register(Region)
class RegionAdmin(PlatformOnlyAdmin):
    """The GB/T 2260 table is shipped data, loaded by migrations: read here, replaced by a new release."""

    list_display = ("code", "name", "tier", "parent")
    list_filter = ("tier",)
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Country)
class CountryAdmin(RegionAdmin):
    list_display = ("alpha2", "alpha3", "name", "name_en")
    list_filter = ()
    search_fields = ("alpha2", "name", "name_en")
