"""Back office of subsidy policies: platform administrators and administrators of the issuing region edit policies
and draft versions (audited, like every back-office change); a published version is read-only, and a change is a
new draft made from it (the "new draft" action). Claims and their ledger are read here (in the administrator's
review scope) and change only through their services; a budget's amount is set by the policy's managers."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts import permissions
from techtransfer.backoffice.admin import ReadOnly, ScopedAdmin
from techtransfer.core.errors import DomainError
from techtransfer.subsidies import services
from techtransfer.subsidies.models import Budget, Claim, ClaimEntry, Policy, PolicyVersion
from techtransfer.subsidies.rules import RulesError, parse_rules
from techtransfer.subsidies.services import claims


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


# --- claims, budgets and the ledger (奖补申领、预算、资金台账) ------------------------------------------------------


class ClaimEntryInline(admin.TabularInline):
    model = ClaimEntry
    extra = 0
    fields = ("kind", "amount", "at", "actor", "reference", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimScoped(ReadOnly, ScopedAdmin):
    """Read-only: claims change through their services (apply, approve, refuse, pay: the pages and the API), never
    by editing rows here. Rows are those in the administrator's review scope (``services.claims``)."""

    region_form_field = None

    def _claims(self, request):
        return claims.reviewable_claims(request.user)


@admin.register(Claim)
class ClaimAdmin(ClaimScoped):
    list_display = ("id", "policy", "contract", "beneficiary_role", "organization", "person", "region", "year",
                    "status", "amount")
    list_filter = ("status", "year", "beneficiary_role", "policy")
    search_fields = ("beneficiary_key", "organization__name", "person__name", "contract__registration_number")
    inlines = [ClaimEntryInline]
    list_select_related = ("policy", "contract", "organization", "person", "region")

    def get_queryset(self, request):
        return super(ScopedAdmin, self).get_queryset(request).filter(pk__in=self._claims(request).values("pk"))

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return claims.may_review(request.user, obj)
        return self._p(request).is_region_admin


@admin.register(ClaimEntry)
class ClaimEntryAdmin(ClaimScoped):
    list_display = ("claim", "kind", "amount", "at", "actor", "reference")
    list_filter = ("kind",)
    search_fields = ("reference", "claim__beneficiary_key")

    def get_queryset(self, request):
        qs = super(ScopedAdmin, self).get_queryset(request)
        return qs.filter(claim__in=self._claims(request).values("pk"))

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return claims.may_review(request.user, obj.claim)
        return self._p(request).is_region_admin


@admin.register(Budget)
class BudgetAdmin(ScopedAdmin):
    """A policy's yearly budget: its managers (administrators of the issuing region) set the amount; what is
    reserved and paid moves only with approvals and payments. The amount cannot go below what is reserved."""

    list_display = ("policy", "year", "amount", "reserved", "paid", "remaining")
    list_filter = ("year",)
    readonly_fields = ("reserved", "paid")
    fields = ("policy", "year", "amount", "reserved", "paid")
    region_form_field = None

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return permissions.allowed("subsidies.manage_policy", request.user, obj.policy)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("policy", "year", "reserved", "paid") if obj is not None else ("reserved", "paid")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class BudgetForm(form):
            def clean(self):
                data = super().clean()
                amount = data.get("amount")
                if amount is not None and amount < self.instance.reserved:
                    self.add_error("amount", ValidationError(
                        _("The budget cannot be less than what is already reserved (¥%(reserved)s).")
                        % {"reserved": self.instance.reserved}))
                return data

        return BudgetForm
