from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class OutboxConfig(PlatformAppConfig):
    name = "techtransfer.outbox"
    verbose_name = _("Outbox and change log")
    status_checks = ("health.backlog", "health.followers")
