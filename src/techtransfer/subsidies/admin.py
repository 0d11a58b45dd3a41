"""Back office of subsidy policies: platform administrators and administrators of the issuing region edit policies
and draft versions (audited, like every back-office change); a published version is read-only, and a change is a
new draft made from it (the "new draft" action)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from techtransfer.backoffice.admin import ScopedAdmin
from techtransfer.core.errors import DomainError
from techtransfer.subsidies import services
from techtransfer.subsidies.models import Policy, PolicyVersion
from techtransfer.subsidies.rules import RulesError, parse_rules


@admin.register(Policy)
class PolicyAdmin(ScopedAdmin):
    list_display = ("code", "name", "region", "department")
    search_fields = ("code", "name")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ScopedAdmin):
    list_display = ("policy", "number", "status", "effective_from", "effective_to", "budget_per_year")
    list_filter = ("status",)
    readonly_fields = ("number", "status", "published_at", "published_by")
    actions = ["publish_versions", "new_drafts"]
    region_form_field = None

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published:
            return False  # a published version never changes
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.published) and super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class RulesForm(form):
            def clean_rules(self):
                try:
                    parse_rules(self.cleaned_data["rules"])
                except RulesError as exc:
                    raise ValidationError(exc.message) from None
                return self.cleaned_data["rules"]

        return RulesForm

    def save_model(self, request, obj, form, change):
        if not obj.number:
            last = PolicyVersion.objects.filter(policy_id=obj.policy_id).order_by("-number").first()
            obj.number = (last.number if last else 0) + 1
        super().save_model(request, obj, form, change)

    def _each(self, request, queryset, service) -> None:
        """Apply a service to each selected version; a refusal is reported for that version, the others go on."""
        for version in queryset:
            try:
                service(request.user, version)
            except DomainError as exc:
                self.message_user(request, f"{version}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Publish the selected drafts"))
    def publish_versions(self, request, queryset):
        self._each(request, queryset, services.publish)

    @admin.action(description=_("New draft from the selected versions"))
    def new_drafts(self, request, queryset):
        self._each(request, queryset, services.new_draft)
