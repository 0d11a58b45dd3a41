from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class DemoConfig(PlatformAppConfig):
    name = "techtransfer.demo"
    verbose_name = _("Demo data")
