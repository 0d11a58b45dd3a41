from django.contrib import admin

from techtransfer.backoffice.admin import PlatformOnlyAdmin
from techtransfer.exchange.models import FederatedRecord, FeedEntry, Peer, PullRun


@admin.register(Peer)
class PeerAdmin(PlatformOnlyAdmin):
    list_display = ("name", "instance_id", "base_url", "enabled", "last_status", "last_pulled_at")
    readonly_fields = ("cursor", "last_pulled_at", "last_status", "last_message")


@admin.register(PullRun)
class PullRunAdmin(PlatformOnlyAdmin):
    list_display = ("peer", "started_at", "ok", "created", "updated", "withdrawn")


@admin.register(FeedEntry)
class FeedEntryAdmin(PlatformOnlyAdmin):
    list_display = ("seq", "kind", "local_id", "deleted", "changed_at")


@admin.register(FederatedRecord)
class FederatedRecordAdmin(PlatformOnlyAdmin):
    list_display = ("title", "kind", "peer", "withdrawn", "updated_at")
    list_filter = ("kind", "withdrawn", "peer")
