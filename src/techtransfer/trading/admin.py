"""Back office for trading records: read-mostly; state changes go through the services (pages and API).

Every page derives from ``ScopedAdmin``: a region administrator sees only the lots, intents and deals inside its
region, changes are audited, and deleting is for platform administrators.
"""

from django.contrib import admin

from techtransfer.backoffice.admin import ScopedAdmin

from .models import Auction, Bid, Deal, Listing, ListingIntent, Notice, Objection


class ReadOnlyStateAdmin(ScopedAdmin):
    """Status fields are read-only here: every transition must pass the service rules and the audit trail."""

    readonly_fields = ("status", "created_at", "updated_at")


@admin.register(Listing)
class ListingAdmin(ReadOnlyStateAdmin):
    list_display = ("id", "achievement", "seller", "price", "ends_at", "status", "is_demo")
    list_filter = ("status", "no_buyer_action", "is_demo")
    search_fields = ("achievement__title", "seller__name")
    raw_id_fields = ("achievement", "seller", "region", "created_by")


@admin.register(ListingIntent)
class ListingIntentAdmin(ScopedAdmin):
    list_display = ("id", "listing", "auction", "buyer", "deposit_status", "qualified", "created_at")
    list_filter = ("deposit_status", "qualified")
    raw_id_fields = ("listing", "auction", "buyer", "user", "decided_by")
    readonly_fields = ("deposit_status", "qualified")


class BidInline(admin.TabularInline):
    model = Bid
    extra = 0
    can_delete = False
    readonly_fields = ("bidder_org", "user", "amount", "placed_at", "accepted", "refusal_code", "ends_at_after")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Auction)
class AuctionAdmin(ReadOnlyStateAdmin):
    list_display = ("id", "achievement", "seller", "start_price", "current_price", "ends_at", "status", "is_demo")
    list_filter = ("status", "is_demo")
    search_fields = ("achievement__title", "seller__name")
    raw_id_fields = ("achievement", "seller", "region", "created_by", "listing", "leader_org", "leader_user")
    readonly_fields = ("status", "current_price", "leader_org", "leader_user", "bid_count", "ends_at", "created_at",
                       "updated_at")
    inlines = [BidInline]


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    can_delete = False
    readonly_fields = ("filer", "text", "outcome", "outcome_note", "handled_by", "handled_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyStateAdmin):
    list_display = ("id", "achievement", "seller", "buyer", "price", "ends_at", "status", "is_demo")
    list_filter = ("status", "is_demo")
    search_fields = ("achievement__title", "seller__name", "buyer__name")
    raw_id_fields = ("achievement", "seller", "region", "created_by", "buyer")
    inlines = [ObjectionInline]


@admin.register(Deal)
class DealAdmin(ScopedAdmin):
    list_display = ("id", "achievement", "seller", "buyer", "price", "source", "concluded_at", "is_demo")
    list_filter = ("source", "is_demo")
    search_fields = ("achievement__title", "seller__name", "buyer__name")
    raw_id_fields = ("achievement", "seller", "region", "created_by", "buyer", "buyer_user", "listing", "auction",
                     "notice", "contract")
    readonly_fields = ("price", "fee", "source", "concluded_at", "created_at", "updated_at")
