"""The back office (Django admin) on top of the one permission layer.

This app sits above the kernels (regions, taxonomy, accounts, audit) and below the domain apps: it holds the
admin base classes every domain admin derives from, and the pages of the kernel tables, which cannot import it.

``ScopedAdmin`` is the base of every domain admin: a region administrator sees and changes only the rows inside its
region scope, may not move a row out of it, and every change made here writes an audit entry like any other
change. Deleting is reserved to platform administrators (records are withdrawn or closed, not erased).
Users, roles and API tokens are managed by platform administrators only.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import ApiToken, RoleAssignment, User
from techtransfer.audit import services as audit
from techtransfer.audit.models import AuditEntry
from techtransfer.outbox.models import Cursor, Event
from techtransfer.regions.models import Country, Region
from techtransfer.regions.services import scope_q
from techtransfer.taxonomy.models import TechField

admin.site.site_header = _("TechTransfer back office")
admin.site.site_title = _("TechTransfer back office")
admin.site.index_title = _("Administration")


def _region_scopes(user) -> list[str]:
    return permissions.principal(user).regions()


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the back office writes an audit entry, as a change through the services does."""

    def save_model(self, request, obj, form, change):
        model = type(obj)
        before = audit.snapshot(model._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj)
        if before != after:
            action = f"{model._meta.label_lower}.{'admin_change' if change else 'admin_create'}"
            audit.record(request.user, action, obj, before, after)

    def delete_model(self, request, obj):
        audit.deleted(request.user, obj, f"{type(obj)._meta.label_lower}.admin_delete")
        super().delete_model(request, obj)


class ScopedAdmin(AuditedAdmin):
    """A model admin whose rows, choices and changes are limited by role + region scope."""

    region_form_field = "region"  # the model's region foreign key, limited to the administrator's scope

    def _p(self, request):
        return permissions.principal(request.user)

    def get_queryset(self, request):
        return permissions.manageable(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return self._p(request).is_region_admin

    def has_view_permission(self, request, obj=None):
        return self._p(request).is_region_admin and (obj is None or permissions.can_change(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._p(request).is_region_admin

    def has_delete_permission(self, request, obj=None):
        return self._p(request).is_platform_admin

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        p = self._p(request)
        if db_field.name == self.region_form_field and not p.is_platform_admin:
            q = Q(pk__in=[])
            for code in _region_scopes(request.user):
                q |= scope_q("code", code)
            kwargs["queryset"] = db_field.remote_field.model.objects.filter(q)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class ScopedForm(form):
            def _post_clean(self):
                # Runs after the form's values are on the instance: new and changed rows must stay in scope.
                super()._post_clean()
                if not self.errors and not permissions.principal(user).is_platform_admin:
                    if not permissions.can_change(user, self.instance):
                        self.add_error(None, ValidationError(_("The record would fall outside your scope.")))

        return ScopedForm



class PlatformOnlyAdmin(AuditedAdmin):
    """Admin for platform-wide data (users, classifications): platform administrators only; changes audited."""

    def _platform(self, request) -> bool:
        return permissions.principal(request.user).is_platform_admin

    def has_module_permission(self, request):
        return self._platform(request)

    def has_view_permission(self, request, obj=None):
        return self._platform(request)

    def has_change_permission(self, request, obj=None):
        return self._platform(request)

    def has_add_permission(self, request):
        return self._platform(request)

    def has_delete_permission(self, request, obj=None):
        return self._platform(request)


class DataTableAdmin(PlatformOnlyAdmin):
    """A table of editable rule data (classifications, ownership kinds, refusal reasons): platform administrators
    edit names, order and the active flag, and deactivate rather than delete, because records keep naming a row."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly:
    """Mixin for tables that are read here and written elsewhere (shipped data, the audit trail)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("organization",)
    fields = ("role", "region", "organization", "created_at")
    readonly_fields = ("created_at",)


@admin.register(User)
class UserAdmin(PlatformOnlyAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "is_demo", "last_login")
    list_filter = ("is_active", "is_staff", "is_demo", "role_assignments__role")
    search_fields = ("username", "display_name", "email")
    inlines = [RoleAssignmentInline]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Platform"), {"fields": ("display_name", "phone", "is_demo")}),)

    def save_related(self, request, form, formsets, change):
        before = sorted(form.instance.role_assignments.values_list("role", "region_id", "organization_id"))
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.role_assignments.values_list("role", "region_id", "organization_id"))
        if before != after:
            audit.record(request.user, "accounts.roles", form.instance, {"roles": before}, {"roles": after})
        permissions.forget(form.instance)


@admin.register(ApiToken)
class ApiTokenAdmin(PlatformOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # tokens are issued on the profile page or through the API, where the key is shown once


# --- kernel tables ---------------------------------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(ReadOnly, PlatformOnlyAdmin):
    """The GB/T 2260 table is shipped data, loaded by migrations: read here, replaced by a new release."""

    list_display = ("code", "name", "tier", "parent")
    list_filter = ("tier",)
    search_fields = ("code", "name")


@admin.register(Country)
class CountryAdmin(RegionAdmin):
    list_display = ("alpha2", "alpha3", "name", "name_en")
    list_filter = ()
    search_fields = ("alpha2", "name", "name_en")


@admin.register(TechField)
class TechFieldAdmin(DataTableAdmin):
    """Classifications are data: platform administrators edit names and order, deactivate rather than delete."""

    list_display = ("code", "name", "name_en", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("code", "name", "name_en")

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(TechField.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit.record(request.user, "taxonomy.techfield.admin_change", obj, before, audit.snapshot(obj))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly, ScopedAdmin):
    """Read-only: the trail is written by the services and never edited."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "region_code")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name", "object_id", "region_code")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(Event)
class OutboxEventAdmin(ReadOnly, PlatformOnlyAdmin):
    """Read-only: what was published and whether it reached the task queue (pending rows have no relay time; the
    worker relays them, docs/operations.md)."""

    list_display = ("id", "topic", "created_at", "relayed_at", "attempts", "last_error")
    list_filter = ("topic", ("relayed_at", admin.EmptyFieldListFilter))
    search_fields = ("topic", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Event._meta.fields]


@admin.register(Cursor)
class ChangeLogCursorAdmin(ReadOnly, PlatformOnlyAdmin):
    """Where each follower of the change log stands; deleting a host's cursor (platform administrators) lets the
    log be pruned past it."""

    list_display = ("name", "position", "heartbeat")
    readonly_fields = ("name", "position", "heartbeat")

    def has_delete_permission(self, request, obj=None):
        return self._platform(request)
