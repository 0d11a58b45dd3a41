from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradingConfig(AppConfig):
    name = "techtransfer.trading"
    verbose_name = _("Trading")
    api_prefix = "/trading"
    url_prefix = "trading/"
