from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class RegionsConfig(PlatformAppConfig):
    name = "techtransfer.regions"
    verbose_name = _("Regions")
    api_prefix = "/regions"
    health_checks = ("health.province_in_region_table",)
