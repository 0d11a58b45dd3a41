from django.contrib import admin

from techtransfer.backoffice.admin import ScopedAdmin
from techtransfer.people.models import BrokerProfile, ExpertProfile, Person


class BrokerInline(admin.StackedInline):
    model = BrokerProfile
    extra = 0


class ExpertInline(admin.StackedInline):
    model = ExpertProfile
    extra = 0


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ("name", "organization", "region", "title", "is_researcher", "published", "is_demo")
    list_filter = ("is_researcher", "published", "is_demo", "broker__level")
    search_fields = ("name", "name_en", "expertise")
    raw_id_fields = ("organization", "user")
    filter_horizontal = ("fields",)
    inlines = [BrokerInline, ExpertInline]
    list_select_related = ("organization", "region")
