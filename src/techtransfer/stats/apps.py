from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class StatsConfig(PlatformAppConfig):
    name = "techtransfer.stats"
    verbose_name = _("Statistics")
    api_prefix = "/stats"
    url_prefix = "stats/"
