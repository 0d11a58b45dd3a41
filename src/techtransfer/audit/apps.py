from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "techtransfer.audit"
    verbose_name = _("Audit trail")
    api_prefix = "/audit"
    url_prefix = "audit/"

    def ready(self):
        from techtransfer.audit import receivers  # noqa: F401 - connects the receivers (apps are loaded now)
