from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class AuditConfig(PlatformAppConfig):
    name = "techtransfer.audit"
    verbose_name = _("Audit trail")
    api_prefix = "/audit"
    url_prefix = "audit/"

    def ready(self):
        from techtransfer.audit import receivers  # noqa: F401 - connects the receivers (apps are loaded now)
