from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class TradingConfig(PlatformAppConfig):
    name = "techtransfer.trading"
    verbose_name = _("Trading")
    api_prefix = "/trading"
    url_prefix = "trading/"
    demo_loader = "demo.load"
