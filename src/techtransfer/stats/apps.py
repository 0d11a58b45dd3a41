from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "techtransfer.stats"
    verbose_name = _("Statistics")
    api_prefix = "/stats"
    url_prefix = "stats/"
